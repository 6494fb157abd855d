// MessageTimeline: the messages of a run per interval of virtual time, by
// message kind and fate (sent, delivered, dropped_*, duplicated, held,
// released), read back from trace.jsonl for the report. The interval is
// chosen so that a run spans at most kTimelineIntervalsMax of them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace syncsim::sim {

inline constexpr int64_t kTimelineIntervalsMax = 60;

struct TimelineStep {
  int64_t time_ms = 0;
  std::string label;  // "4 partition"
};

struct MessageTimeline {
  int64_t interval_ms = 1;
  int64_t end_ms = 0;  // time of the last trace line
  // intervals[i][kind][fate] = messages of `kind` with `fate` in
  // [i * interval_ms, (i + 1) * interval_ms).
  std::vector<std::map<std::string, std::map<std::string, int64_t>>> intervals;
  std::map<std::string, std::map<std::string, int64_t>> totals;  // kind -> fate -> count
  std::vector<TimelineStep> steps;
  int64_t messages = 0;  // message lines read
};

// Reads `trace_path`. Returns NotFound when the file is missing and
// Corruption naming the file and line for a line that is not a trace record.
core::Status ReadMessageTimeline(const std::filesystem::path& trace_path, MessageTimeline* timeline);

}  // namespace syncsim::sim
