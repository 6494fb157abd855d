// Hand-made stand-ins for what an engine reaches through injected
// interfaces (core/clock.h, core/engine.h's IdSource, core/transport.h), for
// the engine tests that run engines without the simulator: a clock the test
// steps, ids counted from a seed, and a transport that appends every message
// to one FIFO queue the test drains.
#ifndef SYNCSIM_TESTS_ENGINE_TEST_DOUBLES_H_
#define SYNCSIM_TESTS_ENGINE_TEST_DOUBLES_H_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/engine.h"
#include "core/transport.h"
#include "core/uuid.h"

namespace syncsim::test {

// Virtual time the test moves; the wall clock is the monotonic one plus a
// fixed epoch and a skew the test may set.
class StepClock : public core::Clock {
 public:
  int64_t now_ms() const override { return 1'700'000'000'000 + offset_ms + ms_; }
  int64_t monotonic_ms() const override { return ms_; }
  void Advance(int64_t ms) { ms_ += ms; }
  void Set(int64_t ms) { ms_ = ms; }
  int64_t offset_ms = 0;

 private:
  int64_t ms_ = 0;
};

// Distinct ids per seed: (seed, 1), (seed, 2), ...
class CountingIds : public core::IdSource {
 public:
  explicit CountingIds(uint64_t high) : high_(high) {}
  core::Uuid NewUuid() override { return core::Uuid::FromRandomBits(high_, ++next_); }

 private:
  uint64_t high_;
  uint64_t next_ = 0;
};

struct Envelope {
  core::Uuid from;
  core::Uuid to;
  std::string payload;
};

// Every message goes into one queue; nothing is lost or reordered unless
// the test does it while delivering. ConnectedPeers lists those passed to
// Connect (the engines under test learn peers from OnPeerConnected).
class QueueTransport : public core::Transport {
 public:
  // REQUIRES: queue outlives the transport.
  QueueTransport(core::Uuid self, std::deque<Envelope>* queue) : self_(self), queue_(queue) {}
  void Send(const core::Uuid& peer, std::string_view /*kind*/, std::string payload) override {
    queue_->push_back(Envelope{self_, peer, std::move(payload)});
  }
  std::vector<core::Uuid> ConnectedPeers() const override { return peers_; }
  void Connect(const core::Uuid& peer) { peers_.push_back(peer); }

 private:
  core::Uuid self_;
  std::deque<Envelope>* queue_;
  std::vector<core::Uuid> peers_;
};

}  // namespace syncsim::test

#endif  // SYNCSIM_TESTS_ENGINE_TEST_DOUBLES_H_
