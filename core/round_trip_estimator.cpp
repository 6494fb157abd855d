#include "core/round_trip_estimator.h"

#include <algorithm>
#include <cassert>

namespace syncsim::core {

RoundTripEstimator::RoundTripEstimator(const SyncSettings& settings)
    : minimum_ms_(std::min(settings.retry_timeout_ms_min, settings.retry_timeout_ms)),
      maximum_ms_(std::max(settings.retry_timeout_ms_max, settings.retry_timeout_ms)),
      backoff_cap_ms_(settings.retry_backoff_ms_max),
      ceiling_ms_(settings.retry_backoff_ms_max),
      first_timeout_ms_(settings.retry_timeout_ms),
      timeout_ms_(settings.retry_timeout_ms) {
  assert(minimum_ms_ >= 1);
}

int64_t RoundTripEstimator::backoff_cap_ms() const { return std::max(Ceiling(), timeout_ms_); }

void RoundTripEstimator::OnAnswered(int64_t round_trip_ms, int64_t since_last_send_ms, bool sent_once) {
  if (!sent_once) {
    // Found by two swarm seeds: on a lossy link where the first send of a
    // request was lost a few times running, and each resend answered, the
    // wait only ever doubled (a request waited 200 s on a 20 ms link).
    if (samples_ > 0) {
      timeout_ms_ = Estimate();
    } else {
      // Over a slow link the answer comes well after the last resend, and
      // the wait set here may outlast the round trip, so that the next
      // message sent once is answered and measured.
      const int64_t proven_ms = std::max<int64_t>(since_last_send_ms, 0);
      timeout_ms_ = std::clamp(std::max(first_timeout_ms_, 3 * proven_ms), minimum_ms_, maximum_ms_);
    }
    return;
  }
  const int64_t sample = std::max<int64_t>(round_trip_ms, 0);
  if (samples_ == 0) {
    smoothed_ms_ = sample;
    variation_ms_ = sample / 2;
  } else {
    const int64_t error = smoothed_ms_ > sample ? smoothed_ms_ - sample : sample - smoothed_ms_;
    variation_ms_ = (3 * variation_ms_ + error) / 4;
    smoothed_ms_ = (7 * smoothed_ms_ + sample) / 8;
  }
  ++samples_;
  ceiling_ms_ = backoff_cap_ms_;
  timeout_ms_ = Estimate();
}

void RoundTripEstimator::OnWaitRanOut(int64_t waited_ms) {
  if (waited_ms < timeout_ms_) return;
  timeout_ms_ = std::max(timeout_ms_, std::min(timeout_ms_ * 2, Ceiling()));
}

void RoundTripEstimator::OnGaveUp() {
  // With a measured round trip a request given up was lost, not slow: the
  // links keep their latency for a connection's life. Escalating then made
  // a lossy link of 5 ms (two sends per request) wait 5 s between sends and
  // stall (realtime_alice_to_bob --swarm seed 288).
  if (samples_ > 0) return;
  ceiling_ms_ = std::min(ceiling_ms_ * 2, maximum_ms_);
}

int64_t RoundTripEstimator::Estimate() const {
  // RFC 6298 adds max(G, 4 * RTTVAR) for a clock granularity G; the
  // minimum plays that part here (a core checks its waits once per tick).
  return std::clamp(smoothed_ms_ + 4 * variation_ms_, minimum_ms_, maximum_ms_);
}

int64_t RoundTripEstimator::Ceiling() const { return samples_ > 0 ? std::max(ceiling_ms_, Estimate()) : ceiling_ms_; }

}  // namespace syncsim::core
