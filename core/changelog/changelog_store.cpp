#include "core/changelog/changelog_store.h"

#include <cassert>

namespace syncsim::core::changelog {

void ChangelogStore::CreateTables() {
  library_.sql().Execute(
      "CREATE TABLE IF NOT EXISTS changelog_changes (id TEXT PRIMARY KEY, model TEXT NOT NULL, "
      "record_uuid TEXT NOT NULL, author_device TEXT NOT NULL, hlc TEXT NOT NULL, deleted INTEGER NOT NULL, "
      "owned INTEGER NOT NULL, seq INTEGER NOT NULL, merged INTEGER NOT NULL);"
      "CREATE INDEX IF NOT EXISTS changelog_changes_unmerged ON changelog_changes (merged, id);"
      "CREATE INDEX IF NOT EXISTS changelog_changes_author ON changelog_changes (author_device, id);"
      "CREATE INDEX IF NOT EXISTS changelog_changes_seq ON changelog_changes (author_device, owned, seq);"
      "CREATE TABLE IF NOT EXISTS changelog_change_fields (change_id TEXT NOT NULL, field TEXT NOT NULL, "
      "value TEXT NOT NULL, version TEXT NOT NULL, PRIMARY KEY (change_id, field));"
      "CREATE TABLE IF NOT EXISTS changelog_peers (peer TEXT PRIMARY KEY);"
      "CREATE TABLE IF NOT EXISTS changelog_acks (peer TEXT NOT NULL, change_id TEXT NOT NULL, "
      "PRIMARY KEY (peer, change_id));");
}

bool ChangelogStore::Insert(const Change& change, bool merged) {
  SqliteDb& sql = library_.sql();
  sql.Prepare(
         "INSERT OR IGNORE INTO changelog_changes (id, model, record_uuid, author_device, hlc, deleted, owned, merged, "
         "seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
      .Bind(1, change.id)
      .Bind(2, change.model)
      .Bind(3, change.record_uuid.ToString())
      .Bind(4, change.author.ToString())
      .Bind(5, change.hlc)
      .Bind(6, int64_t{change.deleted ? 1 : 0})
      .Bind(7, int64_t{change.owned ? 1 : 0})
      .Bind(8, int64_t{merged ? 1 : 0})
      .Bind(9, static_cast<int64_t>(change.seq))
      .Run();
  if (sql.Changes() == 0) return false;
  for (const auto& [field, value] : change.fields) {
    sql.Prepare("INSERT INTO changelog_change_fields (change_id, field, value, version) VALUES (?1, ?2, ?3, ?4)")
        .Bind(1, change.id)
        .Bind(2, field)
        .Bind(3, value.value.dump())
        .Bind(4, value.version)
        .Run();
  }
  return true;
}

bool ChangelogStore::Holds(const std::string& id) {
  Statement& row = library_.sql().Prepare("SELECT 1 FROM changelog_changes WHERE id = ?1");
  row.Bind(1, id);
  const bool held = row.Step();
  row.Reset();
  return held;
}

std::optional<Change> ChangelogStore::Read(const std::string& id) {
  SqliteDb& sql = library_.sql();
  Statement& row = sql.Prepare(
      "SELECT model, record_uuid, author_device, hlc, deleted, owned, seq FROM changelog_changes WHERE id = ?1");
  row.Bind(1, id);
  if (!row.Step()) {
    row.Reset();
    return std::nullopt;
  }
  Change change{.id = id,
                .model = row.Text(0),
                .record_uuid = Uuid::Parse(row.Text(1)).value(),
                .author = Uuid::Parse(row.Text(2)).value(),
                .hlc = row.Text(3),
                .deleted = row.Int(4) != 0,
                .owned = row.Int(5) != 0,
                .seq = static_cast<uint64_t>(row.Int(6))};
  row.Reset();
  Statement& fields =
      sql.Prepare("SELECT field, value, version FROM changelog_change_fields WHERE change_id = ?1 ORDER BY field");
  fields.Bind(1, id);
  while (fields.Step()) change.fields[fields.Text(0)] = ChangeField{nlohmann::json::parse(fields.Text(1)), fields.Text(2)};
  fields.Reset();
  return change;
}

void ChangelogStore::MarkMerged(const std::string& id) {
  library_.sql().Prepare("UPDATE changelog_changes SET merged = 1 WHERE id = ?1").Bind(1, id).Run();
}

std::vector<std::string> ChangelogStore::ReadIds(Statement& statement) {
  std::vector<std::string> ids;
  while (statement.Step()) ids.push_back(statement.Text(0));
  statement.Reset();
  return ids;
}

std::vector<std::string> ChangelogStore::IdsInRange(const std::string& lo, const std::string& hi) {
  Statement& select = library_.sql().Prepare("SELECT id FROM changelog_changes WHERE id >= ?1 AND id < ?2 ORDER BY id");
  select.Bind(1, lo).Bind(2, hi);
  return ReadIds(select);
}

std::vector<ChangelogStore::Unmerged> ChangelogStore::UnmergedChanges() {
  Statement& select = library_.sql().Prepare(
      "SELECT id, owned, author_device, seq FROM changelog_changes WHERE merged = 0 ORDER BY id");
  std::vector<Unmerged> changes;
  while (select.Step()) {
    changes.push_back(Unmerged{select.Text(0), select.Int(1) != 0, Uuid::Parse(select.Text(2)).value(),
                               static_cast<uint64_t>(select.Int(3))});
  }
  select.Reset();
  return changes;
}

std::vector<std::string> ChangelogStore::UnmergedIds() {
  Statement& select = library_.sql().Prepare("SELECT id FROM changelog_changes WHERE merged = 0 ORDER BY id");
  return ReadIds(select);
}

std::optional<std::string> ChangelogStore::NewestSharedHlc() {
  Statement& newest = library_.sql().Prepare("SELECT max(hlc) FROM changelog_changes WHERE owned = 0");
  std::optional<std::string> hlc;
  if (newest.Step() && !newest.IsNull(0)) hlc = newest.Text(0);
  newest.Reset();
  return hlc;
}

std::string ChangelogStore::NewestIdBy(const Uuid& author) {
  Statement& newest = library_.sql().Prepare("SELECT max(id) FROM changelog_changes WHERE author_device = ?1");
  newest.Bind(1, author.ToString());
  std::string id;
  if (newest.Step() && !newest.IsNull(0)) id = newest.Text(0);
  newest.Reset();
  return id;
}

uint64_t ChangelogStore::NextOwnedSeq(const Uuid& author) {
  Statement& newest =
      library_.sql().Prepare("SELECT coalesce(max(seq), 0) FROM changelog_changes WHERE author_device = ?1 AND owned = 1");
  newest.Bind(1, author.ToString());
  newest.Step();
  const int64_t seq = newest.Int(0);
  newest.Reset();
  return static_cast<uint64_t>(seq) + 1;
}

uint64_t ChangelogStore::OwnedMergedThrough(const Uuid& author) {
  Statement& select = library_.sql().Prepare(
      "SELECT seq FROM changelog_changes WHERE author_device = ?1 AND owned = 1 AND merged = 1 ORDER BY seq");
  select.Bind(1, author.ToString());
  uint64_t through = 0;
  while (select.Step() && static_cast<uint64_t>(select.Int(0)) == through + 1) ++through;
  select.Reset();
  return through;
}

void ChangelogStore::AddPeer(const Uuid& peer) {
  library_.sql().Prepare("INSERT OR IGNORE INTO changelog_peers (peer) VALUES (?1)").Bind(1, peer.ToString()).Run();
}

std::vector<Uuid> ChangelogStore::Peers() {
  Statement& select = library_.sql().Prepare("SELECT peer FROM changelog_peers ORDER BY peer");
  std::vector<Uuid> peers;
  for (const std::string& text : ReadIds(select)) peers.push_back(Uuid::Parse(text).value());
  return peers;
}

void ChangelogStore::NoteAcked(const Uuid& peer, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    library_.sql()
        .Prepare("INSERT OR IGNORE INTO changelog_acks (peer, change_id) VALUES (?1, ?2)")
        .Bind(1, peer.ToString())
        .Bind(2, id)
        .Run();
  }
}

void ChangelogStore::NoteAckedThrough(const Uuid& peer, const Uuid& author, const std::string& through) {
  library_.sql()
      .Prepare(
          "INSERT OR IGNORE INTO changelog_acks (peer, change_id) SELECT ?1, id FROM changelog_changes "
          "WHERE author_device = ?2 AND owned = 0 AND id <= ?3")
      .Bind(1, peer.ToString())
      .Bind(2, author.ToString())
      .Bind(3, through)
      .Run();
}

int64_t ChangelogStore::CountUnacked(const Uuid& peer, const Uuid& author) {
  Statement& count = library_.sql().Prepare(
      "SELECT count(*) FROM changelog_changes WHERE author_device = ?1 AND owned = 0 AND id NOT IN "
      "(SELECT change_id FROM changelog_acks WHERE peer = ?2)");
  count.Bind(1, author.ToString()).Bind(2, peer.ToString());
  count.Step();
  const int64_t unacked = count.Int(0);
  count.Reset();
  return unacked;
}

}  // namespace syncsim::core::changelog
