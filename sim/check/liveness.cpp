#include "sim/check/liveness.h"

#include <array>
#include <string_view>

#include <fmt/format.h>

#include "sim/base/assert.h"

namespace syncsim::sim {
namespace {

constexpr int64_t kMicrosecondsPerMillisecond = 1'000;

}  // namespace

void LivenessWatch::Open(int64_t now_us, std::string reason) {
  SYNCSIM_ASSERT(!verdict_.has_value());
  opened_at_us_ = now_us;
  reason_ = std::move(reason);
  restarted_for_workload_ = false;
}

void LivenessWatch::RestartForWorkload(int64_t now_us) {
  SYNCSIM_ASSERT(open());
  opened_at_us_ = now_us;
  restarted_for_workload_ = true;
}

int64_t LivenessWatch::deadline_us() const {
  SYNCSIM_ASSERT(open());
  return *opened_at_us_ + within_ms_ * kMicrosecondsPerMillisecond;
}

void LivenessWatch::Close(int64_t now_us, bool converged, const std::string& differences) {
  SYNCSIM_ASSERT(open());
  verdict_ = converged;
  if (restarted_for_workload_) reason_ = "the last workload's end";
  const int64_t opened_ms = *opened_at_us_ / kMicrosecondsPerMillisecond;
  detail_ = converged ? fmt::format("converged within {} ms after {} at {} ms (checked at {} ms)", within_ms_, reason_,
                                    opened_ms, now_us / kMicrosecondsPerMillisecond)
                      : fmt::format("not converged {} ms after {} at {} ms: {}", within_ms_, reason_, opened_ms,
                                    differences.empty() ? std::string("devices disagree") : differences);
}

void LivenessWatch::Finish(int64_t now_us, bool converged, const std::string& differences) {
  if (verdict_.has_value()) return;
  const int64_t now_ms = now_us / kMicrosecondsPerMillisecond;
  verdict_ = converged && opened_at_us_.has_value();
  if (!opened_at_us_.has_value()) {
    detail_ = fmt::format("the run ended at {} ms before its last fault step ran", now_ms);
    return;
  }
  if (restarted_for_workload_) reason_ = "the last workload's end";
  const int64_t opened_ms = *opened_at_us_ / kMicrosecondsPerMillisecond;
  detail_ = converged ? fmt::format("converged by the end of the run at {} ms, {} ms after {} at {} ms (bound {} ms)",
                                    now_ms, now_ms - opened_ms, reason_, opened_ms, within_ms_)
                      : fmt::format("not converged at the end of the run at {} ms, {} ms after {} at {} ms: {}", now_ms,
                                    now_ms - opened_ms, reason_, opened_ms,
                                    differences.empty() ? std::string("devices disagree") : differences);
}

}  // namespace syncsim::sim
