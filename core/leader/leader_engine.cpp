#include "core/leader/leader_engine.h"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

#include "core/engine_registry.h"

namespace syncsim::core::leader {
namespace {

constexpr const char* kHlcStateKey = "hlc";

}  // namespace

LeaderEngine::LeaderEngine(const EngineSetup& setup)
    : library_(*setup.library),
      clock_(*setup.clock),
      ids_(*setup.ids),
      transport_(*setup.transport),
      device_(setup.device),
      library_id_(setup.library_id),
      device_name_(setup.device_name),
      settings_(*setup.settings),
      members_(setup.members.empty() ? std::vector<Uuid>{setup.device} : setup.members),
      applier_(setup.library, setup.settings),
      log_(setup.library) {}

void LeaderEngine::Start() {
  hlc_ = library_.GetState(kHlcStateKey).value_or("");
  origin_seq_ = log_.GetNumber(kOriginSeqKey);
  commit_seq_ = log_.GetNumber(kCommitSeqKey);
  applied_seq_ = log_.GetNumber(kAppliedSeqKey);
  last_seq_ = log_.LastSeq();
  outbox_size_ = log_.OutboxSize();
  // The defect leader_reuses_term: the term and the vote live in memory
  // only (as in the seed design's LeadershipManager), so a restarted device
  // counts terms from 0 again.
  if (!settings_.HasDefect(kDefectLeaderReusesTerm)) {
    term_ = log_.GetNumber(kTermKey);
    voted_for_ = Uuid::Parse(library_.GetState(kVotedForKey).value_or("")).value_or(Uuid());
  }
  const int64_t now_ms = clock_.monotonic_ms();
  // The creator campaigns at once on a new library; everyone else waits to
  // hear from a leader.
  election_deadline_ms_ = (term_ == 0 && members_.front() == device_) ? now_ms : now_ms + ElectionDelayMs();
  RegisterDevice(device_, device_name_, library_id_);
}

Status LeaderEngine::WriteLocal(const LocalWrite& write) {
  WireRecord record;
  if (Status status = PrepareLocalWrite(library_, write, &record); !status.ok()) return status;
  if (Status status = applier_.Validate(record); !status.ok()) return status;
  SqliteDb::Transaction transaction(library_.sql());
  ApplyLocalWrite(std::move(record), write.shared);
  DeleteRequirers();
  transaction.Commit();
  return Status::Ok();
}

std::string LeaderEngine::NextLocalVersion() {
  // Above every entry applied so far and every earlier local write, below
  // the next committed entry: (applied_seq, n, device) with n > 0.
  Hlc next{applied_seq_, 1, device_};
  if (std::optional<Hlc> last = Hlc::Parse(hlc_); last.has_value() && last->timestamp_ms == applied_seq_) {
    next.counter = last->counter + 1;
  }
  std::string version = next.ToString();
  NoteVersion(version);
  return version;
}

void LeaderEngine::NoteVersion(const std::string& version) {
  if (version <= hlc_) return;
  hlc_ = version;
  library_.SetState(kHlcStateKey, hlc_);
}

void LeaderEngine::ApplyLocalWrite(WireRecord record, bool shared) {
  record.version = NextLocalVersion();
  ApplyOutcome outcome = applier_.Apply(record, shared ? Uuid() : device_, /*local=*/true);
  assert(outcome == ApplyOutcome::kApplied);  // a local version is newer than anything held
  (void)outcome;
  LogChange change{device_, ++origin_seq_, record.model, record.uuid, record.data, record.deleted};
  log_.SetNumber(kOriginSeqKey, origin_seq_);
  log_.OutboxAdd(change);
  ++outbox_size_;
}

bool LeaderEngine::DeleteRequirers() {
  bool deleted_any = false;
  // Each round's deletes may find requirers of their own; the registry's
  // requirement graph bounds the depth, the records held bound the rounds.
  for (std::vector<RecordApplier::Requirer> requirers = applier_.TakeRequirersOfDeleted(); !requirers.empty();
       requirers = applier_.TakeRequirersOfDeleted()) {
    for (const RecordApplier::Requirer& requirer : requirers) {
      const ModelSpec* spec = library_.registry().Find(requirer.model);
      assert(spec != nullptr && spec->ownership == Ownership::kShared);
      if (!library_.LocalId(*spec, requirer.uuid).has_value()) continue;
      ApplyLocalWrite(WireRecord{requirer.model, requirer.uuid, nlohmann::json::object(), "0", /*deleted=*/true},
                      /*shared=*/true);
      ++counters_.cascade_deletes;
      deleted_any = true;
    }
  }
  return deleted_any;
}

bool LeaderEngine::IsShared(const std::string& model) const {
  const ModelSpec* spec = library_.registry().Find(model);
  return spec != nullptr && spec->ownership == Ownership::kShared;
}

void LeaderEngine::Emit(std::string_view kind, int64_t term, int64_t seq, const std::string& change) {
  if (event_observer_) event_observer_(EngineEvent{std::string(kind), term, seq, change});
}

void LeaderEngine::Send(const Uuid& peer, const LeaderMessage& message) {
  ++counters_.messages_sent;
  transport_.Send(peer, LeaderMessageKind(message), EncodeLeaderMessage(message));
}

void LeaderEngine::Tick() {
  const int64_t now_ms = clock_.monotonic_ms();
  TickElection(now_ms);
  if (role_ == Role::kLeader) {
    TickLeader(now_ms);
  } else {
    TickForward(now_ms);
  }
  if (applied_seq_ < commit_seq_) ApplyCommitted();
}

bool LeaderEngine::HasUnflushedWrites() const {
  if (role_ == Role::kLeader) return appended_own_ < origin_seq_ && outbox_size_ > 0;
  return outbox_size_ > 0 && forwarded_up_to_ < origin_seq_ && !leader_.is_nil() && peers_.count(leader_) > 0;
}

bool LeaderEngine::PeerHasPendingWork(const Uuid& peer) const {
  auto found = peers_.find(peer);
  if (found == peers_.end() || !found->second) return false;
  if (role_ == Role::kLeader) {
    auto progress = progress_.find(peer);
    return progress != progress_.end() &&
           (progress->second.match_seq < last_seq_ || progress->second.commit_seq < commit_seq_);
  }
  if (applied_seq_ < commit_seq_) return true;
  if (leader_ == peer) return outbox_size_ > 0 || commit_seq_ < leader_commit_known_;
  // No leader known: writes or entries wait for an election among those
  // that can be reached.
  return leader_.is_nil() && IsMember(peer) && (outbox_size_ > 0 || last_seq_ > commit_seq_);
}

bool LeaderEngine::HasPendingWork() const {
  if (HasUnflushedWrites()) return true;
  for (const auto& [peer, answered] : peers_) {
    if (PeerHasPendingWork(peer)) return true;
  }
  return false;
}

std::vector<PeerStatus> LeaderEngine::PeerStatuses() const {
  std::vector<PeerStatus> statuses;
  for (const auto& [peer, answered] : peers_) {
    const bool pending = PeerHasPendingWork(peer);
    PeerStatus status;
    status.peer = peer;
    status.state = pending ? PeerState::kCatchingUp : PeerState::kReady;
    status.pending_work = pending;
    if (auto progress = progress_.find(peer); progress != progress_.end()) {
      status.unacked = static_cast<size_t>(std::max<int64_t>(0, last_seq_ - progress->second.match_seq));
    }
    statuses.push_back(status);
  }
  return statuses;
}

std::vector<Uuid> LeaderEngine::AckingPeers() {
  std::vector<Uuid> peers;
  for (const Uuid& member : members_) {
    if (member != device_) peers.push_back(member);
  }
  std::sort(peers.begin(), peers.end());
  return peers;
}

int64_t LeaderEngine::UnackedSharedChanges(const Uuid& /*peer*/) { return log_.OutboxSharedSize(); }

std::optional<std::string> LeaderEngine::NewestChangeHlc() {
  if (applied_seq_ == 0) return std::nullopt;
  std::optional<LogEntry> entry = log_.At(applied_seq_);
  if (!entry.has_value()) return std::nullopt;
  return Hlc{entry->seq, 0, entry->change.origin}.ToString();
}

void LeaderEngine::OnPeerConnected(const Uuid& peer) {
  peers_[peer] = false;
  if (role_ == Role::kLeader) {
    progress_[peer] = FollowerProgress{.next_seq = last_seq_ + 1};  // heartbeat due at once
  } else if (role_ == Role::kCandidate && IsMember(peer)) {
    Send(peer, VoteRequest{library_id_, term_, last_seq_, log_.TermAt(last_seq_)});
  } else if (pre_voting_ && IsMember(peer)) {
    Send(peer, VoteRequest{library_id_, term_ + 1, last_seq_, log_.TermAt(last_seq_), /*pre_vote=*/true});
  }
  if (peer == leader_) forwarded_up_to_ = 0;
}

void LeaderEngine::OnPeerDisconnected(const Uuid& peer) {
  peers_.erase(peer);
  progress_.erase(peer);
  if (peer == leader_ && role_ != Role::kLeader) leader_ = Uuid();
}

Status LeaderEngine::OnMessage(const Uuid& from, std::string_view payload) {
  ++counters_.messages_received;
  LeaderMessage message;
  Status status = DecodeLeaderMessage(payload, &message);
  if (status.ok()) status = Validate(from, message);
  if (!status.ok()) {
    ++counters_.messages_rejected;
    return status;
  }
  if (auto found = peers_.find(from); found != peers_.end()) found->second = true;
  if (const auto* vote_request = std::get_if<VoteRequest>(&message)) {
    HandleVoteRequest(from, *vote_request);
  } else if (const auto* vote_reply = std::get_if<VoteReply>(&message)) {
    HandleVoteReply(from, *vote_reply);
  } else if (const auto* append = std::get_if<AppendRequest>(&message)) {
    HandleAppend(from, *append);
  } else if (const auto* append_reply = std::get_if<AppendReply>(&message)) {
    HandleAppendReply(from, *append_reply);
  } else {
    HandleForward(from, std::get<ForwardRequest>(message));
  }
  return Status::Ok();
}

Status LeaderEngine::ValidateChange(const LogChange& change) const {
  if (change.is_noop()) return Status::Ok();
  WireRecord record{change.model, change.uuid, change.data, "0", change.deleted};
  return applier_.Validate(record);
}

Status LeaderEngine::Validate(const Uuid& from, const LeaderMessage& message) const {
  const Uuid library = std::visit([](const auto& decoded) { return decoded.library; }, message);
  if (library != library_id_) return Status::InvalidArgument("library: message for another library");
  if (!IsMember(from)) return Status::InvalidArgument("from: not a member of the library");
  if (const auto* append = std::get_if<AppendRequest>(&message)) {
    for (size_t i = 0; i < append->entries.size(); ++i) {
      Status status = ValidateChange(append->entries[i].change);
      if (!status.ok()) return Status::InvalidArgument(fmt::format("entries[{}].{}", i, status.message()));
    }
  } else if (const auto* forward = std::get_if<ForwardRequest>(&message)) {
    for (size_t i = 0; i < forward->changes.size(); ++i) {
      Status status = ValidateChange(forward->changes[i]);
      if (status.ok() && forward->changes[i].origin != from) status = Status::InvalidArgument("origin: not the sender");
      if (!status.ok()) return Status::InvalidArgument(fmt::format("changes[{}].{}", i, status.message()));
    }
  }
  return Status::Ok();
}

namespace {

std::unique_ptr<Engine> MakeLeaderEngine(const EngineSetup& setup) { return std::make_unique<LeaderEngine>(setup); }

const bool kRegistered = RegisterEngine("leader", &MakeLeaderEngine);

}  // namespace

}  // namespace syncsim::core::leader
