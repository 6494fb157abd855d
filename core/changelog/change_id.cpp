#include "core/changelog/change_id.h"

#include <cassert>

#include <fmt/format.h>

namespace syncsim::core::changelog {
namespace {

constexpr int64_t kTimestampLimit = int64_t{1} << 48;

}  // namespace

std::string ChangeIdFromHlc(const Hlc& hlc) {
  assert(hlc.timestamp_ms >= 0 && hlc.timestamp_ms < kTimestampLimit);
  return fmt::format("{:012x}-{:08x}-{}", hlc.timestamp_ms, hlc.counter, hlc.device.ToString());
}

std::optional<std::string> ChangeIdFromHlcText(std::string_view hlc_text) {
  std::optional<Hlc> hlc = Hlc::Parse(hlc_text);
  if (!hlc.has_value() || hlc->timestamp_ms >= kTimestampLimit) return std::nullopt;
  return ChangeIdFromHlc(*hlc);
}

}  // namespace syncsim::core::changelog
