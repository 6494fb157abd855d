// RoundTripEstimator: how long a sync core waits for one peer's answer
// before it sends again, learned from the round trips it observes, so that
// a core converges over a link of any allowed latency: a fixed schedule
// shorter than the round trip resends everything forever and gives up on
// every request before its answer can arrive (a 10 s one-way latency never
// converged), and a fixed long wait makes every loss on a fast link cost
// seconds.
//
// The first wait is TCP's (RFC 6298): the smoothed round trip plus four
// times its variation, within [retry_timeout_ms_min, retry_timeout_ms_max]
// (widened to take in retry_timeout_ms, so that a scenario's own first
// wait stays a possible wait); before the first sample it is
// retry_timeout_ms. Only answers to messages sent once are samples (Karn's
// rule: the answer to a resent message may answer any of its copies).
//
// A wait that ran out doubles the wait, up to a ceiling: the backoff cap
// (retry_backoff_ms_max) or the estimate, when longer. A loss on a fast
// link is not a slow link: an unbounded doubling let seven losses in a
// row stretch a wait to 12 s on a 20 ms link, past the stall window. The
// ceiling itself doubles each time a request is given up unanswered
// before any round trip was measured (OnGaveUp, after retry_attempts_max
// sends), so that over a link slower than every wait so far the sends of
// one request come to span its round trip and its answer arrives; a sample
// brings it back to the cap. An
// answer to a resent message ends a backoff (see OnAnswered): otherwise a
// few lost first sends in a row would leave every later wait too long.
//
// Integer arithmetic only: the same samples give the same waits on every
// build. Not thread-safe; one per peer connection.
#pragma once

#include <cstdint>

#include "core/sync_settings.h"

namespace syncsim::core {

class RoundTripEstimator {
 public:
  // REQUIRES: retry_timeout_ms_min and retry_timeout_ms >= 1 (the loader
  // checks scenario settings).
  explicit RoundTripEstimator(const SyncSettings& settings);

  // The wait for an answer to a message sent now for the first time.
  int64_t timeout_ms() const { return timeout_ms_; }
  // The longest wait between two sends of one message: the ceiling, or the
  // current timeout when longer.
  int64_t backoff_cap_ms() const;

  // A message first sent `round_trip_ms` ago, and last sent
  // `since_last_send_ms` ago, was answered; `sent_once`: it was not resent
  // (the two times are equal). The answer to a resent message may answer
  // any of its copies, so it is no sample (Karn's rule), but it ends a
  // backoff: the timeout returns to the estimate, or before the first
  // sample to three times what the answer proves the round trip is at
  // least (the time since the last send), at least retry_timeout_ms.
  void OnAnswered(int64_t round_trip_ms, int64_t since_last_send_ms, bool sent_once);
  // A message's wait of `waited_ms` ran out. A wait at least as long as the
  // current timeout doubles it, up to the ceiling; shorter ones (set before
  // an earlier doubling) change nothing, so that many messages timing out
  // together double the timeout once.
  void OnWaitRanOut(int64_t waited_ms);
  // A request was given up after retry_attempts_max sends went unanswered.
  // Before any sample the ceiling doubles (at most retry_timeout_ms_max), in
  // case the link is slower than the sends of one request span; after one,
  // nothing changes: the request was lost, not slow (a simulated link keeps
  // its latency for the connection's life).
  void OnGaveUp();

  // Samples taken, for tests and counters.
  uint64_t samples() const { return samples_; }

 private:
  // The smoothed round trip plus four variations, within the bounds.
  // REQUIRES: samples_ > 0.
  int64_t Estimate() const;
  // The most the timeout may grow to by doubling.
  int64_t Ceiling() const;

  int64_t minimum_ms_;
  int64_t maximum_ms_;
  int64_t backoff_cap_ms_;  // retry_backoff_ms_max
  int64_t ceiling_ms_;      // the cap, doubled by each give-up since the last sample
  int64_t first_timeout_ms_;  // retry_timeout_ms
  int64_t timeout_ms_;
  // RFC 6298's SRTT and RTTVAR, in milliseconds; meaningful once samples_ > 0.
  int64_t smoothed_ms_ = 0;
  int64_t variation_ms_ = 0;
  uint64_t samples_ = 0;
};

}  // namespace syncsim::core
