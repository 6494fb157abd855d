// SyncSettings: the knobs of one device's sync core that a scenario sets
// (DESIGN.md 3.5 to 3.7): the missing-dependency policy, batching, and the
// named defect switches that re-create known bugs of real sync engines.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace syncsim::core {

// What a receiver does with a record whose foreign-key target it lacks.
enum class MissingDependencyPolicy {
  kPark,  // keep it, apply when the target arrives (correct)
  kDrop,  // the "filter" regression: lose it, advance the watermark anyway
  kNull,  // the "set to NULL" regression: apply unlinked, never repair
};

std::string_view ToString(MissingDependencyPolicy policy);
std::optional<MissingDependencyPolicy> ParseMissingDependencyPolicy(std::string_view text);

// How a device merges concurrent changes of one shared record.
enum class SharedMerge {
  // One version per record: the change with the greatest HLC wins whole,
  // and a newer write after a delete brings the record back.
  kRecord,
  // One version per field: each field keeps the value of its newest write,
  // so concurrent edits of different fields both survive; a delete is
  // final (a tombstone absorbs every write of the record).
  kField,
};

std::string_view ToString(SharedMerge merge);
std::optional<SharedMerge> ParseSharedMerge(std::string_view text);

// The defect switches of DESIGN.md 3.7. Each is off by default.
inline constexpr std::string_view kDefectWatermarkSkipsParked = "watermark_skips_parked";
inline constexpr std::string_view kDefectLwwGuardPruned = "lww_guard_pruned";
inline constexpr std::string_view kDefectAckWithoutMax = "ack_without_max";
inline constexpr std::string_view kDefectBufferDropsNew = "buffer_drops_new";
inline constexpr std::string_view kDefectDigestUsesLocalIds = "digest_uses_local_ids";
// A delete ignores uuid references: metadata naming a deleted entry (and its
// tag applications) stays on every device, and arrives as if still valid.
inline constexpr std::string_view kDefectCascadeSkipsUuidReferences = "cascade_skips_uuid_references";

// The change-log engine (`sync.engine: changelog`, docs/engines/changelog.md):
// a replica marks received changes merged in one step and applies them in a
// later one, so a crash between leaves them marked and never applied.
inline constexpr std::string_view kDefectChangelogMergedBeforeApplied = "changelog_merged_before_applied";
// The change-log engine merges shared changes by a whole-record version
// instead of per field: a concurrent edit of another field is lost.
inline constexpr std::string_view kDefectChangelogRecordVersionGuard = "changelog_record_version_guard";
// The change-log engine acks a received batch before its transaction
// commits: a crash inside the transaction (at an I/O point, or a storage
// error) loses changes the sender already counts as delivered.
inline constexpr std::string_view kDefectChangelogAckBeforeCommit = "changelog_ack_before_commit";
// The change-log engine receives batches with PRAGMA synchronous = OFF (to
// go faster) and acks them once committed: committed is not durable, and
// only a power loss before the next synced commit shows it.
inline constexpr std::string_view kDefectChangelogReceiveWithoutSync = "changelog_receive_without_sync";

// The HLC's send rule never takes the wall clock (only the counter moves):
// HLCs fall behind physical time, which the HLC paper's l >= pt forbids.
inline constexpr std::string_view kDefectHlcIgnoresWallClock = "hlc_ignores_wall_clock";

// The leader engine (core/leader/): a leader keeps its role and goes on
// assigning sequence numbers after its lease ran out, and ignores a newer
// term in its followers' replies (no fencing): two leaders after a
// partition.
inline constexpr std::string_view kDefectLeaderNoFencing = "leader_no_fencing";
// The leader engine: the term and the vote live in memory only, so a
// restarted device counts terms from 0 and a new leader reuses a term.
inline constexpr std::string_view kDefectLeaderReusesTerm = "leader_reuses_term";

// Every defect switch above, sorted by name: the one list that the loader's
// messages and checks read.
const std::vector<std::string_view>& KnownDefects();
// True when `name` is one of them.
bool IsKnownDefect(std::string_view name);

// The engine a scenario runs when `sync.engine` names none.
inline constexpr std::string_view kDefaultEngineName = "leaderless";

struct SyncSettings {
  // The engine that syncs, by its name in core/engine_registry.h.
  std::string engine = std::string(kDefaultEngineName);
  MissingDependencyPolicy missing_dependency = MissingDependencyPolicy::kPark;
  // `sync.shared_merge`: whole records or fields (the leaderless engine).
  SharedMerge shared_merge = SharedMerge::kRecord;
  // Device-owned records are flushed to peers when this many are pending...
  uint32_t batch_size = 100;
  // ...or when the oldest pending one has waited this long (virtual time).
  int64_t flush_interval_ms = 50;
  // Shared changes are batched the same way (they are small).
  uint32_t shared_batch_size = 100;
  // Records per page of a backfill or catch-up answer (StateResponse).
  uint32_t page_size = 200;
  // Realtime messages from one peer held while catching up from it; past
  // this the buffer is discarded and another catch-up round runs instead.
  uint32_t buffer_max = 256;
  // An unacked batch or unanswered request is sent again after the peer's
  // retry timeout, then after twice as long each time, at most
  // retry_backoff_ms_max apart (or the timeout, when longer), at most
  // retry_attempts_max sends in all. The timeout (RoundTripEstimator) is
  // retry_timeout_ms until a round trip to the peer has been measured, then
  // the measured round trip plus four times its variation, within
  // [retry_timeout_ms_min, retry_timeout_ms_max]; each request given up
  // doubles the backoff ceiling, up to retry_timeout_ms_max, until the
  // next measurement.
  // Requests: after retry_attempts_max sends, an exchange round starts
  // over and a page request is asked again under a new id. Realtime batches are resent for as long as the connection lasts,
  // at most unacked_batches_max of them per peer: past it the oldest is
  // abandoned and the later batches ask the peer to catch up.
  int64_t retry_timeout_ms = 400;
  int64_t retry_timeout_ms_min = 50;
  int64_t retry_timeout_ms_max = 3'600'000;
  int64_t retry_backoff_ms_max = 1'000;
  uint32_t retry_attempts_max = 12;
  uint32_t unacked_batches_max = 100'000;
  // Watermark-exchange rounds of one catch-up, until the session is Ready (a
  // buffer overflow asks for one more round; a writer faster than paging can
  // need many). Past it the session fails visibly rather than go Ready with
  // a gap.
  uint32_t catch_up_rounds_max = 1'000;
  // Realtime batches from one peer remembered while an earlier one is
  // missing (their watermark advances wait for it).
  uint32_t out_of_order_batches_max = 1'024;
  // Upper bound on records resolved in one cascade of parked dependencies
  // (a chain of parked records applied because their target arrived).
  uint32_t resolution_cascade_max = 1'000'000;
  // The leader engine: a leader sends a heartbeat (an empty append) this
  // often, and holds its lease, and followers wait for it, this long.
  int64_t leader_heartbeat_ms = 30'000;
  int64_t leader_lease_ms = 60'000;  // > leader_heartbeat_ms
  std::set<std::string, std::less<>> defects;

  bool HasDefect(std::string_view name) const { return defects.count(name) > 0; }
};

}  // namespace syncsim::core
