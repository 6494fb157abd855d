// LeaderEngine, election: terms, votes, the lease and stepping down.
#include <algorithm>
#include <functional>

#include "core/leader/leader_engine.h"

namespace syncsim::core::leader {

size_t LeaderEngine::Majority() const { return members_.size() / 2 + 1; }

bool LeaderEngine::IsMember(const Uuid& device) const {
  return std::find(members_.begin(), members_.end(), device) != members_.end();
}

int64_t LeaderEngine::ElectionDelayMs() const {
  // A lease, a margin for clock drift, and a stagger by rank so that the
  // members rarely campaign at once (the creator first).
  const auto rank = static_cast<int64_t>(std::find(members_.begin(), members_.end(), device_) - members_.begin());
  return settings_.leader_lease_ms + settings_.leader_lease_ms / 16 + rank * (settings_.leader_lease_ms / 8);
}

bool LeaderEngine::LeaseValid(int64_t now_ms) const {
  // The lease runs from the sending time of the newest append that a
  // majority (this leader included) has answered: no follower can have
  // stopped hearing from the leader before it.
  std::vector<int64_t> echoes{now_ms};
  for (const Uuid& member : members_) {
    if (member == device_) continue;
    auto found = progress_.find(member);
    echoes.push_back(found != progress_.end() ? found->second.echo_ms : -1);
  }
  std::sort(echoes.begin(), echoes.end(), std::greater<>());
  const int64_t renewed_ms = std::max(echoes[Majority() - 1], campaign_start_ms_);
  return renewed_ms >= 0 && now_ms < renewed_ms + settings_.leader_lease_ms;
}

void LeaderEngine::PersistElection() {
  log_.SetNumber(kTermKey, term_);
  library_.SetState(kVotedForKey, voted_for_.is_nil() ? std::string() : voted_for_.ToString());
}

void LeaderEngine::TickElection(int64_t now_ms) {
  if (role_ == Role::kLeader) {
    // The defect leader_no_fencing: the leader keeps its role (and keeps
    // assigning sequence numbers) after its lease ran out.
    if (!LeaseValid(now_ms) && !settings_.HasDefect(kDefectLeaderNoFencing)) StepDown(now_ms);
    return;
  }
  if (now_ms >= election_deadline_ms_) {
    StartPreVote(now_ms);
  } else if ((pre_voting_ || role_ == Role::kCandidate) && now_ms >= vote_resend_at_ms_) {
    ResendVoteRequests(now_ms);
  }
}

void LeaderEngine::ResendVoteRequests(int64_t now_ms) {
  // A lost request or answer would otherwise wait for the next election.
  const bool pre = role_ != Role::kCandidate;
  const std::set<Uuid>& answered = pre ? pre_votes_ : votes_;
  const VoteRequest request{library_id_, pre ? term_ + 1 : term_, last_seq_, log_.TermAt(last_seq_), pre};
  for (const auto& [peer, heard] : peers_) {
    if (IsMember(peer) && answered.count(peer) == 0) {
      ++counters_.resends;
      Send(peer, request);
    }
  }
  vote_resend_at_ms_ = now_ms + settings_.retry_timeout_ms;
}

void LeaderEngine::StartPreVote(int64_t now_ms) {
  pre_voting_ = true;
  pre_votes_ = {device_};
  election_deadline_ms_ = now_ms + ElectionDelayMs();
  vote_resend_at_ms_ = now_ms + settings_.retry_timeout_ms;
  if (pre_votes_.size() >= Majority()) {
    Campaign(now_ms);
    return;
  }
  const VoteRequest request{library_id_, term_ + 1, last_seq_, log_.TermAt(last_seq_), /*pre_vote=*/true};
  for (const auto& [peer, answered] : peers_) {
    if (IsMember(peer)) Send(peer, request);
  }
}

void LeaderEngine::Campaign(int64_t now_ms) {
  pre_voting_ = false;
  ++term_;
  role_ = Role::kCandidate;
  leader_ = Uuid();
  voted_for_ = device_;
  PersistElection();
  votes_ = {device_};
  campaign_start_ms_ = now_ms;
  election_deadline_ms_ = now_ms + ElectionDelayMs();
  vote_resend_at_ms_ = now_ms + settings_.retry_timeout_ms;
  Emit("campaign", term_, 0, "");
  if (votes_.size() >= Majority()) {
    BecomeLeader(now_ms);
    return;
  }
  const VoteRequest request{library_id_, term_, last_seq_, log_.TermAt(last_seq_)};
  for (const auto& [peer, answered] : peers_) {
    if (IsMember(peer)) Send(peer, request);
  }
}

void LeaderEngine::BecomeLeader(int64_t now_ms) {
  role_ = Role::kLeader;
  leader_ = device_;
  progress_.clear();
  for (const auto& [peer, answered] : peers_) progress_[peer] = FollowerProgress{.next_seq = last_seq_ + 1};
  Emit("elected", term_, 0, "");
  // An entry of its own term commits every entry before it.
  SqliteDb::Transaction transaction(library_.sql());
  AppendEntry(LogChange{device_, 0, "", Uuid(), nlohmann::json::object(), false});
  appended_own_ = log_.MaxOriginSeq(device_);
  AppendOwnOutbox();
  transaction.Commit();
  UpdateCommit();
  TickLeader(now_ms);
}

void LeaderEngine::StepDown(int64_t now_ms) {
  Emit("stepped_down", term_, 0, "");
  role_ = Role::kFollower;
  leader_ = Uuid();
  progress_.clear();
  forwarded_up_to_ = 0;
  election_deadline_ms_ = now_ms + ElectionDelayMs();
}

void LeaderEngine::AdoptTerm(int64_t term, int64_t now_ms) {
  const bool was_leading = role_ == Role::kLeader;
  term_ = term;
  voted_for_ = Uuid();
  PersistElection();
  if (was_leading) {
    StepDown(now_ms);
  } else {
    role_ = Role::kFollower;
    leader_ = Uuid();
  }
  votes_.clear();
}

void LeaderEngine::HandleVoteRequest(const Uuid& from, const VoteRequest& request) {
  const int64_t now_ms = clock_.monotonic_ms();
  // A member that hears from a live leader ignores candidates, so that a
  // device coming back from a partition cannot unseat it.
  const bool leader_alive = role_ == Role::kLeader ? LeaseValid(now_ms)
                                                   : heard_leader_ms_.has_value() && !leader_.is_nil() &&
                                                         now_ms - *heard_leader_ms_ < settings_.leader_lease_ms;
  const int64_t my_last_term = log_.TermAt(last_seq_);
  const bool up_to_date =
      request.last_term > my_last_term || (request.last_term == my_last_term && request.last_seq >= last_seq_);
  if (request.pre_vote) {
    const bool would_grant = !leader_alive && request.term > term_ && up_to_date;
    Send(from, VoteReply{library_id_, request.term, would_grant, /*pre_vote=*/true});
    return;
  }
  if (leader_alive) {
    Send(from, VoteReply{library_id_, term_, false});
    return;
  }
  if (request.term > term_) AdoptTerm(request.term, now_ms);
  const bool granted =
      request.term == term_ && (voted_for_.is_nil() || voted_for_ == from) && up_to_date && role_ != Role::kLeader;
  if (granted) {
    voted_for_ = from;
    PersistElection();
    election_deadline_ms_ = now_ms + ElectionDelayMs();
  }
  Send(from, VoteReply{library_id_, term_, granted});
}

void LeaderEngine::HandleVoteReply(const Uuid& from, const VoteReply& reply) {
  const int64_t now_ms = clock_.monotonic_ms();
  if (reply.pre_vote) {
    if (!pre_voting_ || role_ == Role::kLeader || reply.term != term_ + 1 || !reply.granted) return;
    pre_votes_.insert(from);
    if (pre_votes_.size() >= Majority()) Campaign(now_ms);
    return;
  }
  if (reply.term > term_) {
    AdoptTerm(reply.term, now_ms);
    election_deadline_ms_ = now_ms + ElectionDelayMs();
    return;
  }
  if (role_ != Role::kCandidate || reply.term != term_ || !reply.granted) return;
  votes_.insert(from);
  if (votes_.size() >= Majority()) BecomeLeader(now_ms);
}

}  // namespace syncsim::core::leader
