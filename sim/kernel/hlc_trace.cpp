#include "sim/kernel/hlc_trace.h"

#include <charconv>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace syncsim::sim {
namespace {

constexpr std::string_view kGenerateWord = "generate";
constexpr std::string_view kReceiveWord = "receive";

// Reads " NAME=DECIMAL" from the front of `text`, advancing it. Only what
// FormatHlcTraceDetail writes: no sign, no spaces inside.
bool ReadField(std::string_view* text, std::string_view name, int64_t* value) {
  const std::string prefix = fmt::format(" {}=", name);
  if (!text->starts_with(prefix)) return false;
  text->remove_prefix(prefix.size());
  const char* begin = text->data();
  const char* end = begin + text->size();
  const auto [stop, error] = std::from_chars(begin, end, *value);
  if (error != std::errc() || stop == begin || *value < 0) return false;
  text->remove_prefix(static_cast<size_t>(stop - begin));
  return true;
}

bool ReadCounter(std::string_view* text, std::string_view name, uint32_t* counter) {
  int64_t value = 0;
  if (!ReadField(text, name, &value) || value > std::numeric_limits<uint32_t>::max()) return false;
  *counter = static_cast<uint32_t>(value);
  return true;
}

}  // namespace

std::string FormatHlcTraceDetail(const core::HlcObservation& observation) {
  if (observation.kind == core::HlcObservation::Kind::kGenerate) {
    return fmt::format("{} pt={} l={} c={}", kGenerateWord, observation.physical_ms, observation.result.timestamp_ms,
                       observation.result.counter);
  }
  return fmt::format("{} pt={} l={} c={} remote_l={} remote_c={}", kReceiveWord, observation.physical_ms,
                     observation.result.timestamp_ms, observation.result.counter, observation.remote.timestamp_ms,
                     observation.remote.counter);
}

std::optional<core::HlcObservation> ParseHlcTraceDetail(std::string_view detail) {
  core::HlcObservation observation;
  if (detail.starts_with(kGenerateWord)) {
    observation.kind = core::HlcObservation::Kind::kGenerate;
    detail.remove_prefix(kGenerateWord.size());
  } else if (detail.starts_with(kReceiveWord)) {
    observation.kind = core::HlcObservation::Kind::kReceive;
    detail.remove_prefix(kReceiveWord.size());
  } else {
    return std::nullopt;
  }
  if (!ReadField(&detail, "pt", &observation.physical_ms) ||
      !ReadField(&detail, "l", &observation.result.timestamp_ms) ||
      !ReadCounter(&detail, "c", &observation.result.counter)) {
    return std::nullopt;
  }
  if (observation.kind == core::HlcObservation::Kind::kReceive &&
      (!ReadField(&detail, "remote_l", &observation.remote.timestamp_ms) ||
       !ReadCounter(&detail, "remote_c", &observation.remote.counter))) {
    return std::nullopt;
  }
  if (!detail.empty()) return std::nullopt;
  return observation;
}

void HlcTraceRecorder::OnHlc(const core::HlcObservation& observation) {
  trace_.Record(TraceRecord{.time_us = scheduler_.now_us(),
                            .kind = std::string(kHlcTraceKind),
                            .source = device_,
                            .target = "",
                            .detail = FormatHlcTraceDetail(observation),
                            .size_bytes = 0,
                            .fate = ""});
}

}  // namespace syncsim::sim
