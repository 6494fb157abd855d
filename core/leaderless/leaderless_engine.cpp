#include "core/leaderless/leaderless_engine.h"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

#include "core/engine_registry.h"

namespace syncsim::core {
namespace {

constexpr const char* kHlcStateKey = "hlc";

}  // namespace

LeaderlessEngine::LeaderlessEngine(const EngineSetup& setup)
    : library_(*setup.library),
      clock_(*setup.clock),
      ids_(*setup.ids),
      transport_(*setup.transport),
      device_(setup.device),
      library_id_(setup.library_id),
      device_name_(setup.device_name),
      settings_(*setup.settings),
      hlc_(*setup.clock, setup.device,
           HlcClockOptions{.observer = setup.hlc_observer,
                           .defect_ignores_wall_clock = setup.settings->HasDefect(kDefectHlcIgnoresWallClock)}),
      applier_(setup.library, setup.settings),
      catalog_(setup.library) {
  const std::vector<std::string> order = library_.registry().DependencyOrder();
  for (size_t rank = 0; rank < order.size(); ++rank) dependency_rank_[order[rank]] = rank;
}

void LeaderlessEngine::Start() {
  if (settings_.HasDefect(kDefectWatermarkSkipsParked)) {
    // The defect keeps parked records in memory only: a restart loses them.
    library_.sql().Prepare("DELETE FROM pending_dependencies WHERE kind = 'record'").Run();
  }
  if (std::optional<std::string> persisted = library_.GetState(kHlcStateKey); persisted.has_value()) {
    std::optional<Hlc> hlc = Hlc::Parse(*persisted);
    assert(hlc.has_value());
    hlc_.Restore(*hlc);
  }
  RegisterDevice(device_, device_name_, library_id_);
}

Status LeaderlessEngine::WriteLocal(const LocalWrite& write) {
  WireRecord record;
  if (Status status = PrepareLocalWrite(library_, write, &record); !status.ok()) return status;
  if (Status status = applier_.Validate(record); !status.ok()) return status;

  SqliteDb::Transaction transaction(library_.sql());
  ApplyLocalWrite(std::move(record), write.shared, &write.data);
  DeleteRequirers();
  PersistHlc();
  transaction.Commit();
  FlushFullBatches();
  return Status::Ok();
}

void LeaderlessEngine::StampFields(WireRecord* record, bool existed, const nlohmann::json* changed) {
  record->field_versions = applier_.HeldFieldVersions(record->model, record->uuid);
  bool stamped_any = false;
  auto stamp = [&](const std::string& field) {
    record->field_versions[field] = record->version;
    stamped_any = true;
  };
  for (const auto& item : record->data.items()) {
    const bool held = record->field_versions.count(item.key()) > 0;
    if (!existed || !held || changed == nullptr || changed->contains(item.key())) stamp(item.key());
  }
  // A write that names no field still is a write: it versions all of them.
  if (!stamped_any) {
    for (const auto& item : record->data.items()) stamp(item.key());
  }
}

void LeaderlessEngine::ApplyLocalWrite(WireRecord record, bool shared, const nlohmann::json* changed) {
  // Only a shared change records whether it inserts or updates.
  const bool existed = shared && !applier_.HeldVersion(record.model, record.uuid).empty();
  const Hlc stamp = hlc_.Generate();
  record.version = stamp.ToString();
  if (shared && !record.deleted && settings_.shared_merge == SharedMerge::kField) StampFields(&record, existed, changed);
  ApplyOutcome outcome = applier_.Apply(record, shared ? Uuid() : device_, /*local=*/true);
  // A fresh HLC is newer than anything held, so a local write always lands.
  assert(outcome == ApplyOutcome::kApplied);
  (void)outcome;
  if (shared) {
    SharedChangeEntry change;
    change.hlc = record.version;
    change.model = record.model;
    change.record_uuid = record.uuid;
    change.type = record.deleted ? SharedChangeEntry::Type::kDelete
                                 : (existed ? SharedChangeEntry::Type::kUpdate : SharedChangeEntry::Type::kInsert);
    change.data = record.data;
    change.field_versions = record.field_versions;
    AppendSharedLog(change);
    if (shared_write_observer_) shared_write_observer_(change);
    if (pending_shared_.empty()) pending_shared_since_ms_ = clock_.monotonic_ms();
    pending_shared_.push_back(std::move(change));
  } else {
    AdvanceWatermark(device_, record.model, record.version);
    if (pending_owned_.empty()) pending_owned_since_ms_ = clock_.monotonic_ms();
    pending_owned_.push_back(std::move(record));
  }
}

bool LeaderlessEngine::DeleteRequirers() {
  bool deleted_any = false;
  // Each round's deletes may find requirers of their own (a tag application
  // of deleted metadata): repeat until none is left.
  for (std::vector<RecordApplier::Requirer> requirers = applier_.TakeRequirersOfDeleted(); !requirers.empty();
       requirers = applier_.TakeRequirersOfDeleted()) {
    for (const RecordApplier::Requirer& requirer : requirers) {
      const ModelSpec* spec = library_.registry().Find(requirer.model);
      assert(spec != nullptr && spec->ownership == Ownership::kShared);
      // Listed twice, or deleted by an earlier requirer's cascade.
      if (!library_.LocalId(*spec, requirer.uuid).has_value()) continue;
      WireRecord record{requirer.model, requirer.uuid, nlohmann::json::object(), "0", /*deleted=*/true};
      ApplyLocalWrite(std::move(record), /*shared=*/true);
      ++counters_.cascade_deletes;
      deleted_any = true;
    }
  }
  return deleted_any;
}

void LeaderlessEngine::FlushFullBatches() {
  if (pending_owned_.size() >= settings_.batch_size) FlushOwned();
  if (pending_shared_.size() >= settings_.shared_batch_size) FlushShared();
}

void LeaderlessEngine::Tick() {
  // Timers run on the monotonic clock: a wall clock set back by a day would
  // hold a batch or a resend for a day.
  const int64_t now_ms = clock_.monotonic_ms();
  auto due = [&](int64_t since_ms) {
    assert(now_ms >= since_ms);
    return now_ms - since_ms >= settings_.flush_interval_ms;
  };
  if (!pending_owned_.empty() && due(pending_owned_since_ms_)) FlushOwned();
  if (!pending_shared_.empty() && due(pending_shared_since_ms_)) FlushShared();
  for (auto& [peer, session] : sessions_) RetryDue(peer, session, now_ms);
}

namespace {

bool SessionHasPendingWork(const PeerSession& session) {
  // A peer never heard from on this connection (down, or cut off) gives
  // nothing to do but wait; it is not work in progress.
  if (!session.peer_answered) return false;
  if (!session.unacked.empty()) return true;
  return session.state != PeerState::kReady && session.state != PeerState::kFailed;
}

}  // namespace

bool LeaderlessEngine::HasPendingWork() const {
  if (HasUnflushedWrites()) return true;
  for (const auto& [peer, session] : sessions_) {
    if (SessionHasPendingWork(session)) return true;
  }
  return false;
}

std::vector<PeerStatus> LeaderlessEngine::PeerStatuses() const {
  std::vector<PeerStatus> statuses;
  for (const auto& [peer, session] : sessions_) {
    statuses.push_back(PeerStatus{peer, session.state, session.jobs.size(), session.request.has_value(),
                                  session.buffer.size(), session.unacked.size(), SessionHasPendingWork(session)});
  }
  return statuses;
}

void LeaderlessEngine::PruneSharedLog() {
  // The log is kept up to the oldest acknowledgement over every known peer;
  // a peer that never acked (empty string) keeps all of it.
  Statement& minimum = library_.sql().Prepare("SELECT min(last_acked_hlc), count(*) FROM peer_acks");
  std::string prune_up_to;
  if (minimum.Step() && minimum.Int(1) > 0 && !minimum.IsNull(0)) prune_up_to = minimum.Text(0);
  minimum.Reset();
  if (prune_up_to.empty()) return;
  library_.sql().Prepare("DELETE FROM shared_changes WHERE hlc <= ?1").Bind(1, prune_up_to).Run();
  counters_.log_entries_pruned += static_cast<uint64_t>(library_.sql().Changes());
}

void LeaderlessEngine::AppendSharedLog(const SharedChangeEntry& change) {
  const char* type = change.type == SharedChangeEntry::Type::kInsert   ? "insert"
                     : change.type == SharedChangeEntry::Type::kUpdate ? "update"
                                                                       : "delete";
  library_.sql()
      .Prepare(
          "INSERT OR IGNORE INTO shared_changes (hlc, model, record_uuid, change_type, data) "
          "VALUES (?1, ?2, ?3, ?4, ?5)")
      .Bind(1, change.hlc)
      .Bind(2, change.model)
      .Bind(3, change.record_uuid.ToString())
      .Bind(4, type)
      .Bind(5, change.data.dump())
      .Run();
}

void LeaderlessEngine::AdvanceWatermark(const Uuid& owner, const std::string& model, const std::string& version) {
  library_.sql()
      .Prepare(
          "INSERT INTO resource_watermarks (peer, model, watermark) VALUES (?1, ?2, ?3) ON CONFLICT(peer, model) "
          "DO UPDATE SET watermark = max(watermark, excluded.watermark)")
      .Bind(1, owner.ToString())
      .Bind(2, model)
      .Bind(3, version)
      .Run();
}

std::string LeaderlessEngine::Watermark(const Uuid& owner, const std::string& model) {
  Statement& statement =
      library_.sql().Prepare("SELECT watermark FROM resource_watermarks WHERE peer = ?1 AND model = ?2");
  statement.Bind(1, owner.ToString()).Bind(2, model);
  std::string watermark;
  if (statement.Step()) watermark = statement.Text(0);
  statement.Reset();
  return watermark;
}

std::string LeaderlessEngine::ResumeWatermark(const Uuid& owner, const std::string& model) {
  std::string watermark = Watermark(owner, model);
  if (watermark.empty() || settings_.HasDefect(kDefectWatermarkSkipsParked)) return watermark;
  // Parked records of shared models are not attributed to a serving peer:
  // any of them holds back every shared watermark of the model.
  const std::string parked_owner = IsShared(model) ? std::string() : owner.ToString();
  Statement& statement = library_.sql().Prepare(
      "SELECT min(version) FROM pending_dependencies WHERE kind = 'record' AND model = ?1 AND owner = ?2");
  statement.Bind(1, model).Bind(2, parked_owner);
  if (statement.Step() && !statement.IsNull(0)) watermark = std::min(watermark, statement.Text(0));
  statement.Reset();
  return watermark;
}

std::vector<Uuid> LeaderlessEngine::AckingPeers() {
  Statement& select = library_.sql().Prepare("SELECT peer FROM peer_acks ORDER BY peer");
  std::vector<Uuid> peers;
  while (select.Step()) {
    const std::optional<Uuid> peer = Uuid::Parse(select.Text(0));
    assert(peer.has_value());  // written by OnPeerConnected and HandleSharedAck only
    peers.push_back(*peer);
  }
  select.Reset();
  return peers;
}

int64_t LeaderlessEngine::UnackedSharedChanges(const Uuid& peer) {
  // A shared change's HLC ends with the uuid of the device that made it.
  Statement& count = library_.sql().Prepare(
      "SELECT count(*) FROM shared_changes WHERE substr(hlc, 35) = ?1 AND hlc > "
      "coalesce((SELECT last_acked_hlc FROM peer_acks WHERE peer = ?2), '')");
  count.Bind(1, device_.ToString()).Bind(2, peer.ToString());
  count.Step();
  const int64_t changes = count.Int(0);
  count.Reset();
  return changes;
}

std::optional<std::string> LeaderlessEngine::NewestChangeHlc() {
  Statement& newest = library_.sql().Prepare("SELECT max(hlc) FROM shared_changes");
  std::optional<std::string> hlc;
  if (newest.Step() && !newest.IsNull(0)) hlc = newest.Text(0);
  newest.Reset();
  return hlc;
}

void LeaderlessEngine::PersistHlc() { library_.SetState(kHlcStateKey, hlc_.last().ToString()); }

namespace {

std::unique_ptr<Engine> MakeLeaderlessEngine(const EngineSetup& setup) {
  return std::make_unique<LeaderlessEngine>(setup);
}

const bool kRegistered = RegisterEngine("leaderless", &MakeLeaderlessEngine);

}  // namespace

}  // namespace syncsim::core
