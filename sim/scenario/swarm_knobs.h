// Swarm knobs (BUGGIFY, as FoundationDB's simulator does it): with
// `--swarm`, the engine's own settings are drawn from the seed too, so that
// a sweep runs the rare paths that the defaults almost never reach (a page
// boundary in a catch-up, a full realtime buffer, a request given up, a
// resend at the backoff cap, an abandoned batch). Each knob the scenario
// does not set is drawn or left at its default by a coin flip, and a drawn
// value is most likely small: the smaller a knob, the more often its rare
// path fires.
//
// Drawn retry settings always leave a request at least two round trips of
// the slowest link of the drawn network before it is given up: a shorter
// patience is a livelock any engine has (every answer arrives after its
// request was abandoned), not a bug worth finding again on every seed. And
// the scenario's stall window is lifted to at least 15 backoff caps: a lossy
// link may leave that many resends at the cap unanswered in a row, which is
// slow, not stalled.
//
// Drawn from the seed's own "swarm.knobs" stream, so that adding knobs
// never changes the faults an existing seed draws.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace syncsim::sim {

// Probability that a knob the scenario leaves unset is drawn.
inline constexpr double kSwarmKnobDrawProbability = 0.5;

// Draws knobs into (*document)["sync"] (created when absent) for a run of
// `seed` whose network's largest one-way latency is `latency_ms_max`, and
// returns what was drawn (knob -> value; empty when nothing was).
// REQUIRES: document is an object.
nlohmann::json DrawSwarmKnobs(uint64_t seed, int64_t latency_ms_max, nlohmann::json* document);

// The time a request waits over all its sends before it is given up:
// retry_timeout_ms, then doubling up to retry_backoff_ms_max, for
// retry_attempts_max sends (the engine's schedule).
int64_t RequestPatienceMs(int64_t retry_timeout_ms, int64_t retry_backoff_ms_max, int64_t retry_attempts_max);

// Doubles the timeout and the cap together until a request's patience
// (RequestPatienceMs) is at least patience_needed_ms.
// REQUIRES: *retry_timeout_ms >= 1, *retry_backoff_ms_max >= 1,
// retry_attempts_max >= 1, patience_needed_ms <= 2^40.
void RaiseToPatience(int64_t patience_needed_ms, int64_t retry_attempts_max, int64_t* retry_timeout_ms,
                     int64_t* retry_backoff_ms_max);

}  // namespace syncsim::sim
