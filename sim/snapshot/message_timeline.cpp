#include "sim/snapshot/message_timeline.h"

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace syncsim::sim {
namespace {

struct MessageLine {
  int64_t time_ms = 0;
  std::string kind;
  std::string fate;
};

// The smallest "round" interval (1, 2 or 5 times a power of ten, in ms)
// that covers `end_ms` in at most kTimelineIntervalsMax intervals.
int64_t RoundInterval(int64_t end_ms) {
  for (int64_t scale = 1;; scale *= 10) {
    for (int64_t factor : {1, 2, 5}) {
      const int64_t interval = factor * scale;
      if (end_ms / interval < kTimelineIntervalsMax) return interval;
    }
  }
}

}  // namespace

core::Status ReadMessageTimeline(const std::filesystem::path& trace_path, MessageTimeline* timeline) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(trace_path, error)) {
    return core::Status::NotFound(trace_path.string() + ": no such file");
  }
  std::ifstream in(trace_path);
  if (!in) return core::Status::IoError(trace_path.string() + ": cannot read");
  std::vector<MessageLine> messages;
  std::string text;
  int64_t line_number = 0;
  *timeline = MessageTimeline();
  while (std::getline(in, text)) {
    ++line_number;
    nlohmann::json line = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (line.is_discarded() || !line.is_object() || !line.contains("time_us") || !line["time_us"].is_number_integer() ||
        !line.contains("kind") || !line["kind"].is_string()) {
      return core::Status::Corruption(fmt::format("{}:{}: not a trace record", trace_path.string(), line_number));
    }
    // Virtual time starts at 0 (a negative time indexed before the first
    // interval), and the text fields read below are text.
    if (line["time_us"].get<int64_t>() < 0) {
      return core::Status::Corruption(fmt::format("{}:{}: time_us: expected a time >= 0", trace_path.string(), line_number));
    }
    for (const char* key : {"detail", "fate"}) {
      if (line.contains(key) && !line[key].is_string()) {
        return core::Status::Corruption(fmt::format("{}:{}: {}: expected a string", trace_path.string(), line_number, key));
      }
    }
    const int64_t time_ms = line["time_us"].get<int64_t>() / 1000;
    timeline->end_ms = std::max(timeline->end_ms, time_ms);
    const std::string kind = line["kind"].get<std::string>();
    if (kind == "step") {
      timeline->steps.push_back({time_ms, line.value("detail", "")});
    } else if (kind == "message") {
      messages.push_back({time_ms, line.value("detail", ""), line.value("fate", "")});
    }
  }
  if (in.bad()) return core::Status::IoError(trace_path.string() + ": cannot read");
  timeline->interval_ms = RoundInterval(timeline->end_ms);
  timeline->intervals.resize(static_cast<size_t>(timeline->end_ms / timeline->interval_ms + 1));
  for (const MessageLine& message : messages) {
    ++timeline->intervals[static_cast<size_t>(message.time_ms / timeline->interval_ms)][message.kind][message.fate];
    ++timeline->totals[message.kind][message.fate];
  }
  timeline->messages = static_cast<int64_t>(messages.size());
  return core::Status::Ok();
}

}  // namespace syncsim::sim
