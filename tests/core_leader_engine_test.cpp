// The leader engine (core/leader/): election of the creator, forwarding and
// commit by majority, failover when the leader crashes, term fencing,
// catch-up after a reconnection and rejection of malformed messages, over a
// hand-made network of engines built through the registry (no simulator).
#include <catch2/catch.hpp>

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/engine.h"
#include "core/engine_registry.h"
#include "core/leader/leader_engine.h"
#include "core/leader/leader_messages.h"
#include "core/library_db.h"
#include "core/model_registry.h"
#include "tests/engine_test_doubles.h"

namespace syncsim {
namespace {

using core::Uuid;
using core::leader::LeaderEngine;
using core::leader::Role;

using test::CountingIds;
using test::Envelope;
using test::StepClock;
using NetTransport = test::QueueTransport;

struct Device {
  Uuid uuid;
  StepClock clock;
  CountingIds ids;
  NetTransport transport;
  std::unique_ptr<core::LibraryDb> library;
  std::unique_ptr<core::Engine> engine;
  std::vector<core::EngineEvent> events;
  Device(const Uuid& id, uint64_t seed, std::deque<Envelope>* queue) : uuid(id), ids(seed), transport(id, queue) {
    REQUIRE(core::LibraryDb::Open(":memory:", core::ModelRegistry::Default(), &library).ok());
  }
  LeaderEngine& leader() { return static_cast<LeaderEngine&>(*engine); }
};

// Devices, a FIFO network that loses what goes to a down or cut-off device,
// and a virtual clock every device shares.
class Net {
 public:
  explicit Net(size_t count, core::SyncSettings settings = Settings()) : settings_(std::move(settings)) {
    for (size_t i = 0; i < count; ++i) members_.push_back(Uuid::FromRandomBits(i + 1, i + 1));
    for (size_t i = 0; i < count; ++i) devices_.push_back(std::make_unique<Device>(members_[i], 100 + i, &queue_));
    for (size_t i = 0; i < count; ++i) Start(i);
    for (size_t i = 0; i < count; ++i) {
      for (size_t j = 0; j < count; ++j) {
        if (i != j) devices_[i]->engine->OnPeerConnected(members_[j]);
      }
    }
  }
  static core::SyncSettings Settings() {
    core::SyncSettings settings;
    settings.engine = "leader";
    settings.leader_heartbeat_ms = 1'000;
    settings.leader_lease_ms = 3'000;
    return settings;
  }
  void Start(size_t i) {
    Device& device = *devices_[i];
    device.engine = core::FindEngine("leader")(core::EngineSetup{.library = device.library.get(),
                                                                 .clock = &device.clock,
                                                                 .ids = &device.ids,
                                                                 .transport = &device.transport,
                                                                 .hlc_observer = nullptr,
                                                                 .device = device.uuid,
                                                                 .library_id = kLibrary,
                                                                 .device_name = "d" + std::to_string(i),
                                                                 .settings = &settings_,
                                                                 .members = members_});
    device.engine->SetEventObserver([&device](const core::EngineEvent& event) { device.events.push_back(event); });
    device.engine->Start();
  }
  void Crash(size_t i) {
    devices_[i]->engine.reset();
    for (size_t j = 0; j < devices_.size(); ++j) {
      if (j != i && devices_[j]->engine != nullptr) devices_[j]->engine->OnPeerDisconnected(members_[i]);
    }
  }
  void Restart(size_t i) {
    Start(i);
    for (size_t j = 0; j < devices_.size(); ++j) {
      if (j == i || devices_[j]->engine == nullptr) continue;
      devices_[i]->engine->OnPeerConnected(members_[j]);
      devices_[j]->engine->OnPeerConnected(members_[i]);
    }
  }
  void Cut(size_t i, size_t j) {
    cut_.insert({i, j});
    cut_.insert({j, i});
  }
  void Heal() { cut_.clear(); }
  // Runs `ms` of virtual time in 10 ms ticks, delivering every message.
  void Run(int64_t ms) {
    for (int64_t end = now_ + ms; now_ < end;) {
      now_ += 10;
      for (auto& device : devices_) device->clock.Set(now_);
      Deliver();
      for (auto& device : devices_) {
        if (device->engine != nullptr) device->engine->Tick();
      }
      Deliver();
    }
  }
  Device& operator[](size_t i) { return *devices_[i]; }
  size_t Index(const Uuid& uuid) const {
    for (size_t i = 0; i < members_.size(); ++i) {
      if (members_[i] == uuid) return i;
    }
    return members_.size();
  }
  const Uuid kLibrary = Uuid::FromRandomBits(9, 9);

 private:
  void Deliver() {
    for (int message = 0; message < 100'000 && !queue_.empty(); ++message) {
      Envelope envelope = std::move(queue_.front());
      queue_.pop_front();
      const size_t from = Index(envelope.from);
      const size_t to = Index(envelope.to);
      if (devices_[to]->engine == nullptr || cut_.count({from, to}) > 0) continue;
      REQUIRE(devices_[to]->engine->OnMessage(envelope.from, envelope.payload).ok());
    }
  }
  core::SyncSettings settings_;
  std::vector<Uuid> members_;
  std::vector<std::unique_ptr<Device>> devices_;
  std::deque<Envelope> queue_;
  std::set<std::pair<size_t, size_t>> cut_;
  int64_t now_ = 0;
};

int64_t Count(Device& device, const std::string& model) { return device.library->Count(model); }

size_t CountEvents(const Device& device, const std::string& kind) {
  size_t count = 0;
  for (const core::EngineEvent& event : device.events) count += event.kind == kind ? 1 : 0;
  return count;
}

TEST_CASE("LeaderEngine: registered by name", "[core][leader]") { CHECK(core::FindEngine("leader") != nullptr); }

TEST_CASE("LeaderEngine: the creator is elected and a follower's write reaches every device", "[core][leader]") {
  Net net(3);
  net.Run(500);
  REQUIRE(net[0].leader().role() == Role::kLeader);
  CHECK(net[0].leader().term() == 1);
  CHECK(net[1].leader().role() == Role::kFollower);
  CHECK(net[1].leader().leader() == net[0].uuid);
  CHECK(CountEvents(net[0], "elected") == 1);

  const Uuid tag = net[1].engine->NewUuid();
  REQUIRE(net[1].engine->WriteShared("tag", tag, {{"name", "inbox"}, {"color", "red"}}).ok());
  CHECK(Count(net[1], "tag") == 1);  // applied locally at once
  CHECK(net[1].engine->UnackedSharedChanges(net[0].uuid) >= 1);
  net.Run(500);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(Count(net[i], "tag") == 1);
    CHECK(Count(net[i], "device") == 3);
    CHECK(net[i].leader().applied_seq() == net[0].leader().commit_seq());
    CHECK_FALSE(net[i].engine->HasPendingWork());
  }
  CHECK(net[1].engine->UnackedSharedChanges(net[0].uuid) == 0);
  // Every write was assigned a seq by the leader and acknowledged once.
  CHECK(CountEvents(net[0], "assigned") == 4);  // three device records and the tag
  CHECK(CountEvents(net[0], "acked") == 4);
  CHECK(CountEvents(net[1], "assigned") == 0);
}

TEST_CASE("LeaderEngine: a crashed leader is replaced in a newer term, acked writes survive", "[core][leader]") {
  Net net(3);
  net.Run(500);
  const Uuid first = net[1].engine->NewUuid();
  REQUIRE(net[1].engine->WriteShared("tag", first, {{"name", "before"}}).ok());
  net.Run(500);
  const int64_t committed = net[0].leader().commit_seq();
  REQUIRE(committed >= 5);
  net.Crash(0);
  // Within a lease and the stagger, the next member by rank takes over.
  net.Run(6'000);
  REQUIRE(net[1].leader().role() == Role::kLeader);
  CHECK(net[1].leader().term() == 2);
  CHECK(net[2].leader().leader() == net[1].uuid);
  const Uuid second = net[2].engine->NewUuid();
  REQUIRE(net[2].engine->WriteShared("tag", second, {{"name", "after"}}).ok());
  net.Run(500);
  CHECK(Count(net[1], "tag") == 2);
  CHECK(Count(net[2], "tag") == 2);
  // The old leader comes back as a follower and catches up.
  net.Restart(0);
  net.Run(500);
  CHECK(net[0].leader().role() == Role::kFollower);
  CHECK(net[0].leader().term() == 2);
  CHECK(Count(net[0], "tag") == 2);
  CHECK(net[0].leader().commit_seq() == net[1].leader().commit_seq());
  CHECK(net[0].leader().commit_seq() > committed);
}

TEST_CASE("LeaderEngine: a leader cut off from the majority steps down when its lease ends", "[core][leader]") {
  Net net(3);
  net.Run(500);
  net.Cut(0, 1);
  net.Cut(0, 2);
  net.Run(3'100);
  CHECK(net[0].leader().role() != Role::kLeader);
  net.Run(3'000);
  CHECK(net[1].leader().role() == Role::kLeader);
  // A write on the old leader while cut off waits in its outbox...
  const Uuid tag = net[0].engine->NewUuid();
  REQUIRE(net[0].engine->WriteShared("tag", tag, {{"name", "cut off"}}).ok());
  net.Run(500);
  CHECK(Count(net[1], "tag") == 0);
  // ...and reaches everyone after the heal.
  net.Heal();
  net.Run(8'000);
  CHECK(Count(net[1], "tag") == 1);
  CHECK(Count(net[2], "tag") == 1);
  CHECK(net[0].engine->UnackedSharedChanges(net[1].uuid) == 0);
}

TEST_CASE("LeaderEngine: with leader_no_fencing a cut-off leader keeps assigning", "[core][leader]") {
  core::SyncSettings settings = Net::Settings();
  settings.defects.insert(std::string(core::kDefectLeaderNoFencing));
  Net net(3, settings);
  net.Run(500);
  net.Cut(0, 1);
  net.Cut(0, 2);
  net.Run(7'000);
  CHECK(net[0].leader().role() == Role::kLeader);
  CHECK(net[1].leader().role() == Role::kLeader);
}

TEST_CASE("LeaderEngine: a follower rejects an append of an older term", "[core][leader]") {
  Net net(3);
  net.Run(500);
  net.Crash(0);
  net.Run(6'000);
  REQUIRE(net[2].leader().term() == 2);
  const int64_t last = net[2].leader().last_seq();
  core::leader::AppendRequest stale;
  stale.library = net.kLibrary;
  stale.term = 1;
  stale.prev_seq = last;
  stale.prev_term = net[2].leader().log().TermAt(last);
  core::leader::LogChange change{net[0].uuid, 99, "tag", Uuid::FromRandomBits(5, 5), {{"name", "stale"}}, false};
  stale.entries.push_back(core::leader::LogEntry{last + 1, 1, change});
  const uint64_t rejected = net[2].engine->counters().messages_rejected;
  REQUIRE(net[2].engine->OnMessage(net[0].uuid, core::leader::EncodeLeaderMessage(stale)).ok());
  CHECK(net[2].engine->counters().messages_rejected == rejected + 1);
  CHECK(net[2].leader().last_seq() == last);
  CHECK(net[2].leader().leader() == net[1].uuid);
}

TEST_CASE("LeaderEngine: a follower that reconnects catches up from its seq", "[core][leader]") {
  Net net(3);
  net.Run(500);
  net.Cut(0, 2);
  net.Cut(1, 2);
  for (int i = 0; i < 30; ++i) {
    REQUIRE(net[1].engine->WriteShared("tag", net[1].engine->NewUuid(), {{"name", "t" + std::to_string(i)}}).ok());
  }
  net.Run(500);
  CHECK(Count(net[0], "tag") == 30);
  CHECK(Count(net[2], "tag") == 0);
  net.Heal();
  net.Run(3'000);
  CHECK(Count(net[2], "tag") == 30);
  CHECK(net[2].leader().applied_seq() == net[0].leader().commit_seq());
}

TEST_CASE("LeaderEngine: malformed messages are rejected whole", "[core][leader]") {
  Net net(2);
  net.Run(200);
  Device& bob = net[1];
  CHECK_FALSE(bob.engine->OnMessage(net[0].uuid, "not json").ok());
  CHECK_FALSE(bob.engine->OnMessage(net[0].uuid, R"({"kind":"LeaderAppend"})").ok());
  core::leader::ForwardRequest forward{net.kLibrary, {}};
  forward.changes.push_back(core::leader::LogChange{net[1].uuid, 1, "tag", Uuid::FromRandomBits(3, 3),
                                                    {{"no_such_column", 1}}, false});
  CHECK_FALSE(net[0].engine->OnMessage(net[1].uuid, core::leader::EncodeLeaderMessage(forward)).ok());
  // A forwarded change must come from its origin.
  forward.changes[0] = core::leader::LogChange{net[0].uuid, 1, "tag", Uuid::FromRandomBits(3, 3), {{"name", "x"}}, false};
  CHECK_FALSE(net[0].engine->OnMessage(net[1].uuid, core::leader::EncodeLeaderMessage(forward)).ok());
  CHECK(net[0].engine->counters().messages_rejected == 2);
}

}  // namespace
}  // namespace syncsim
