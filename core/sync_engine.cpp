#include "core/sync_engine.h"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

#include "core/message_codec.h"

namespace syncsim::core {
namespace {

constexpr const char* kHlcStateKey = "hlc";

}  // namespace

SyncEngine::SyncEngine(Environment environment, const Uuid& device, const Uuid& library_id, std::string device_name,
                       const SyncSettings* settings)
    : library_(*environment.library),
      clock_(*environment.clock),
      ids_(*environment.ids),
      transport_(*environment.transport),
      device_(device),
      library_id_(library_id),
      device_name_(std::move(device_name)),
      settings_(*settings),
      hlc_(*environment.clock, device),
      applier_(environment.library, settings) {}

void SyncEngine::Start() {
  if (std::optional<std::string> persisted = library_.GetState(kHlcStateKey); persisted.has_value()) {
    std::optional<Hlc> hlc = Hlc::Parse(*persisted);
    assert(hlc.has_value());
    hlc_.Restore(*hlc);
  }
  // Name the database's device and library, so a snapshot explains itself.
  library_.SetState("device_uuid", device_.ToString());
  library_.SetState("device_name", device_name_);
  library_.SetState("library_id", library_id_.ToString());
  const ModelSpec* device_model = library_.registry().Find("device");
  assert(device_model != nullptr);
  if (!library_.LocalId(*device_model, device_).has_value()) {
    Status status = WriteShared("device", device_, {{"name", device_name_}, {"os", "syncsim"}});
    assert(status.ok());
  }
}

Status SyncEngine::WriteOwned(const std::string& model, const Uuid& uuid, const nlohmann::json& data) {
  return WriteLocal(model, uuid, data, /*deleted=*/false, /*shared=*/false);
}

Status SyncEngine::DeleteOwned(const std::string& model, const Uuid& uuid) {
  return WriteLocal(model, uuid, nlohmann::json::object(), /*deleted=*/true, /*shared=*/false);
}

Status SyncEngine::WriteShared(const std::string& model, const Uuid& uuid, const nlohmann::json& data) {
  return WriteLocal(model, uuid, data, /*deleted=*/false, /*shared=*/true);
}

Status SyncEngine::DeleteShared(const std::string& model, const Uuid& uuid) {
  return WriteLocal(model, uuid, nlohmann::json::object(), /*deleted=*/true, /*shared=*/true);
}

Status SyncEngine::WriteLocal(const std::string& model, const Uuid& uuid, const nlohmann::json& data, bool deleted,
                              bool shared) {
  const ModelSpec* spec = library_.registry().Find(model);
  if (spec == nullptr) return Status::InvalidArgument(fmt::format("unknown model \"{}\"", model));
  if (shared != (spec->ownership == Ownership::kShared)) {
    return Status::InvalidArgument(fmt::format("model \"{}\" is {}", model, OwnershipName(spec->ownership)));
  }
  WireRecord record;
  record.model = model;
  record.uuid = uuid;
  // An update names only the fields it changes; the wire always carries the
  // whole record, so merge with what the device holds.
  record.data = nlohmann::json::object();
  if (!deleted) {
    if (std::optional<nlohmann::json> existing = library_.ReadWireData(*spec, uuid); existing.has_value()) {
      record.data = std::move(*existing);
    }
    record.data.update(data);
  }
  record.deleted = deleted;
  record.version = "0";  // replaced below; Validate only needs it non-empty
  if (Status status = applier_.Validate(record); !status.ok()) return status;

  SqliteDb::Transaction transaction(library_.sql());
  const bool existed = !applier_.HeldVersion(model, uuid).empty();
  const Hlc stamp = hlc_.Generate();
  record.version = stamp.ToString();
  ApplyOutcome outcome = applier_.Apply(record, shared ? Uuid() : device_, /*local=*/true);
  // A fresh HLC is newer than anything held, so a local write always lands.
  assert(outcome == ApplyOutcome::kApplied);
  (void)outcome;
  if (shared) {
    SharedChangeEntry change;
    change.hlc = record.version;
    change.model = model;
    change.record_uuid = uuid;
    change.type = deleted ? SharedChangeEntry::Type::kDelete
                          : (existed ? SharedChangeEntry::Type::kUpdate : SharedChangeEntry::Type::kInsert);
    change.data = record.data;
    AppendSharedLog(change);
    if (shared_write_observer_) shared_write_observer_(change);
    if (pending_shared_.empty()) pending_shared_since_ms_ = clock_.now_ms();
    pending_shared_.push_back(std::move(change));
  } else {
    AdvanceWatermark(device_, model, record.version);
    if (pending_owned_.empty()) pending_owned_since_ms_ = clock_.now_ms();
    pending_owned_.push_back(std::move(record));
  }
  PersistHlc();
  transaction.Commit();

  if (pending_owned_.size() >= settings_.batch_size) FlushOwned();
  if (pending_shared_.size() >= settings_.shared_batch_size) FlushShared();
  return Status::Ok();
}

void SyncEngine::Tick() {
  const int64_t now_ms = clock_.now_ms();
  // A clock that jumped backwards must not hold a batch forever.
  auto due = [&](int64_t since_ms) { return now_ms < since_ms || now_ms - since_ms >= settings_.flush_interval_ms; };
  if (!pending_owned_.empty() && due(pending_owned_since_ms_)) FlushOwned();
  if (!pending_shared_.empty() && due(pending_shared_since_ms_)) FlushShared();
}

void SyncEngine::FlushOwned() {
  if (pending_owned_.empty()) return;
  StateBatch batch;
  batch.library = library_id_;
  batch.owner = device_;
  batch.records = std::move(pending_owned_);
  pending_owned_.clear();
  Message message = std::move(batch);
  for (const Uuid& peer : transport_.ConnectedPeers()) {
    Send(peer, message);
    counters_.records_sent += std::get<StateBatch>(message).records.size();
  }
}

void SyncEngine::FlushShared() {
  if (pending_shared_.empty()) return;
  SharedChangeBatch batch;
  batch.library = library_id_;
  batch.changes = std::move(pending_shared_);
  pending_shared_.clear();
  Message message = std::move(batch);
  for (const Uuid& peer : transport_.ConnectedPeers()) {
    Send(peer, message);
    counters_.shared_changes_sent += std::get<SharedChangeBatch>(message).changes.size();
  }
}

void SyncEngine::Send(const Uuid& peer, const Message& message) {
  ++counters_.messages_sent;
  transport_.Send(peer, MessageKind(message), EncodeMessage(message));
}

void SyncEngine::OnPeerConnected(const Uuid& peer) {
  // Every peer ever seen takes part in pruning: the log keeps what it has
  // not acknowledged.
  library_.sql()
      .Prepare("INSERT OR IGNORE INTO peer_acks (peer, last_acked_hlc) VALUES (?1, '')")
      .Bind(1, peer.ToString())
      .Run();
}

void SyncEngine::OnPeerDisconnected(const Uuid& peer) { (void)peer; }

Status SyncEngine::OnMessage(const Uuid& from, std::string_view payload) {
  ++counters_.messages_received;
  Message message;
  Status status = DecodeMessage(payload, &message);
  if (status.ok()) {
    const Uuid library = std::visit([](const auto& decoded) { return decoded.library; }, message);
    if (library != library_id_) status = Status::InvalidArgument("library: message for another library");
  }
  if (status.ok()) {
    // Check every record before applying any, so a bad message changes nothing.
    if (const auto* batch = std::get_if<StateBatch>(&message)) {
      if (batch->owner != from) status = Status::InvalidArgument("owner: a state batch comes from its owner");
      for (size_t i = 0; status.ok() && i < batch->records.size(); ++i) {
        status = applier_.Validate(batch->records[i]);
        if (!status.ok()) status = Status::InvalidArgument(fmt::format("records[{}].{}", i, status.message()));
      }
    } else if (const auto* shared = std::get_if<SharedChangeBatch>(&message)) {
      for (size_t i = 0; status.ok() && i < shared->changes.size(); ++i) {
        const SharedChangeEntry& change = shared->changes[i];
        if (!Hlc::Parse(change.hlc).has_value()) {
          status = Status::InvalidArgument(fmt::format("changes[{}].hlc: not an HLC", i));
          break;
        }
        WireRecord record{change.model, change.record_uuid, change.data, change.hlc,
                          change.type == SharedChangeEntry::Type::kDelete};
        status = applier_.Validate(record);
        const ModelSpec* spec = library_.registry().Find(change.model);
        if (status.ok() && spec->ownership != Ownership::kShared) {
          status = Status::InvalidArgument("model is not shared");
        }
        if (!status.ok()) status = Status::InvalidArgument(fmt::format("changes[{}].{}", i, status.message()));
      }
    } else if (const auto* ack = std::get_if<AckSharedChanges>(&message)) {
      if (!Hlc::Parse(ack->up_to_hlc).has_value()) status = Status::InvalidArgument("up_to_hlc: not an HLC");
    }
  }
  if (!status.ok()) {
    ++counters_.messages_rejected;
    return status;
  }
  if (const auto* batch = std::get_if<StateBatch>(&message)) {
    HandleStateBatch(from, *batch);
  } else if (const auto* shared = std::get_if<SharedChangeBatch>(&message)) {
    HandleSharedChanges(from, *shared);
  } else if (const auto* ack = std::get_if<AckSharedChanges>(&message)) {
    HandleAck(from, *ack);
  }
  return Status::Ok();
}

void SyncEngine::HandleStateBatch(const Uuid& from, const StateBatch& batch) {
  (void)from;
  SqliteDb::Transaction transaction(library_.sql());
  for (const WireRecord& record : batch.records) {
    ApplyOutcome outcome = applier_.Apply(record, batch.owner, /*local=*/false);
    // The watermark moves over applied, stale and (under `drop`) dropped
    // records; a parked record holds it back until it is applied.
    if (outcome != ApplyOutcome::kParked) AdvanceWatermark(batch.owner, record.model, record.version);
  }
  transaction.Commit();
}

void SyncEngine::HandleSharedChanges(const Uuid& from, const SharedChangeBatch& batch) {
  std::vector<const SharedChangeEntry*> ordered;
  for (const SharedChangeEntry& change : batch.changes) ordered.push_back(&change);
  std::sort(ordered.begin(), ordered.end(),
            [](const SharedChangeEntry* left, const SharedChangeEntry* right) { return left->hlc < right->hlc; });
  SqliteDb::Transaction transaction(library_.sql());
  std::string newest;
  for (const SharedChangeEntry* change : ordered) {
    hlc_.Update(*Hlc::Parse(change->hlc));
    WireRecord record{change->model, change->record_uuid, change->data, change->hlc,
                      change->type == SharedChangeEntry::Type::kDelete};
    applier_.Apply(record, Uuid(), /*local=*/false);
    AppendSharedLog(*change);
    newest = std::max(newest, change->hlc);
  }
  PersistHlc();
  transaction.Commit();
  if (!newest.empty()) Send(from, AckSharedChanges{library_id_, newest});
}

void SyncEngine::HandleAck(const Uuid& from, const AckSharedChanges& ack) {
  ++counters_.acks_received;
  SqliteDb& sql = library_.sql();
  if (settings_.HasDefect(kDefectAckWithoutMax)) {
    // The defect: whichever ack arrives last wins, even an older one.
    sql.Prepare("INSERT OR REPLACE INTO peer_acks (peer, last_acked_hlc) VALUES (?1, ?2)")
        .Bind(1, from.ToString())
        .Bind(2, ack.up_to_hlc)
        .Run();
  } else {
    sql.Prepare(
           "INSERT INTO peer_acks (peer, last_acked_hlc) VALUES (?1, ?2) ON CONFLICT(peer) DO UPDATE SET "
           "last_acked_hlc = max(last_acked_hlc, excluded.last_acked_hlc)")
        .Bind(1, from.ToString())
        .Bind(2, ack.up_to_hlc)
        .Run();
  }
  PruneSharedLog();
}

void SyncEngine::PruneSharedLog() {
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

void SyncEngine::AppendSharedLog(const SharedChangeEntry& change) {
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

void SyncEngine::AdvanceWatermark(const Uuid& owner, const std::string& model, const std::string& version) {
  library_.sql()
      .Prepare(
          "INSERT INTO resource_watermarks (peer, model, watermark) VALUES (?1, ?2, ?3) ON CONFLICT(peer, model) "
          "DO UPDATE SET watermark = max(watermark, excluded.watermark)")
      .Bind(1, owner.ToString())
      .Bind(2, model)
      .Bind(3, version)
      .Run();
}

std::string SyncEngine::Watermark(const Uuid& owner, const std::string& model) {
  Statement& statement =
      library_.sql().Prepare("SELECT watermark FROM resource_watermarks WHERE peer = ?1 AND model = ?2");
  statement.Bind(1, owner.ToString()).Bind(2, model);
  std::string watermark;
  if (statement.Step()) watermark = statement.Text(0);
  statement.Reset();
  return watermark;
}

int64_t SyncEngine::ParkedCount() {
  Statement& statement = library_.sql().Prepare("SELECT count(*) FROM pending_dependencies WHERE kind = 'record'");
  statement.Step();
  int64_t count = statement.Int(0);
  statement.Reset();
  return count;
}

int64_t SyncEngine::SharedLogSize() { return library_.Count("shared_changes"); }

void SyncEngine::PersistHlc() { library_.SetState(kHlcStateKey, hlc_.last().ToString()); }

}  // namespace syncsim::core
