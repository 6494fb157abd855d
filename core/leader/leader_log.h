// LeaderLog: the leader engine's durable state in the device's library
// database, beside the entity tables: the sequence-ordered log
// (leader_log: one row per seq, with the term that assigned it), the
// outbox of this device's own writes not yet acknowledged by a committed
// log entry (leader_outbox), and the election and progress numbers (term,
// vote, commit and applied seq, the last origin seq) as sync_state keys.
// Everything the engine needs after a crash is here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/leader/leader_messages.h"
#include "core/library_db.h"

namespace syncsim::core::leader {

// The sync_state keys of the numbers.
inline constexpr const char* kOriginSeqKey = "leader_origin_seq";
inline constexpr const char* kCommitSeqKey = "leader_commit_seq";
inline constexpr const char* kAppliedSeqKey = "leader_applied_seq";
inline constexpr const char* kTermKey = "leader_term";
inline constexpr const char* kVotedForKey = "leader_voted_for";

class LeaderLog {
 public:
  // `library` must outlive the log. Creates the tables when missing.
  explicit LeaderLog(LibraryDb* library);

  // --- The log. ---
  int64_t LastSeq();
  // The term of entry `seq`; 0 for seq 0 or an entry not held.
  int64_t TermAt(int64_t seq);
  std::optional<LogEntry> At(int64_t seq);
  // Entries from `from_seq` on, in order, at most `max`.
  std::vector<LogEntry> Read(int64_t from_seq, size_t max);
  // REQUIRES: entry.seq == LastSeq() + 1.
  void Append(const LogEntry& entry);
  // Deletes every entry from `seq` on.
  void TruncateFrom(int64_t seq);
  // The largest origin_seq of `origin`'s changes in the log (0: none).
  int64_t MaxOriginSeq(const Uuid& origin);

  // --- The outbox (this device's own writes). ---
  void OutboxAdd(const LogChange& change);
  // Changes with origin_seq above `after`, oldest first, at most `max`.
  std::vector<LogChange> OutboxRead(int64_t after, size_t max);
  // Removes every change up to `origin_seq` (they are in the committed log).
  void OutboxRemoveUpTo(int64_t origin_seq);
  int64_t OutboxSize();
  // Outbox changes of shared models (registry order does not matter).
  int64_t OutboxSharedSize();
  int64_t OutboxFirst();  // smallest origin_seq held; 0 when empty
  // True when the outbox holds a write of the record.
  bool OutboxHolds(const std::string& model, const Uuid& uuid);

  // --- Numbers kept in sync_state. ---
  int64_t GetNumber(const std::string& key);
  void SetNumber(const std::string& key, int64_t value);

 private:
  LibraryDb& library_;
};

}  // namespace syncsim::core::leader
