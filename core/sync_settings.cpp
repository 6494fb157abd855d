#include "core/sync_settings.h"

#include <array>

namespace syncsim::core {

std::string_view ToString(MissingDependencyPolicy policy) {
  switch (policy) {
    case MissingDependencyPolicy::kPark:
      return "park";
    case MissingDependencyPolicy::kDrop:
      return "drop";
    case MissingDependencyPolicy::kNull:
      return "null";
  }
  return "park";
}

std::optional<MissingDependencyPolicy> ParseMissingDependencyPolicy(std::string_view text) {
  if (text == "park") return MissingDependencyPolicy::kPark;
  if (text == "drop") return MissingDependencyPolicy::kDrop;
  if (text == "null") return MissingDependencyPolicy::kNull;
  return std::nullopt;
}

bool IsKnownDefect(std::string_view name) {
  constexpr std::array<std::string_view, 7> kKnown = {
      kDefectWatermarkSkipsParked, kDefectLwwGuardPruned,           kDefectAckWithoutMax,      kDefectBufferDropsNew,
      kDefectDigestUsesLocalIds,   kDefectCascadeSkipsUuidReferences, kDefectHlcIgnoresWallClock};
  for (std::string_view known : kKnown) {
    if (known == name) return true;
  }
  return false;
}

}  // namespace syncsim::core
