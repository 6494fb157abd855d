// Range-based set reconciliation of change ids (the change-log engine's
// connect protocol). Two devices find which change ids one holds and the
// other lacks by comparing fingerprints (count and XOR of id hashes) of id
// ranges, recursively splitting a range whose fingerprints differ, until a
// range is small enough to list its ids; then each side pushes what the
// other lacks. Only the ranges that differ are ever split, so devices that
// share most of their log exchange a few fingerprints, not the log.
//
// This file is the pure step: given what a peer said about some ranges and
// a way to read this device's ids in a range, it says what to answer and
// which ids to push. It knows nothing of messages or databases.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace syncsim::core::changelog {

// A range with at most this many ids of the answering side is listed rather
// than split.
inline constexpr size_t kIdListMax = 16;
// A range whose fingerprints differ is split into this many.
inline constexpr size_t kSplitFanout = 4;
// Splits at most this deep; past it a range is listed whatever its size
// (a bound on the rounds, which 4^32 ids would not reach anyway).
inline constexpr uint32_t kReconcileDepthMax = 32;

// What one side says about the ids in [lo, hi) (hi exclusive).
struct RangeItem {
  enum class Kind {
    kFingerprint,  // count and digest of the sender's ids in the range
    kIds,          // the sender's ids in the range, all of them
    kMatch,        // the root range: the sender's fingerprint equals the one received
  };
  Kind kind = Kind::kFingerprint;
  std::string lo;
  std::string hi;
  uint32_t depth = 0;
  uint64_t count = 0;
  uint64_t digest = 0;
  std::vector<std::string> ids;  // kIds: sorted
  // kIds: an answer to the receiver's own list, which expects no list back.
  bool final = false;

  bool operator==(const RangeItem&) const = default;
};

struct Fingerprint {
  uint64_t count = 0;
  uint64_t digest = 0;
  bool operator==(const Fingerprint&) const = default;
};

// The fingerprint of a set of ids: their count and the XOR of their 64-bit
// FNV-1a hashes (order-independent).
Fingerprint FingerprintOf(const std::vector<std::string>& ids);

// The opening item of a reconciliation: the fingerprint of every id held.
RangeItem RootItem(const std::vector<std::string>& all_ids);
bool IsRoot(const RangeItem& item);

// This device's ids in [lo, hi), sorted.
using IdsInRange = std::function<std::vector<std::string>(const std::string& lo, const std::string& hi)>;

struct ReconcileStep {
  std::vector<RangeItem> reply;   // to send back (nothing: no reply)
  std::vector<std::string> push;  // ids the peer lacks, sorted, unique
  bool root_matched = false;      // the peer's root fingerprint equals ours
};

// Answers `incoming` (what the peer said about some ranges).
ReconcileStep Reconcile(const std::vector<RangeItem>& incoming, const IdsInRange& ids_in_range);

}  // namespace syncsim::core::changelog
