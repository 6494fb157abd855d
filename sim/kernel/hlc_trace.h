// HLC trace records: every HLC a device's sync core generates or receives
// becomes one trace line of kind "hlc", so a run's trace (and therefore its
// fingerprint and trace.jsonl) holds the device's clock reading beside each
// value, and invariant.hlc_bounds (sim/check/hlc_bounds.h) checks the HLC
// paper's bounds from the trace alone. Formatting and parsing live together
// here so that they cannot drift apart.
//
// Line: {"kind":"hlc","source":DEVICE,"target":"","detail":DETAIL,...} with
//   DETAIL = "generate pt=PT l=L c=C"
//          | "receive pt=PT l=L c=C remote_l=RL remote_c=RC"
// (decimal milliseconds and counters; l and c are the value issued).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/hlc.h"
#include "sim/kernel/scheduler.h"
#include "sim/kernel/trace.h"

namespace syncsim::sim {

inline constexpr std::string_view kHlcTraceKind = "hlc";

// The detail field of an "hlc" trace line for `observation`.
std::string FormatHlcTraceDetail(const core::HlcObservation& observation);
// Reads a detail written by FormatHlcTraceDetail back (device uuids are not
// in the line and stay nil). nullopt for anything else.
std::optional<core::HlcObservation> ParseHlcTraceDetail(std::string_view detail);

// Records every observation of one device's HLC in the trace, at the
// scheduler's virtual time. Does not own the scheduler or the trace.
class HlcTraceRecorder : public core::HlcObserver {
 public:
  // REQUIRES: `scheduler` and `trace` outlive this recorder.
  HlcTraceRecorder(std::string device, const Scheduler& scheduler, Trace& trace)
      : device_(std::move(device)), scheduler_(scheduler), trace_(trace) {}

  void OnHlc(const core::HlcObservation& observation) override;

 private:
  std::string device_;
  const Scheduler& scheduler_;
  Trace& trace_;
};

}  // namespace syncsim::sim
