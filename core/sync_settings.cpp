#include "core/sync_settings.h"

#include <array>
#include <vector>

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

std::string_view ToString(SharedMerge merge) { return merge == SharedMerge::kField ? "field" : "record"; }

std::optional<SharedMerge> ParseSharedMerge(std::string_view text) {
  if (text == "record") return SharedMerge::kRecord;
  if (text == "field") return SharedMerge::kField;
  return std::nullopt;
}

const std::vector<std::string_view>& KnownDefects() {
  static const std::vector<std::string_view> known = {
      kDefectAckWithoutMax,      kDefectBufferDropsNew,       kDefectCascadeSkipsUuidReferences,
      kDefectChangelogAckBeforeCommit, kDefectChangelogMergedBeforeApplied,
      kDefectChangelogReceiveWithoutSync, kDefectChangelogRecordVersionGuard,
      kDefectDigestUsesLocalIds, kDefectHlcIgnoresWallClock,  kDefectLeaderNoFencing,
      kDefectLeaderReusesTerm,   kDefectLwwGuardPruned,       kDefectWatermarkSkipsParked};
  return known;
}

bool IsKnownDefect(std::string_view name) {
  for (std::string_view known : KnownDefects()) {
    if (known == name) return true;
  }
  return false;
}

}  // namespace syncsim::core
