// LeaderEngine (`sync.engine: "leader"`): one leader per library appends
// every write to a sequence-ordered log, and every device applies the log
// in sequence order (docs/engines/leader.md). The creator campaigns first;
// a leader holds a lease renewed by heartbeats (sync.leader_heartbeat_ms)
// and steps down when a majority of the library's members has not answered
// within sync.leader_lease_ms; a follower that hears no leader for a lease
// campaigns for the next term, and a majority vote elects it. An entry is
// committed, and the write it carries acknowledged, once a majority holds
// it; a new leader holds every committed entry (voters refuse a candidate
// whose log is behind theirs), so no acknowledged write is lost on
// failover. A follower rejects appends of an older term (fencing).
//
// Local writes apply at once (so workloads see them), go to the outbox and
// are forwarded to the leader until a committed log entry carries them.
// Versions: a committed entry at seq S applies with the HLC (S, 0, origin)
// and a local write with (applied seq, n, device), n > 0, so that every
// committed entry overrides whatever was applied before it, and the final
// state of every device is the log replayed in order. The SharedWriteObserver
// is told each committed shared change with that version.
//
// Code by concern: leader_engine.cpp (start, local writes, reports),
// leader_election.cpp (terms, votes, lease), leader_replication.cpp
// (appends, commit, forwarding), leader_apply.cpp (applying the log).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/engine.h"
#include "core/local_write_engine.h"
#include "core/leader/leader_log.h"
#include "core/leader/leader_messages.h"

namespace syncsim::core::leader {

enum class Role { kFollower, kCandidate, kLeader };

// What the leader knows of one connected follower (volatile).
struct FollowerProgress {
  int64_t next_seq = 1;        // the next entry to send
  int64_t match_seq = 0;       // entries known to match the leader's log
  int64_t commit_seq = 0;      // the follower's commit, as it last replied
  int64_t echo_ms = -1;        // the newest sent_ms it echoed: the lease runs from it
  int64_t resend_at_ms = 0;    // no reply by then: resend from match_seq + 1
  int64_t heartbeat_at_ms = 0; // an (empty) append is due then
  int64_t backoff_ms = 0;      // between unanswered heartbeats
};

class LeaderEngine final : public LocalWriteEngine {
 public:
  explicit LeaderEngine(const EngineSetup& setup);

  void Start() override;
  LibraryDb& library() override { return library_; }
  Uuid NewUuid() override { return ids_.NewUuid(); }
  void OnPeerConnected(const Uuid& peer) override;
  void OnPeerDisconnected(const Uuid& peer) override;
  Status OnMessage(const Uuid& from, std::string_view payload) override;
  void Tick() override;
  bool HasPendingWork() const override;
  bool HasUnflushedWrites() const override;
  std::vector<PeerStatus> PeerStatuses() const override;
  const EngineCounters& counters() const override { return counters_; }
  const ApplyCounters& apply_counters() const override { return applier_.counters(); }
  std::vector<Uuid> AckingPeers() override;
  // Own shared changes not yet in the committed log (the same for every peer).
  int64_t UnackedSharedChanges(const Uuid& peer) override;
  std::optional<std::string> NewestChangeHlc() override;
  void SetSharedWriteObserver(SharedWriteObserver observer) override { shared_write_observer_ = std::move(observer); }
  void SetEventObserver(EventObserver observer) override { event_observer_ = std::move(observer); }

  // For tests and diagnosis.
  Role role() const { return role_; }
  int64_t term() const { return term_; }
  const Uuid& leader() const { return leader_; }
  int64_t commit_seq() const { return commit_seq_; }
  int64_t applied_seq() const { return applied_seq_; }
  int64_t last_seq() const { return last_seq_; }
  LeaderLog& log() { return log_; }

 private:
  // --- leader_engine.cpp ---
  Status WriteLocal(const LocalWrite& write) override;
  // Applies `record` at a fresh local version and puts it in the outbox.
  void ApplyLocalWrite(WireRecord record, bool shared);
  // Deletes (as own writes) the shared records that require a record
  // deleted since the last call, transitively. Returns true if any.
  bool DeleteRequirers();
  std::string NextLocalVersion();
  void NoteVersion(const std::string& version);
  bool IsShared(const std::string& model) const;
  bool PeerHasPendingWork(const Uuid& peer) const;
  void Emit(std::string_view kind, int64_t term, int64_t seq, const std::string& change);
  void Send(const Uuid& peer, const LeaderMessage& message);
  Status Validate(const Uuid& from, const LeaderMessage& message) const;
  Status ValidateChange(const LogChange& change) const;

  // --- leader_election.cpp ---
  void TickElection(int64_t now_ms);
  // Asks the members whether they would vote for this device in the next
  // term; a majority of yes starts the Campaign.
  void StartPreVote(int64_t now_ms);
  void Campaign(int64_t now_ms);
  void ResendVoteRequests(int64_t now_ms);
  void BecomeLeader(int64_t now_ms);
  void StepDown(int64_t now_ms);
  // A higher term seen: adopt it as a follower with no leader known.
  void AdoptTerm(int64_t term, int64_t now_ms);
  void HandleVoteRequest(const Uuid& from, const VoteRequest& request);
  void HandleVoteReply(const Uuid& from, const VoteReply& reply);
  int64_t ElectionDelayMs() const;
  size_t Majority() const;
  bool LeaseValid(int64_t now_ms) const;
  bool IsMember(const Uuid& device) const;
  void PersistElection();

  // --- leader_replication.cpp ---
  void TickLeader(int64_t now_ms);
  void SendAppends(const Uuid& peer, FollowerProgress& progress, int64_t now_ms);
  void SendAppend(const Uuid& peer, FollowerProgress& progress, int64_t now_ms, size_t entries_max);
  void HandleAppend(const Uuid& from, const AppendRequest& request);
  // Stores the entries of a consistent append; false if it would remove a
  // committed entry (only a defect's leaders ask for that).
  bool StoreEntries(const AppendRequest& request);
  void HandleAppendReply(const Uuid& from, const AppendReply& reply);
  void HandleForward(const Uuid& from, const ForwardRequest& request);
  // Leader: appends those of `changes` (one origin's, in order) that follow
  // the origin's last logged change.
  void AppendChanges(const std::vector<LogChange>& changes);
  void AppendOwnOutbox();
  void AppendEntry(const LogChange& change);
  void UpdateCommit();
  void TickForward(int64_t now_ms);

  // --- leader_apply.cpp ---
  void AdvanceCommit(int64_t seq);
  // Applies committed entries not applied yet (at most a bounded number).
  void ApplyCommitted();
  void ApplyEntry(const LogEntry& entry);

  LibraryDb& library_;
  const Clock& clock_;
  IdSource& ids_;
  Transport& transport_;
  const Uuid device_;
  const Uuid library_id_;
  const std::string device_name_;
  const SyncSettings& settings_;
  const std::vector<Uuid> members_;
  RecordApplier applier_;
  LeaderLog log_;
  EngineCounters counters_;
  SharedWriteObserver shared_write_observer_;
  EventObserver event_observer_;

  // Durable (mirrored from the database).
  int64_t term_ = 0;
  Uuid voted_for_;
  int64_t commit_seq_ = 0;
  int64_t applied_seq_ = 0;
  int64_t last_seq_ = 0;
  int64_t origin_seq_ = 0;  // the last own write's
  std::string hlc_;         // the newest version applied or written here
  int64_t outbox_size_ = 0;

  // Volatile.
  Role role_ = Role::kFollower;
  Uuid leader_;  // nil: none known
  int64_t election_deadline_ms_ = 0;
  std::optional<int64_t> heard_leader_ms_;  // last append from a current leader
  int64_t campaign_start_ms_ = 0;
  std::set<Uuid> votes_;
  bool pre_voting_ = false;
  int64_t vote_resend_at_ms_ = 0;  // (pre-)vote requests unanswered by then go again
  std::set<Uuid> pre_votes_;
  std::map<Uuid, bool> peers_;  // connected peers -> heard from on this connection
  std::map<Uuid, FollowerProgress> progress_;  // leader: connected followers
  int64_t leader_commit_known_ = 0;  // follower: the leader's commit, as last told
  int64_t forwarded_up_to_ = 0;      // follower: outbox changes sent since the last resend
  int64_t forward_retry_at_ms_ = 0;
  int64_t appended_own_ = 0;         // leader: own changes already in the log
};

}  // namespace syncsim::core::leader
