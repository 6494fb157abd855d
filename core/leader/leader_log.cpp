#include "core/leader/leader_log.h"

#include <cassert>
#include <cstdlib>

namespace syncsim::core::leader {
namespace {

LogChange ReadChange(Statement& row, int first, const Uuid& origin, int64_t origin_seq) {
  LogChange change;
  change.origin = origin;
  change.origin_seq = origin_seq;
  change.model = row.Text(first);
  change.uuid = Uuid::Parse(row.Text(first + 1)).value_or(Uuid());
  change.data = nlohmann::json::parse(row.Text(first + 2), nullptr, /*allow_exceptions=*/false);
  if (!change.data.is_object()) change.data = nlohmann::json::object();  // written by Append/OutboxAdd only
  change.deleted = row.Int(first + 3) != 0;
  return change;
}

}  // namespace

LeaderLog::LeaderLog(LibraryDb* library) : library_(*library) {
  library_.sql().Execute(
      "CREATE TABLE IF NOT EXISTS leader_log (seq INTEGER PRIMARY KEY, term INTEGER NOT NULL, origin TEXT NOT NULL, "
      "origin_seq INTEGER NOT NULL, model TEXT NOT NULL, uuid TEXT NOT NULL, data TEXT NOT NULL, "
      "deleted INTEGER NOT NULL)");
  library_.sql().Execute("CREATE INDEX IF NOT EXISTS leader_log_origin ON leader_log (origin, origin_seq)");
  library_.sql().Execute(
      "CREATE TABLE IF NOT EXISTS leader_outbox (origin_seq INTEGER PRIMARY KEY, model TEXT NOT NULL, "
      "uuid TEXT NOT NULL, data TEXT NOT NULL, deleted INTEGER NOT NULL, shared INTEGER NOT NULL)");
  library_.sql().Execute("CREATE INDEX IF NOT EXISTS leader_outbox_record ON leader_outbox (model, uuid)");
}

int64_t LeaderLog::LastSeq() {
  Statement& last = library_.sql().Prepare("SELECT coalesce(max(seq), 0) FROM leader_log");
  last.Step();
  const int64_t seq = last.Int(0);
  last.Reset();
  return seq;
}

int64_t LeaderLog::TermAt(int64_t seq) {
  if (seq <= 0) return 0;
  Statement& term = library_.sql().Prepare("SELECT term FROM leader_log WHERE seq = ?1");
  term.Bind(1, seq);
  const int64_t found = term.Step() ? term.Int(0) : 0;
  term.Reset();
  return found;
}

std::optional<LogEntry> LeaderLog::At(int64_t seq) {
  std::vector<LogEntry> entries = Read(seq, 1);
  if (entries.empty() || entries.front().seq != seq) return std::nullopt;
  return entries.front();
}

std::vector<LogEntry> LeaderLog::Read(int64_t from_seq, size_t max) {
  Statement& select = library_.sql().Prepare(
      "SELECT seq, term, origin, origin_seq, model, uuid, data, deleted FROM leader_log WHERE seq >= ?1 "
      "ORDER BY seq LIMIT ?2");
  select.Bind(1, from_seq).Bind(2, static_cast<int64_t>(max));
  std::vector<LogEntry> entries;
  while (select.Step()) {
    const Uuid origin = Uuid::Parse(select.Text(2)).value_or(Uuid());
    entries.push_back(LogEntry{select.Int(0), select.Int(1), ReadChange(select, 4, origin, select.Int(3))});
  }
  select.Reset();
  return entries;
}

void LeaderLog::Append(const LogEntry& entry) {
  library_.sql()
      .Prepare(
          "INSERT INTO leader_log (seq, term, origin, origin_seq, model, uuid, data, deleted) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
      .Bind(1, entry.seq)
      .Bind(2, entry.term)
      .Bind(3, entry.change.origin.ToString())
      .Bind(4, entry.change.origin_seq)
      .Bind(5, entry.change.model)
      .Bind(6, entry.change.uuid.ToString())
      .Bind(7, entry.change.data.dump())
      .Bind(8, static_cast<int64_t>(entry.change.deleted ? 1 : 0))
      .Run();
}

void LeaderLog::TruncateFrom(int64_t seq) {
  library_.sql().Prepare("DELETE FROM leader_log WHERE seq >= ?1").Bind(1, seq).Run();
}

int64_t LeaderLog::MaxOriginSeq(const Uuid& origin) {
  Statement& max = library_.sql().Prepare("SELECT coalesce(max(origin_seq), 0) FROM leader_log WHERE origin = ?1");
  max.Bind(1, origin.ToString());
  max.Step();
  const int64_t seq = max.Int(0);
  max.Reset();
  return seq;
}

void LeaderLog::OutboxAdd(const LogChange& change) {
  const ModelSpec* spec = library_.registry().Find(change.model);
  assert(spec != nullptr);
  library_.sql()
      .Prepare(
          "INSERT INTO leader_outbox (origin_seq, model, uuid, data, deleted, shared) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
      .Bind(1, change.origin_seq)
      .Bind(2, change.model)
      .Bind(3, change.uuid.ToString())
      .Bind(4, change.data.dump())
      .Bind(5, static_cast<int64_t>(change.deleted ? 1 : 0))
      .Bind(6, static_cast<int64_t>(spec->ownership == Ownership::kShared ? 1 : 0))
      .Run();
}

std::vector<LogChange> LeaderLog::OutboxRead(int64_t after, size_t max) {
  Statement& select = library_.sql().Prepare(
      "SELECT origin_seq, model, uuid, data, deleted FROM leader_outbox WHERE origin_seq > ?1 ORDER BY origin_seq "
      "LIMIT ?2");
  select.Bind(1, after).Bind(2, static_cast<int64_t>(max));
  const std::optional<std::string> device = library_.GetState("device_uuid");
  const Uuid origin = Uuid::Parse(device.value_or("")).value_or(Uuid());
  std::vector<LogChange> changes;
  while (select.Step()) changes.push_back(ReadChange(select, 1, origin, select.Int(0)));
  select.Reset();
  return changes;
}

void LeaderLog::OutboxRemoveUpTo(int64_t origin_seq) {
  library_.sql().Prepare("DELETE FROM leader_outbox WHERE origin_seq <= ?1").Bind(1, origin_seq).Run();
}

int64_t LeaderLog::OutboxSize() {
  Statement& count = library_.sql().Prepare("SELECT count(*) FROM leader_outbox");
  count.Step();
  const int64_t size = count.Int(0);
  count.Reset();
  return size;
}

int64_t LeaderLog::OutboxSharedSize() {
  Statement& count = library_.sql().Prepare("SELECT count(*) FROM leader_outbox WHERE shared = 1");
  count.Step();
  const int64_t size = count.Int(0);
  count.Reset();
  return size;
}

bool LeaderLog::OutboxHolds(const std::string& model, const Uuid& uuid) {
  Statement& holds = library_.sql().Prepare("SELECT 1 FROM leader_outbox WHERE model = ?1 AND uuid = ?2 LIMIT 1");
  holds.Bind(1, model).Bind(2, uuid.ToString());
  const bool found = holds.Step();
  holds.Reset();
  return found;
}

int64_t LeaderLog::OutboxFirst() {
  Statement& first = library_.sql().Prepare("SELECT coalesce(min(origin_seq), 0) FROM leader_outbox");
  first.Step();
  const int64_t seq = first.Int(0);
  first.Reset();
  return seq;
}

int64_t LeaderLog::GetNumber(const std::string& key) {
  const std::optional<std::string> value = library_.GetState(key);
  return value.has_value() ? std::strtoll(value->c_str(), nullptr, 10) : 0;
}

void LeaderLog::SetNumber(const std::string& key, int64_t value) { library_.SetState(key, std::to_string(value)); }

}  // namespace syncsim::core::leader
