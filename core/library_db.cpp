#include "core/library_db.h"

#include "core/storage_error.h"

#include <cassert>

#include <fmt/format.h>

namespace syncsim::core {
namespace {

// The sync tables of DESIGN.md 3.2, plus the derived entry tables.
constexpr const char* kSyncSchema = R"sql(
CREATE TABLE entry_closure (
  ancestor_id INTEGER NOT NULL REFERENCES entry(id),
  descendant_id INTEGER NOT NULL REFERENCES entry(id),
  depth INTEGER NOT NULL,
  PRIMARY KEY (ancestor_id, descendant_id)) WITHOUT ROWID;
CREATE INDEX entry_closure_by_descendant ON entry_closure(descendant_id);
CREATE TABLE directory_paths (
  entry_id INTEGER PRIMARY KEY REFERENCES entry(id),
  path TEXT NOT NULL);
CREATE TABLE shared_changes (
  hlc TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  record_uuid TEXT NOT NULL,
  change_type TEXT NOT NULL,
  data TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE peer_acks (
  peer TEXT PRIMARY KEY,
  last_acked_hlc TEXT NOT NULL);
CREATE TABLE resource_watermarks (
  peer TEXT NOT NULL,
  model TEXT NOT NULL,
  watermark TEXT NOT NULL,
  PRIMARY KEY (peer, model)) WITHOUT ROWID;
CREATE TABLE record_versions (
  model TEXT NOT NULL,
  uuid TEXT NOT NULL,
  field TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (model, uuid, field)) WITHOUT ROWID;
CREATE INDEX record_versions_by_owner ON record_versions(model, owner, version, uuid);
CREATE TABLE pending_dependencies (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  model TEXT NOT NULL,
  record_uuid TEXT NOT NULL,
  field TEXT NOT NULL DEFAULT '',
  missing_model TEXT NOT NULL,
  missing_uuid TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL,
  payload TEXT NOT NULL);
CREATE INDEX pending_dependencies_by_missing ON pending_dependencies(missing_uuid);
CREATE INDEX pending_dependencies_by_record ON pending_dependencies(model, record_uuid);
CREATE TABLE tombstones (
  model TEXT NOT NULL,
  uuid TEXT NOT NULL,
  version TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (model, uuid)) WITHOUT ROWID;
CREATE INDEX tombstones_by_owner ON tombstones(model, owner, version, uuid);
CREATE TABLE sync_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL) WITHOUT ROWID;
)sql";

}  // namespace

Status LibraryDb::Open(const std::string& path, const ModelRegistry& registry, std::unique_ptr<LibraryDb>* result,
                       const LibraryDbOptions& options) {
  std::unique_ptr<SqliteDb> db;
  Status status = SqliteDb::Open(path, &db, options.vfs);
  if (!status.ok()) return status;
  // Foreign keys are declared for anyone querying a snapshot, but not
  // enforced: dangling references are what the checker must observe under
  // the regression policies, not something SQLite should refuse.
  status = db->TryExecute("PRAGMA foreign_keys = OFF; " + options.pragmas);
  if (!status.ok()) return Status::IoError(path + ": " + status.message());
  std::unique_ptr<LibraryDb> library(new LibraryDb(std::move(db), registry));
  sqlite3_rollback_hook(library->sql().handle(), &LibraryDb::OnRollback, library.get());
  // Reading the schema is the first read of the file, and creating it the
  // first write: a damaged file or a failing disk shows here.
  try {
    Statement& exists = library->sql().Prepare("SELECT count(*) FROM sqlite_master WHERE name = 'sync_state'");
    if (!exists.Step()) return Status::Corruption(path + ": cannot read the schema");
    bool is_new = exists.Int(0) == 0;
    exists.Reset();
    if (is_new) library->CreateSchema();
  } catch (const StorageError& error) {
    return Status::IoError(path + ": " + error.what());
  }
  *result = std::move(library);
  return Status::Ok();
}

void LibraryDb::CreateSchema() {
  std::string schema = "BEGIN;\n";
  for (const ModelSpec& model : registry_.models()) {
    std::string table = fmt::format("CREATE TABLE {} (\n  id INTEGER PRIMARY KEY,\n  uuid TEXT NOT NULL UNIQUE", model.name);
    for (const ColumnSpec& column : model.columns) {
      table += fmt::format(",\n  {} {}{}", column.name, ColumnTypeSqlName(column.type), column.nullable ? "" : " NOT NULL");
    }
    for (const ForeignKeySpec& key : model.foreign_keys) {
      table += fmt::format(",\n  {} INTEGER REFERENCES {}(id)", key.column, key.target_model);
    }
    for (const std::string& field : model.excluded_fields) table += fmt::format(",\n  {}", field);
    table += ");\n";
    schema += table;
    for (const ForeignKeySpec& key : model.foreign_keys) {
      schema += fmt::format("CREATE INDEX {0}_by_{1} ON {0}({1});\n", model.name, key.column);
    }
    // A delete looks up the records that name the deleted one by uuid.
    for (const UuidReferenceSpec& reference : model.uuid_references) {
      schema += fmt::format("CREATE INDEX {0}_by_{1} ON {0}({1});\n", model.name, reference.column);
    }
  }
  schema += kSyncSchema;
  schema += "COMMIT;";
  db_->Execute(schema);
}

const LibraryDb::ModelSql& LibraryDb::SqlFor(const ModelSpec& model) {
  auto found = model_sql_.find(model.name);
  if (found != model_sql_.end()) return found->second;
  ModelSql sql;
  sql.select_id = fmt::format("SELECT id FROM {} WHERE uuid = ?1", model.name);
  sql.select_uuid = fmt::format("SELECT uuid FROM {} WHERE id = ?1", model.name);
  for (const ColumnSpec& column : model.columns) sql.upsert_columns.push_back(column.name);
  for (const ForeignKeySpec& key : model.foreign_keys) sql.upsert_columns.push_back(key.column);
  // A plain INSERT or an UPDATE by id rather than one upsert: an upsert
  // needs RETURNING for the id, and SQLite runs RETURNING through an
  // ephemeral table, which costs more than the row itself.
  std::string names = "uuid";
  std::string values = "?1";
  std::string updates;
  for (size_t i = 0; i < sql.upsert_columns.size(); ++i) {
    names += ", " + sql.upsert_columns[i];
    values += fmt::format(", ?{}", i + 2);
    updates += fmt::format("{}{} = ?{}", i == 0 ? "" : ", ", sql.upsert_columns[i], i + 2);
  }
  sql.insert = fmt::format("INSERT INTO {} ({}) VALUES ({})", model.name, names, values);
  if (!updates.empty()) sql.update = fmt::format("UPDATE {} SET {} WHERE id = ?1", model.name, updates);
  std::string selected;
  for (const ColumnSpec& column : model.columns) selected += ", t." + column.name;
  for (const ForeignKeySpec& key : model.foreign_keys) {
    selected += fmt::format(", (SELECT uuid FROM {} WHERE id = t.{})", key.target_model, key.column);
  }
  sql.read_wire = fmt::format("SELECT t.id{} FROM {} t WHERE t.uuid = ?1", selected, model.name);
  return model_sql_.emplace(model.name, std::move(sql)).first->second;
}

void LibraryDb::OnRollback(void* library) { static_cast<LibraryDb*>(library)->local_ids_.clear(); }

std::optional<int64_t> LibraryDb::LocalId(const ModelSpec& model, const Uuid& uuid) {
  auto ids = local_ids_.find(model.name);
  if (ids != local_ids_.end()) {
    if (auto found = ids->second.find(uuid); found != ids->second.end()) return found->second;
  }
  Statement& statement = db_->Prepare(SqlFor(model).select_id);
  statement.Bind(1, uuid.ToString());
  std::optional<int64_t> id;
  if (statement.Step()) id = statement.Int(0);
  statement.Reset();
  if (id.has_value()) local_ids_[model.name][uuid] = *id;
  return id;
}

std::optional<Uuid> LibraryDb::UuidOf(const ModelSpec& model, int64_t id) {
  Statement& statement = db_->Prepare(SqlFor(model).select_uuid);
  statement.Bind(1, id);
  std::optional<Uuid> uuid;
  if (statement.Step()) uuid = Uuid::Parse(statement.Text(0));
  statement.Reset();
  return uuid;
}

int64_t LibraryDb::UpsertRecord(const ModelSpec& model, const Uuid& uuid, const nlohmann::json& data,
                                const std::map<std::string, std::optional<int64_t>>& foreign_keys) {
  const bool is_entry = model.name == "entry";
  // Whether the record exists decides between an insert and an update; for
  // entries, the previous parent and name decide whether the closure and the
  // directory paths need work.
  std::optional<int64_t> previous_id;
  std::optional<int64_t> previous_parent;
  nlohmann::json previous_name;
  nlohmann::json previous_kind;
  if (is_entry) {
    Statement& previous = db_->Prepare("SELECT id, parent_id, name, kind FROM entry WHERE uuid = ?1");
    previous.Bind(1, uuid.ToString());
    if (previous.Step()) {
      previous_id = previous.Int(0);
      if (!previous.IsNull(1)) previous_parent = previous.Int(1);
      previous_name = previous.Json(2);
      previous_kind = previous.Json(3);
    }
    previous.Reset();
  } else {
    previous_id = LocalId(model, uuid);
  }

  const ModelSql& sql = SqlFor(model);
  if (previous_id.has_value() && sql.update.empty()) return *previous_id;  // nothing but the uuid to store
  Statement& write = db_->Prepare(previous_id.has_value() ? sql.update : sql.insert);
  // ?1 is the id for an update, the uuid for an insert; the columns follow.
  if (previous_id.has_value()) {
    write.Bind(1, *previous_id);
  } else {
    write.Bind(1, uuid.ToString());
  }
  int index = 2;
  for (const ColumnSpec& column : model.columns) {
    auto value = data.find(column.name);
    write.BindJson(index++, value == data.end() ? nlohmann::json(nullptr) : *value);
  }
  for (const ForeignKeySpec& key : model.foreign_keys) {
    auto value = foreign_keys.find(key.column);
    write.BindOptional(index++, value == foreign_keys.end() ? std::nullopt : value->second);
  }
  write.Run();
  const int64_t id = previous_id.has_value() ? *previous_id : db_->LastInsertRowId();
  if (!previous_id.has_value()) local_ids_[model.name][uuid] = id;

  if (is_entry) {
    auto parent = foreign_keys.find("parent_id");
    std::optional<int64_t> parent_id = parent == foreign_keys.end() ? std::nullopt : parent->second;
    if (!previous_id.has_value()) {
      InsertClosure(id, parent_id);
      // A new entry has nothing below it yet: only a directory needs a path
      // (most inserts are files, and this is the hot path of indexing).
      if (data.value("kind", nlohmann::json(nullptr)) == 1) RefreshDirectoryPaths(id);
    } else if (previous_parent != parent_id) {
      MoveSubtree(id, parent_id);
      RefreshDirectoryPaths(id);
    } else if (previous_name != data.value("name", nlohmann::json(nullptr)) ||
               previous_kind != data.value("kind", nlohmann::json(nullptr))) {
      RefreshDirectoryPaths(id);
    }
  }
  return id;
}

void LibraryDb::SetForeignKey(const ModelSpec& model, const Uuid& uuid, const std::string& column,
                              int64_t target_id) {
  if (model.name == "entry" && column == "parent_id") {
    std::optional<int64_t> id = LocalId(model, uuid);
    assert(id.has_value());
    Statement& update = db_->Prepare("UPDATE entry SET parent_id = ?2 WHERE id = ?1");
    update.Bind(1, *id).Bind(2, target_id).Run();
    MoveSubtree(*id, target_id);
    RefreshDirectoryPaths(*id);
    return;
  }
  Statement& update = db_->Prepare(fmt::format("UPDATE {} SET {} = ?2 WHERE uuid = ?1", model.name, column));
  update.Bind(1, uuid.ToString()).Bind(2, target_id).Run();
}

std::vector<LibraryDb::RemovedRecord> LibraryDb::DeleteRecord(const ModelSpec& model, const Uuid& uuid) {
  std::vector<RemovedRecord> removed;
  std::optional<int64_t> id = LocalId(model, uuid);
  if (!id.has_value()) return removed;
  std::map<Uuid, int64_t>& cached_ids = local_ids_[model.name];
  if (model.name != "entry") {
    db_->Prepare(fmt::format("DELETE FROM {} WHERE id = ?1", model.name)).Bind(1, *id).Run();
    cached_ids.erase(uuid);
    removed.push_back({uuid, *id});
    return removed;
  }
  // The subtree, shallowest first so the record itself comes first.
  std::vector<int64_t> subtree;
  Statement& select = db_->Prepare(
      "SELECT c.descendant_id, e.uuid FROM entry_closure c JOIN entry e ON e.id = c.descendant_id "
      "WHERE c.ancestor_id = ?1 ORDER BY c.depth, e.uuid");
  select.Bind(1, *id);
  while (select.Step()) {
    subtree.push_back(select.Int(0));
    std::optional<Uuid> parsed = Uuid::Parse(select.Text(1));
    assert(parsed.has_value());
    removed.push_back({*parsed, select.Int(0)});
  }
  select.Reset();
  for (int64_t member : subtree) {
    db_->Prepare("DELETE FROM entry_closure WHERE descendant_id = ?1").Bind(1, member).Run();
    db_->Prepare("DELETE FROM directory_paths WHERE entry_id = ?1").Bind(1, member).Run();
    db_->Prepare("DELETE FROM entry WHERE id = ?1").Bind(1, member).Run();
    // A location whose root goes away keeps existing without a root.
    db_->Prepare("UPDATE location SET entry_id = NULL WHERE entry_id = ?1").Bind(1, member).Run();
  }
  for (const RemovedRecord& gone : removed) cached_ids.erase(gone.uuid);
  return removed;
}

bool LibraryDb::WouldCreateCycle(int64_t entry_id, int64_t parent_id) {
  if (entry_id == parent_id) return true;
  Statement& statement =
      db_->Prepare("SELECT 1 FROM entry_closure WHERE ancestor_id = ?1 AND descendant_id = ?2");
  statement.Bind(1, entry_id).Bind(2, parent_id);
  bool below = statement.Step();
  statement.Reset();
  return below;
}

void LibraryDb::InsertClosure(int64_t entry_id, std::optional<int64_t> parent_id) {
  db_->Prepare("INSERT OR REPLACE INTO entry_closure (ancestor_id, descendant_id, depth) VALUES (?1, ?1, 0)")
      .Bind(1, entry_id)
      .Run();
  if (!parent_id.has_value()) return;
  // The parent's ancestors are read first and inserted row by row: an
  // INSERT ... SELECT from the table it writes makes SQLite copy the
  // selection into an ephemeral table on every call.
  std::vector<std::pair<int64_t, int64_t>> ancestors;  // (ancestor, depth above the parent)
  Statement& select = db_->Prepare("SELECT ancestor_id, depth FROM entry_closure WHERE descendant_id = ?1");
  select.Bind(1, *parent_id);
  while (select.Step()) ancestors.emplace_back(select.Int(0), select.Int(1));
  select.Reset();
  Statement& insert =
      db_->Prepare("INSERT OR REPLACE INTO entry_closure (ancestor_id, descendant_id, depth) VALUES (?1, ?2, ?3)");
  for (const auto& [ancestor, depth] : ancestors) {
    insert.Reset();
    insert.Bind(1, ancestor).Bind(2, entry_id).Bind(3, depth + 1).Run();
  }
}

void LibraryDb::MoveSubtree(int64_t entry_id, std::optional<int64_t> new_parent_id) {
  // Detach: remove every path from an ancestor outside the subtree into it.
  db_->Prepare(
         "DELETE FROM entry_closure WHERE descendant_id IN "
         "(SELECT descendant_id FROM entry_closure WHERE ancestor_id = ?1) "
         "AND ancestor_id NOT IN (SELECT descendant_id FROM entry_closure WHERE ancestor_id = ?1)")
      .Bind(1, entry_id)
      .Run();
  if (!new_parent_id.has_value()) return;
  // Attach: every ancestor of the new parent reaches every member.
  db_->Prepare(
         "INSERT OR REPLACE INTO entry_closure (ancestor_id, descendant_id, depth) "
         "SELECT above.ancestor_id, below.descendant_id, above.depth + below.depth + 1 "
         "FROM entry_closure above, entry_closure below "
         "WHERE above.descendant_id = ?2 AND below.ancestor_id = ?1")
      .Bind(1, entry_id)
      .Bind(2, *new_parent_id)
      .Run();
}

void LibraryDb::RefreshDirectoryPaths(int64_t entry_id) {
  // Recompute the path of the entry and of every directory below it,
  // shallowest first so each parent's path is fresh when a child reads it.
  std::vector<std::pair<int64_t, int64_t>> members;  // (id, kind)
  Statement& select = db_->Prepare(
      "SELECT e.id, e.kind FROM entry_closure c JOIN entry e ON e.id = c.descendant_id "
      "WHERE c.ancestor_id = ?1 ORDER BY c.depth, e.id");
  select.Bind(1, entry_id);
  while (select.Step()) members.emplace_back(select.Int(0), select.Int(1));
  select.Reset();
  for (const auto& [member, kind] : members) {
    if (kind != 1) {
      db_->Prepare("DELETE FROM directory_paths WHERE entry_id = ?1").Bind(1, member).Run();
      continue;
    }
    // A directory's path is its parent's path plus its name; a root (or an
    // orphan whose parent is unknown) starts a path of its own.
    db_->Prepare(
           "INSERT OR REPLACE INTO directory_paths (entry_id, path) "
           "SELECT e.id, COALESCE((SELECT path FROM directory_paths WHERE entry_id = e.parent_id), '') "
           "|| '/' || COALESCE(e.name, '') FROM entry e WHERE e.id = ?1")
        .Bind(1, member)
        .Run();
  }
}

std::optional<nlohmann::json> LibraryDb::ReadWireData(const ModelSpec& model, const Uuid& uuid) {
  Statement& statement = db_->Prepare(SqlFor(model).read_wire);
  statement.Bind(1, uuid.ToString());
  if (!statement.Step()) {
    statement.Reset();
    return std::nullopt;
  }
  nlohmann::json data = nlohmann::json::object();
  int column = 1;
  for (const ColumnSpec& spec : model.columns) data[spec.name] = statement.Json(column++);
  for (const ForeignKeySpec& key : model.foreign_keys) data[key.wire_field] = statement.Json(column++);
  statement.Reset();
  return data;
}

std::map<std::string, std::string> LibraryDb::FieldVersions(const std::string& model, const Uuid& uuid) {
  std::map<std::string, std::string> versions;
  Statement& select =
      db_->Prepare("SELECT field, version FROM record_versions WHERE model = ?1 AND uuid = ?2 AND field != ''");
  select.Bind(1, model).Bind(2, uuid.ToString());
  while (select.Step()) versions[select.Text(0)] = select.Text(1);
  select.Reset();
  return versions;
}

int64_t LibraryDb::Count(const std::string& model) {
  Statement& statement = db_->Prepare(fmt::format("SELECT count(*) FROM {}", model));
  bool row = statement.Step();
  assert(row);
  int64_t count = statement.Int(0);
  statement.Reset();
  return count;
}

std::optional<std::string> LibraryDb::GetState(const std::string& key) {
  Statement& statement = db_->Prepare("SELECT value FROM sync_state WHERE key = ?1");
  statement.Bind(1, key);
  std::optional<std::string> value;
  if (statement.Step()) value = statement.Text(0);
  statement.Reset();
  return value;
}

void LibraryDb::SetState(const std::string& key, const std::string& value) {
  db_->Prepare("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)").Bind(1, key).Bind(2, value).Run();
}

}  // namespace syncsim::core
