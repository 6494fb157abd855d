// LeaderEngine, replication: the leader's appends (heartbeats when empty)
// and their replies, commit by majority, and the writes followers forward.
#include <algorithm>
#include <functional>

#include "core/leader/leader_engine.h"

namespace syncsim::core::leader {
namespace {

// Appends sent to one follower per tick, and own outbox changes appended
// per tick: bounds on the work of one call.
constexpr size_t kAppendsPerTickMax = 8;
constexpr size_t kOwnChangesPerTickMax = 2'000;
// Forward messages per tick.
constexpr size_t kForwardsPerTickMax = 8;

}  // namespace

void LeaderEngine::TickLeader(int64_t now_ms) {
  if (appended_own_ < origin_seq_) {
    SqliteDb::Transaction transaction(library_.sql());
    AppendOwnOutbox();
    transaction.Commit();
    UpdateCommit();
  }
  for (auto& [peer, progress] : progress_) SendAppends(peer, progress, now_ms);
}

void LeaderEngine::SendAppends(const Uuid& peer, FollowerProgress& progress, int64_t now_ms) {
  if (!IsMember(peer)) return;
  if (progress.match_seq < last_seq_ && now_ms >= progress.resend_at_ms && progress.resend_at_ms > 0) {
    // Unanswered: send again from what is known to match.
    progress.next_seq = progress.match_seq + 1;
    ++counters_.resends;
  }
  const size_t entries_max = std::max<size_t>(1, settings_.page_size);
  for (size_t sent = 0; sent < kAppendsPerTickMax && progress.next_seq <= last_seq_; ++sent) {
    SendAppend(peer, progress, now_ms, entries_max);
  }
  const bool commit_unknown = progress.commit_seq < commit_seq_ && progress.match_seq >= commit_seq_;
  if (now_ms >= progress.heartbeat_at_ms || (commit_unknown && now_ms >= progress.resend_at_ms)) {
    SendAppend(peer, progress, now_ms, 0);
  }
}

void LeaderEngine::SendAppend(const Uuid& peer, FollowerProgress& progress, int64_t now_ms, size_t entries_max) {
  AppendRequest request;
  request.library = library_id_;
  request.term = term_;
  request.prev_seq = std::min(progress.next_seq - 1, last_seq_);
  request.prev_term = log_.TermAt(request.prev_seq);
  request.commit_seq = commit_seq_;
  request.sent_ms = now_ms;
  if (entries_max > 0) request.entries = log_.Read(request.prev_seq + 1, entries_max);
  progress.next_seq = request.prev_seq + 1 + static_cast<int64_t>(request.entries.size());
  counters_.records_sent += request.entries.size();
  // An unanswered append is sent again after retry_timeout_ms, backing off
  // to retry_backoff_ms_max; an answered one makes the next heartbeat due
  // leader_heartbeat_ms later (HandleAppendReply).
  progress.backoff_ms = progress.backoff_ms == 0 ? settings_.retry_timeout_ms
                                                 : std::min(progress.backoff_ms * 2, settings_.retry_backoff_ms_max);
  progress.resend_at_ms = now_ms + progress.backoff_ms;
  progress.heartbeat_at_ms = std::min(now_ms + settings_.leader_heartbeat_ms, progress.resend_at_ms);
  Send(peer, request);
}

void LeaderEngine::HandleAppend(const Uuid& from, const AppendRequest& request) {
  const int64_t now_ms = clock_.monotonic_ms();
  AppendReply reply{library_id_, term_, false, last_seq_, commit_seq_, request.sent_ms};
  // Fencing: an append of an older term comes from a deposed leader.
  if (request.term < term_) {
    ++counters_.messages_rejected;
    Send(from, reply);
    return;
  }
  if (request.term > term_) AdoptTerm(request.term, now_ms);
  // Equal terms, two leaders: only a defect's elections get here.
  if (role_ == Role::kLeader) StepDown(now_ms);
  role_ = Role::kFollower;
  if (leader_ != from) forwarded_up_to_ = 0;
  leader_ = from;
  heard_leader_ms_ = now_ms;
  pre_voting_ = false;
  election_deadline_ms_ = now_ms + ElectionDelayMs();
  leader_commit_known_ = std::max(leader_commit_known_, request.commit_seq);
  reply.term = term_;
  if (request.prev_seq > last_seq_) {
    reply.match_seq = last_seq_;
  } else if (log_.TermAt(request.prev_seq) != request.prev_term) {
    reply.match_seq = std::min(commit_seq_, request.prev_seq - 1);
  } else {
    SqliteDb::Transaction transaction(library_.sql());
    reply.success = StoreEntries(request);
    transaction.Commit();
    const int64_t match = request.prev_seq + static_cast<int64_t>(request.entries.size());
    reply.match_seq = reply.success ? match : commit_seq_;
    if (reply.success && std::min(request.commit_seq, match) > commit_seq_) {
      AdvanceCommit(std::min(request.commit_seq, match));
    }
  }
  reply.commit_seq = commit_seq_;
  Send(from, reply);
}

bool LeaderEngine::StoreEntries(const AppendRequest& request) {
  for (const LogEntry& entry : request.entries) {
    if (entry.seq <= last_seq_) {
      if (log_.TermAt(entry.seq) == entry.term) continue;  // held already
      if (entry.seq <= commit_seq_) return false;
      log_.TruncateFrom(entry.seq);
      last_seq_ = entry.seq - 1;
    }
    log_.Append(entry);
    last_seq_ = entry.seq;
  }
  return true;
}

void LeaderEngine::HandleAppendReply(const Uuid& from, const AppendReply& reply) {
  const int64_t now_ms = clock_.monotonic_ms();
  if (reply.term > term_) {
    // The defect leader_no_fencing: a leader told of a newer term carries on.
    if (role_ == Role::kLeader && settings_.HasDefect(kDefectLeaderNoFencing)) return;
    AdoptTerm(reply.term, now_ms);
    return;
  }
  if (role_ != Role::kLeader || reply.term != term_) return;
  auto found = progress_.find(from);
  if (found == progress_.end()) return;
  FollowerProgress& progress = found->second;
  ++counters_.acks_received;
  progress.echo_ms = std::max(progress.echo_ms, reply.echo_sent_ms);
  progress.commit_seq = std::max(progress.commit_seq, reply.commit_seq);
  progress.backoff_ms = 0;
  progress.heartbeat_at_ms = now_ms + settings_.leader_heartbeat_ms;
  if (reply.success) {
    progress.match_seq = std::max(progress.match_seq, std::min(reply.match_seq, last_seq_));
    progress.next_seq = std::max(progress.next_seq, progress.match_seq + 1);
    progress.resend_at_ms = progress.match_seq < last_seq_ ? now_ms + settings_.retry_timeout_ms : 0;
  } else {
    progress.next_seq = std::max(progress.match_seq + 1, std::min(progress.next_seq - 1, reply.match_seq + 1));
    progress.resend_at_ms = 0;
  }
  UpdateCommit();
}

void LeaderEngine::UpdateCommit() {
  if (role_ != Role::kLeader) return;
  std::vector<int64_t> matches{last_seq_};
  for (const Uuid& member : members_) {
    if (member == device_) continue;
    auto found = progress_.find(member);
    matches.push_back(found != progress_.end() ? found->second.match_seq : 0);
  }
  std::sort(matches.begin(), matches.end(), std::greater<>());
  const int64_t majority_seq = matches[Majority() - 1];
  // Only an entry of the leader's own term commits by counting (the ones
  // before it commit with it).
  if (majority_seq <= commit_seq_ || log_.TermAt(majority_seq) != term_) return;
  for (const LogEntry& entry : log_.Read(commit_seq_ + 1, static_cast<size_t>(majority_seq - commit_seq_))) {
    if (!entry.change.is_noop()) Emit("acked", entry.term, entry.seq, entry.change.Id());
  }
  AdvanceCommit(majority_seq);
}

void LeaderEngine::HandleForward(const Uuid& from, const ForwardRequest& request) {
  if (role_ != Role::kLeader) {
    ++counters_.stale_answers;  // sent to a leader that is one no more: resent to the next
    return;
  }
  (void)from;  // Validate checked every change's origin is the sender
  SqliteDb::Transaction transaction(library_.sql());
  AppendChanges(request.changes);
  transaction.Commit();
  UpdateCommit();
}

void LeaderEngine::AppendChanges(const std::vector<LogChange>& changes) {
  if (changes.empty()) return;
  int64_t logged = log_.MaxOriginSeq(changes.front().origin);
  for (const LogChange& change : changes) {
    if (change.origin_seq != logged + 1) continue;  // logged already, or after a gap
    AppendEntry(change);
    logged = change.origin_seq;
  }
}

void LeaderEngine::AppendOwnOutbox() {
  std::vector<LogChange> own = log_.OutboxRead(appended_own_, kOwnChangesPerTickMax);
  AppendChanges(own);
  if (!own.empty()) appended_own_ = log_.MaxOriginSeq(device_);
}

void LeaderEngine::AppendEntry(const LogChange& change) {
  const LogEntry entry{last_seq_ + 1, term_, change};
  log_.Append(entry);
  last_seq_ = entry.seq;
  if (!change.is_noop()) Emit("assigned", term_, entry.seq, change.Id());
}

void LeaderEngine::TickForward(int64_t now_ms) {
  if (outbox_size_ == 0 || leader_.is_nil() || peers_.count(leader_) == 0) return;
  if (now_ms >= forward_retry_at_ms_) forwarded_up_to_ = 0;  // unacked too long: send all again
  for (size_t sent = 0; sent < kForwardsPerTickMax; ++sent) {
    std::vector<LogChange> changes =
        log_.OutboxRead(forwarded_up_to_, std::max<size_t>(1, settings_.batch_size));
    if (changes.empty()) break;
    if (forwarded_up_to_ == 0 && sent == 0 && forward_retry_at_ms_ > 0) ++counters_.resends;
    forwarded_up_to_ = changes.back().origin_seq;
    counters_.shared_changes_sent += changes.size();
    Send(leader_, ForwardRequest{library_id_, std::move(changes)});
    forward_retry_at_ms_ = now_ms + settings_.retry_timeout_ms;
  }
}

}  // namespace syncsim::core::leader
