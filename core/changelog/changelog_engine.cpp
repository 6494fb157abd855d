#include "core/changelog/changelog_engine.h"

#include <cassert>

#include <fmt/format.h>

#include "core/changelog/change_record.h"
#include "core/engine_registry.h"

namespace syncsim::core::changelog {
namespace {

constexpr const char* kHlcStateKey = "hlc";

SyncSettings MergeSettingsOf(const SyncSettings& settings) {
  SyncSettings merge = settings;
  merge.shared_merge = settings.HasDefect(kDefectChangelogRecordVersionGuard) ? SharedMerge::kRecord : SharedMerge::kField;
  // Blocking targets are held by the engine itself (MissesTarget); the
  // applier only defers optional links, to repair when their target comes.
  merge.missing_dependency = MissingDependencyPolicy::kPark;
  return merge;
}

}  // namespace

ChangelogEngine::ChangelogEngine(const EngineSetup& setup)
    : library_(*setup.library),
      clock_(*setup.clock),
      ids_(*setup.ids),
      transport_(*setup.transport),
      device_(setup.device),
      library_id_(setup.library_id),
      device_name_(setup.device_name),
      settings_(*setup.settings),
      merge_settings_(MergeSettingsOf(*setup.settings)),
      hlc_(*setup.clock, setup.device,
           HlcClockOptions{.observer = setup.hlc_observer,
                           .defect_ignores_wall_clock = setup.settings->HasDefect(kDefectHlcIgnoresWallClock)}),
      applier_(setup.library, &merge_settings_),
      store_(setup.library) {}

void ChangelogEngine::Start() {
  store_.CreateTables();
  if (std::optional<std::string> persisted = library_.GetState(kHlcStateKey); persisted.has_value()) {
    std::optional<Hlc> hlc = Hlc::Parse(*persisted);
    assert(hlc.has_value());
    hlc_.Restore(*hlc);
  }
  {
    // Held changes survive a restart in the log; merge what can be.
    SqliteDb::Transaction transaction(library_.sql());
    MergeUnmerged();
    DeleteRequirers();
    PersistHlc();
    transaction.Commit();
  }
  RegisterDevice(device_, device_name_, library_id_);
}

Status ChangelogEngine::WriteLocal(const LocalWrite& write) {
  WireRecord record;
  if (Status status = PrepareLocalWrite(library_, write, &record); !status.ok()) return status;
  if (Status status = applier_.Validate(record); !status.ok()) return status;
  SqliteDb::Transaction transaction(library_.sql());
  WriteChange(std::move(record), write.shared, &write.data);
  DeleteRequirers();
  PersistHlc();
  transaction.Commit();
  if (pending_.size() >= settings_.batch_size) FlushPending();
  return Status::Ok();
}

void ChangelogEngine::StampFields(WireRecord* record, bool existed, const nlohmann::json* changed) {
  record->field_versions = applier_.HeldFieldVersions(record->model, record->uuid);
  bool stamped_any = false;
  for (const auto& item : record->data.items()) {
    const bool held = record->field_versions.count(item.key()) > 0;
    if (!existed || !held || changed == nullptr || changed->contains(item.key())) {
      record->field_versions[item.key()] = record->version;
      stamped_any = true;
    }
  }
  // A write that names no field still is a write: it versions all of them.
  if (!stamped_any) {
    for (const auto& item : record->data.items()) record->field_versions[item.key()] = record->version;
  }
}

void ChangelogEngine::WriteChange(WireRecord record, bool shared, const nlohmann::json* changed) {
  const bool existed = shared && !applier_.HeldVersion(record.model, record.uuid).empty();
  record.version = hlc_.Generate().ToString();
  if (shared && !record.deleted) StampFields(&record, existed, changed);
  // A shared write may meet a delete that arrived first: a tombstone of the
  // record is final and absorbs it (kStale), and a write naming a deleted
  // record (a tag applied to metadata whose entry's delete cascaded here
  // before the entry's own delete) is obsolete. So shared writes go through
  // the applier as a peer's would; owned ones always land.
  const ApplyOutcome outcome = applier_.Apply(record, shared ? Uuid() : device_, /*local=*/!shared);
  assert(outcome == ApplyOutcome::kApplied ||
         (shared && (outcome == ApplyOutcome::kObsolete ||
                     (outcome == ApplyOutcome::kStale && merge_settings_.shared_merge == SharedMerge::kField))));
  Change change = ChangeFromRecord(record, device_, /*owned=*/!shared);
  if (!shared) change.seq = store_.NextOwnedSeq(device_);
  const bool inserted = store_.Insert(change, /*merged=*/true);
  assert(inserted);
  (void)inserted;
  if (shared && observer_) observer_(SharedEntryOf(change, existed));
  if (pending_.empty()) pending_since_ms_ = clock_.monotonic_ms();
  pending_.push_back(Pending{change.id, Uuid()});
  // The write is in the log (and the oracle's view); an obsolete one is
  // deleted at once, as the cascade would have deleted it had it come first.
  if (outcome == ApplyOutcome::kObsolete) {
    WriteChange(WireRecord{record.model, record.uuid, nlohmann::json::object(), "0", /*deleted=*/true}, true, nullptr);
    ++counters_.cascade_deletes;
  }
}

void ChangelogEngine::DeleteRequirers() {
  // Each round's deletes may find requirers of their own: repeat until none
  // is left (every round deletes held records, so it ends).
  for (std::vector<RecordApplier::Requirer> requirers = applier_.TakeRequirersOfDeleted(); !requirers.empty();
       requirers = applier_.TakeRequirersOfDeleted()) {
    for (const RecordApplier::Requirer& requirer : requirers) {
      const ModelSpec* spec = library_.registry().Find(requirer.model);
      assert(spec != nullptr && spec->ownership == Ownership::kShared);
      if (!library_.LocalId(*spec, requirer.uuid).has_value()) continue;
      WireRecord record{requirer.model, requirer.uuid, nlohmann::json::object(), "0", /*deleted=*/true};
      WriteChange(std::move(record), /*shared=*/true, nullptr);
      ++counters_.cascade_deletes;
    }
  }
}

void ChangelogEngine::PersistHlc() { library_.SetState(kHlcStateKey, hlc_.last().ToString()); }

void ChangelogEngine::OnPeerConnected(const Uuid& peer) {
  ChangelogSession& session = sessions_[peer];
  session = ChangelogSession{};
  session.last_heard_ms = clock_.monotonic_ms();
  store_.AddPeer(peer);
  SendRootCheck(peer, session);
}

void ChangelogEngine::Tick() {
  const int64_t now_ms = clock_.monotonic_ms();
  if (!pending_.empty() && now_ms - pending_since_ms_ >= settings_.flush_interval_ms) FlushPending();
  if (!marked_unapplied_.empty() && !marked_blocked_ && now_ms - marked_since_ms_ >= settings_.flush_interval_ms) ApplyMarkedMerged();
  for (auto& [peer, session] : sessions_) {
    ResendDue(peer, session, now_ms);
    // Not while batches are unacked: what they carry would only differ again.
    if (!session.in_sync && session.unacked.empty() && now_ms - session.last_reconcile_ms >= settings_.retry_timeout_ms) {
      SendRootCheck(peer, session);
    }
  }
}

namespace {

bool SessionHasPendingWork(const ChangelogSession& session) {
  if (!session.peer_answered) return false;
  return !session.unacked.empty() || !session.in_sync;
}

}  // namespace

bool ChangelogEngine::HasPendingWork() const {
  if (HasUnflushedWrites()) return true;
  for (const auto& [peer, session] : sessions_) {
    if (SessionHasPendingWork(session)) return true;
  }
  return false;
}

std::vector<PeerStatus> ChangelogEngine::PeerStatuses() const {
  std::vector<PeerStatus> statuses;
  for (const auto& [peer, session] : sessions_) {
    const PeerState state = session.in_sync         ? PeerState::kReady
                            : session.peer_answered ? PeerState::kCatchingUp
                                                    : PeerState::kUninitialized;
    statuses.push_back(PeerStatus{peer, state, 0, false, 0, session.unacked.size(), SessionHasPendingWork(session)});
  }
  return statuses;
}

namespace {

std::unique_ptr<Engine> MakeChangelogEngine(const EngineSetup& setup) {
  return std::make_unique<ChangelogEngine>(setup);
}

const bool kRegistered = RegisterEngine("changelog", &MakeChangelogEngine);

}  // namespace

}  // namespace syncsim::core::changelog
