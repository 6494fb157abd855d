#include "sim/scenario/swarm_knobs.h"

#include <algorithm>
#include <string>
#include <vector>

#include "sim/kernel/random.h"
#include "sim/scenario/scenario.h"

namespace syncsim::sim {
namespace {

// A knob and the values it is drawn from, small ones first and most often
// (each value in the list is equally likely, and the lists are dense at the
// small end).
struct KnobChoices {
  const char* name;
  std::vector<int64_t> values;
};

const std::vector<KnobChoices>& SizeKnobs() {
  // Data table.
  static const std::vector<KnobChoices> knobs = {
      {"page_size", {1, 1, 2, 3, 5, 10, 25, 64}},
      {"batch_size", {1, 1, 2, 3, 5, 10, 30}},
      {"shared_batch_size", {1, 1, 2, 3, 5, 20}},
      {"buffer_max", {1, 1, 2, 3, 8, 32}},
      {"unacked_batches_max", {1, 2, 3, 5, 16, 64}},
      {"flush_interval_ms", {1, 2, 5, 20, 200, 1'000}},
  };
  return knobs;
}

const std::vector<int64_t>& RetryTimeoutsMs() {
  static const std::vector<int64_t> values = {5, 20, 50, 100, 200, 1'000};
  return values;
}

const std::vector<int64_t>& RetryAttempts() {
  static const std::vector<int64_t> values = {2, 3, 4, 6, 12};
  return values;
}

// A drawn backoff cap is at most this, and the stall window at least this
// many caps: with a drop rate of 0.3 a round trip fails about half the
// time, and 15 failures in a row (a false stall) are rarer than 1 in 10^4.
constexpr int64_t kSwarmRetryBackoffMsMax = 2'000;
constexpr int64_t kStallWindowBackoffsMin = 15;

bool IsSet(const nlohmann::json& sync, const char* name) { return sync.is_object() && sync.contains(name); }

// Draws the three retry knobs together, so that their patience covers two
// round trips of the slowest link (see the header).
void DrawRetries(Random* random, int64_t latency_ms_max, nlohmann::json* document, nlohmann::json* drawn) {
  nlohmann::json* sync = &(*document)["sync"];
  if (IsSet(*sync, "retry_timeout_ms") || IsSet(*sync, "retry_backoff_ms_max") || IsSet(*sync, "retry_attempts_max")) {
    return;  // the scenario chose its retry schedule
  }
  if (!random->Bernoulli(kSwarmKnobDrawProbability)) return;
  int64_t timeout_ms = random->Choice(RetryTimeoutsMs());
  int64_t cap_ms = std::max(timeout_ms, std::min(timeout_ms * random->Choice(std::vector<int64_t>{1, 2, 4, 16}),
                                                 kSwarmRetryBackoffMsMax));
  const int64_t attempts = random->Choice(RetryAttempts());
  RaiseToPatience(4 * latency_ms_max + 100, attempts, &timeout_ms, &cap_ms);
  (*sync)["retry_timeout_ms"] = timeout_ms;
  (*sync)["retry_backoff_ms_max"] = cap_ms;
  (*sync)["retry_attempts_max"] = attempts;
  (*drawn)["retry_timeout_ms"] = timeout_ms;
  (*drawn)["retry_backoff_ms_max"] = cap_ms;
  (*drawn)["retry_attempts_max"] = attempts;
  // A link that drops a resend at the cap again and again makes no progress
  // for a while; the stall window must outlast many such gaps.
  const nlohmann::json* window = document->contains("stall_window_ms") ? &(*document)["stall_window_ms"] : nullptr;
  const int64_t stall_window_ms =
      window != nullptr && window->is_number_integer() ? window->get<int64_t>() : kScenarioStallWindowMsDefault;
  if (stall_window_ms < kStallWindowBackoffsMin * cap_ms) {
    (*document)["stall_window_ms"] = kStallWindowBackoffsMin * cap_ms;
    (*drawn)["stall_window_ms"] = kStallWindowBackoffsMin * cap_ms;
  }
}

// The leader engine's heartbeat, drawn; the lease is a multiple of it.
const std::vector<int64_t>& LeaderHeartbeatsMs() {
  static const std::vector<int64_t> values = {100, 500, 2'000, 10'000, 30'000};
  return values;
}

// Draws the leader engine's timers (only for a scenario that runs it, from
// a stream of their own, so other scenarios draw as before). The lease is
// raised to many round trips of the slowest link: a lease near the latency
// deposes healthy leaders, and the seeds fail for no fault of the engine.
// A failover waits a lease with work pending and no progress, so the stall
// window is raised to several leases.
void DrawLeaderTimers(uint64_t seed, int64_t latency_ms_max, nlohmann::json* document, nlohmann::json* drawn) {
  nlohmann::json* sync = &(*document)["sync"];
  const auto engine = sync->find("engine");
  if (engine == sync->end() || !engine->is_string() || engine->get<std::string>() != "leader") return;
  constexpr int64_t kLeaseDefaultMs = 60'000;
  int64_t lease_ms = IsSet(*sync, "leader_lease_ms") && (*sync)["leader_lease_ms"].is_number_integer()
                         ? (*sync)["leader_lease_ms"].get<int64_t>()
                         : kLeaseDefaultMs;
  Random random = SeedStreams(seed).Stream("swarm.leader");
  if (!IsSet(*sync, "leader_heartbeat_ms") && !IsSet(*sync, "leader_lease_ms") &&
      random.Bernoulli(kSwarmKnobDrawProbability)) {
    const int64_t heartbeat_ms = random.Choice(LeaderHeartbeatsMs());
    lease_ms = std::max(heartbeat_ms * random.Choice(std::vector<int64_t>{2, 3, 5}), 20 * latency_ms_max + 1'000);
    (*sync)["leader_heartbeat_ms"] = heartbeat_ms;
    (*sync)["leader_lease_ms"] = lease_ms;
    (*drawn)["leader_heartbeat_ms"] = heartbeat_ms;
    (*drawn)["leader_lease_ms"] = lease_ms;
  }
  constexpr int64_t kStallWindowLeasesMin = 4;
  const nlohmann::json* window = document->contains("stall_window_ms") ? &(*document)["stall_window_ms"] : nullptr;
  const int64_t stall_window_ms =
      window != nullptr && window->is_number_integer() ? window->get<int64_t>() : kScenarioStallWindowMsDefault;
  if (stall_window_ms < kStallWindowLeasesMin * lease_ms) {
    (*document)["stall_window_ms"] = kStallWindowLeasesMin * lease_ms;
    (*drawn)["stall_window_ms"] = kStallWindowLeasesMin * lease_ms;
  }
}

}  // namespace

void RaiseToPatience(int64_t patience_needed_ms, int64_t retry_attempts_max, int64_t* retry_timeout_ms,
                     int64_t* retry_backoff_ms_max) {
  // Doubling both doubles the patience, so the loop ends within
  // log2(patience_needed_ms) passes.
  constexpr int kDoublingsMax = 62;
  for (int doubling = 0; doubling < kDoublingsMax &&
                         RequestPatienceMs(*retry_timeout_ms, *retry_backoff_ms_max, retry_attempts_max) < patience_needed_ms;
       ++doubling) {
    *retry_timeout_ms *= 2;
    *retry_backoff_ms_max *= 2;
  }
}

int64_t RequestPatienceMs(int64_t retry_timeout_ms, int64_t retry_backoff_ms_max, int64_t retry_attempts_max) {
  // Send 1 at 0, waits timeout; each later wait is the previous doubled,
  // at most the cap; the request is given up one wait after the last send.
  int64_t total_ms = 0;
  int64_t wait_ms = retry_timeout_ms;
  for (int64_t send = 1; send <= retry_attempts_max; ++send) {
    total_ms += wait_ms;
    wait_ms = std::min(wait_ms * 2, retry_backoff_ms_max);
  }
  return total_ms;
}

nlohmann::json DrawSwarmKnobs(uint64_t seed, int64_t latency_ms_max, nlohmann::json* document) {
  Random random = SeedStreams(seed).Stream("swarm.knobs");
  nlohmann::json& sync = (*document)["sync"];
  if (!sync.is_object()) sync = nlohmann::json::object();
  nlohmann::json drawn = nlohmann::json::object();
  for (const KnobChoices& knob : SizeKnobs()) {
    // Draw the coin even for a knob the scenario sets, so that one
    // scenario key never shifts the draws of the others.
    const bool draw = random.Bernoulli(kSwarmKnobDrawProbability);
    const int64_t value = random.Choice(knob.values);
    if (!draw || IsSet(sync, knob.name)) continue;
    sync[knob.name] = value;
    drawn[knob.name] = value;
  }
  DrawRetries(&random, latency_ms_max, document, &drawn);
  DrawLeaderTimers(seed, latency_ms_max, document, &drawn);
  return drawn;
}

}  // namespace syncsim::sim
