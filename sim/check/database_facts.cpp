#include "sim/check/database_facts.h"

#include <algorithm>

#include <fmt/format.h>

namespace syncsim::sim {
namespace {

int64_t QueryInt(core::SqliteDb& db, const std::string& sql) {
  core::Statement& statement = db.Prepare(sql);
  int64_t value = 0;
  if (statement.Step() && !statement.IsNull(0)) value = statement.Int(0);
  statement.Reset();
  return value;
}

// The path every directory must have, derived from the entry rows alone the
// way LibraryDb::RefreshDirectoryPaths builds it: its parent's path (none
// when the parent is missing or not a directory, which starts a path of its
// own, as for a root) plus '/' and its name. A directory on a parent cycle
// is reached from no start, gets no expected path and counts as an error.
constexpr const char* kExpectedDirectoryPaths =
    "WITH RECURSIVE expected(id, path) AS ("
    "SELECT e.id, '/' || COALESCE(e.name, '') FROM entry e WHERE e.kind = 1 AND NOT EXISTS "
    "(SELECT 1 FROM entry p WHERE p.id = e.parent_id AND p.kind = 1) "
    "UNION ALL "
    "SELECT c.id, x.path || '/' || COALESCE(c.name, '') FROM entry c JOIN expected x ON c.parent_id = x.id "
    "WHERE c.kind = 1) ";

// The entries whose directory_paths row breaks the contract: a directory
// without its row or with another path than expected, and a row for an
// entry that is missing or not a directory (a rename, move or kind change
// that forgot the refresh leaves one of these behind).
constexpr const char* kDirectoryPathErrors =
    "SELECT e.uuid FROM entry e LEFT JOIN expected x ON x.id = e.id "
    "LEFT JOIN directory_paths d ON d.entry_id = e.id "
    "WHERE e.kind = 1 AND (x.path IS NULL OR d.path IS NULL OR d.path != x.path) "
    "UNION ALL "
    "SELECT COALESCE((SELECT e.uuid FROM entry e WHERE e.id = d.entry_id), 'missing entry ' || d.entry_id) "
    "FROM directory_paths d WHERE NOT EXISTS (SELECT 1 FROM entry e WHERE e.id = d.entry_id AND e.kind = 1) ";

void ReadDirectoryPathErrors(core::SqliteDb& db, DatabaseFacts* facts) {
  facts->directory_path_errors =
      QueryInt(db, fmt::format("{}SELECT count(*) FROM ({})", kExpectedDirectoryPaths, kDirectoryPathErrors));
  core::Statement& samples = db.Prepare(fmt::format("{}SELECT * FROM ({}) ORDER BY 1 LIMIT {}", kExpectedDirectoryPaths,
                                                    kDirectoryPathErrors, kSampleUuidsMax));
  while (samples.Step()) facts->directory_path_error_samples.push_back(samples.Text(0));
  samples.Reset();
}

// The device and library the database names, and its HLC (sync_state).
void ReadIdentity(core::SqliteDb& db, DatabaseFacts* facts) {
  core::Statement& state = db.Prepare("SELECT key, value FROM sync_state ORDER BY key");
  while (state.Step()) {
    if (state.Text(0) == "hlc") facts->hlc = state.Text(1);
    if (state.Text(0) == "device_uuid") facts->device_uuid = state.Text(1);
    if (state.Text(0) == "device_name") facts->device_name = state.Text(1);
    if (state.Text(0) == "library_id") facts->library_id = state.Text(1);
  }
  state.Reset();
}

// Rows, dangling foreign keys and dangling uuid references per model.
void ReadModelCounts(core::SqliteDb& db, const core::ModelRegistry& registry, DatabaseFacts* facts) {
  for (const core::ModelSpec& model : registry.models()) {
    facts->counts[model.name] = QueryInt(db, fmt::format("SELECT count(*) FROM {}", model.name));
    for (const core::ForeignKeySpec& key : model.foreign_keys) {
      facts->dangling[model.name + "." + key.column] = QueryInt(
          db, fmt::format("SELECT count(*) FROM {0} t WHERE t.{1} IS NOT NULL AND NOT EXISTS "
                          "(SELECT 1 FROM {2} WHERE id = t.{1})",
                          model.name, key.column, key.target_model));
    }
    for (const core::UuidReferenceSpec& reference : model.uuid_references) {
      facts->dangling_uuid_references[model.name + "." + reference.column] = QueryInt(
          db, fmt::format("SELECT count(*) FROM {0} t WHERE t.{1} IS NOT NULL AND NOT EXISTS "
                          "(SELECT 1 FROM {2} WHERE uuid = t.{1})",
                          model.name, reference.column, reference.target_model));
    }
  }
}

// Files, content links, orphans, the closure and directory paths.
void ReadEntryFacts(core::SqliteDb& db, DatabaseFacts* facts) {
  facts->files = QueryInt(db, "SELECT count(*) FROM entry WHERE kind = 0");
  facts->directories = QueryInt(db, "SELECT count(*) FROM entry WHERE kind = 1");
  facts->files_with_content = QueryInt(
      db, "SELECT count(*) FROM entry e WHERE e.kind = 0 AND EXISTS (SELECT 1 FROM content_identity c WHERE "
          "c.id = e.content_id)");
  // A root is an entry some location names as its root; every other entry
  // needs a parent that exists.
  const std::string orphan_condition =
      "FROM entry e WHERE NOT EXISTS (SELECT 1 FROM entry p WHERE p.id = e.parent_id) "
      "AND NOT EXISTS (SELECT 1 FROM location l WHERE l.entry_id = e.id)";
  facts->orphans = QueryInt(db, "SELECT count(*) " + orphan_condition);
  {
    core::Statement& samples =
        db.Prepare(fmt::format("SELECT e.uuid {} ORDER BY e.uuid LIMIT {}", orphan_condition, kSampleUuidsMax));
    while (samples.Step()) facts->orphan_samples.push_back(samples.Text(0));
    samples.Reset();
  }
  facts->closure_rows = QueryInt(db, "SELECT count(*) FROM entry_closure");
  facts->directory_paths = QueryInt(db, "SELECT count(*) FROM directory_paths");
  ReadDirectoryPathErrors(db, facts);
  // The closure is right when each entry has its self row and exactly one
  // more row than its parent (one per ancestor), and each ancestor row
  // continues through the parent at one less depth.
  facts->closure_errors = QueryInt(
      db,
      "SELECT count(*) FROM entry e WHERE "
      "NOT EXISTS (SELECT 1 FROM entry_closure c WHERE c.ancestor_id = e.id AND c.descendant_id = e.id AND "
      "c.depth = 0) "
      "OR (SELECT count(*) FROM entry_closure c WHERE c.descendant_id = e.id) != 1 + "
      "COALESCE((SELECT count(*) FROM entry_closure c JOIN entry p ON p.id = c.descendant_id WHERE p.id = "
      "e.parent_id), 0) "
      "OR EXISTS (SELECT 1 FROM entry_closure c WHERE c.descendant_id = e.id AND c.depth > 0 AND NOT EXISTS "
      "(SELECT 1 FROM entry_closure up WHERE up.ancestor_id = c.ancestor_id AND up.descendant_id = e.parent_id "
      "AND up.depth = c.depth - 1))");
}

// Records parked by the record applier (pending_dependencies), grouped
// by the record they wait for. Read here, from the database alone, because
// summaries rebuilt from a saved snapshot need them too.
void ReadParked(core::SqliteDb& db, DatabaseFacts* facts) {
  facts->parked_records = QueryInt(db, "SELECT count(*) FROM pending_dependencies WHERE kind = 'record'");
  facts->deferred_links = QueryInt(db, "SELECT count(*) FROM pending_dependencies WHERE kind = 'link'");
  {
    core::Statement& groups = db.Prepare(
        "SELECT missing_model, missing_uuid, count(*) AS records FROM pending_dependencies WHERE kind = 'record' "
        "GROUP BY missing_model, missing_uuid ORDER BY records DESC, missing_uuid");
    while (groups.Step()) facts->parked_groups.push_back({groups.Text(0), groups.Text(1), groups.Int(2), {}});
    groups.Reset();
    for (ParkedGroup& group : facts->parked_groups) {
      core::Statement& samples = db.Prepare(
          "SELECT model, record_uuid FROM pending_dependencies WHERE kind = 'record' AND missing_uuid = ?1 "
          "ORDER BY record_uuid LIMIT ?2");
      samples.Bind(1, group.missing_uuid).Bind(2, static_cast<int64_t>(kSampleUuidsMax));
      while (samples.Step()) group.sample_records.push_back(samples.Text(0) + ":" + samples.Text(1));
      samples.Reset();
    }
  }
}

// The leaderless engine's tables (watermarks, the shared log, acks) and the
// tombstones, read from the database alone for the same reason: a saved
// snapshot's summary.json holds them.
void ReadSyncTables(core::SqliteDb& db, DatabaseFacts* facts) {
  {
    core::Statement& watermarks = db.Prepare("SELECT peer, model, watermark FROM resource_watermarks ORDER BY peer, model");
    while (watermarks.Step()) facts->watermarks[watermarks.Text(0)][watermarks.Text(1)] = watermarks.Text(2);
    watermarks.Reset();
  }
  facts->shared_log_size = QueryInt(db, "SELECT count(*) FROM shared_changes");
  {
    core::Statement& acks = db.Prepare("SELECT peer, last_acked_hlc FROM peer_acks ORDER BY peer");
    while (acks.Step()) facts->peer_acks[acks.Text(0)] = acks.Text(1);
    acks.Reset();
  }
  facts->tombstones = QueryInt(db, "SELECT count(*) FROM tombstones");
}

}  // namespace

std::map<std::string, nlohmann::json> ReadSyncedRows(core::SqliteDb& db, const core::ModelSpec& model) {
  std::string selected;
  for (const core::ColumnSpec& column : model.columns) selected += ", t." + column.name;
  for (const core::ForeignKeySpec& key : model.foreign_keys) {
    selected += fmt::format(", (SELECT uuid FROM {} WHERE id = t.{})", key.target_model, key.column);
  }
  core::Statement& statement = db.Prepare(fmt::format("SELECT t.uuid{} FROM {} t ORDER BY t.uuid", selected, model.name));
  std::map<std::string, nlohmann::json> rows;
  while (statement.Step()) {
    nlohmann::json data = nlohmann::json::object();
    int column = 1;
    for (const core::ColumnSpec& spec : model.columns) data[spec.name] = statement.Json(column++);
    for (const core::ForeignKeySpec& key : model.foreign_keys) data[key.wire_field] = statement.Json(column++);
    rows.emplace(statement.Text(0), std::move(data));
  }
  statement.Reset();
  return rows;
}

DatabaseFacts ReadDatabaseFacts(core::SqliteDb& db, const core::ModelRegistry& registry) {
  DatabaseFacts facts;
  ReadIdentity(db, &facts);
  ReadModelCounts(db, registry, &facts);
  ReadEntryFacts(db, &facts);
  ReadParked(db, &facts);
  ReadSyncTables(db, &facts);
  return facts;
}

nlohmann::json ToJson(const DatabaseFacts& facts) {
  nlohmann::json parked = nlohmann::json::array();
  for (const ParkedGroup& group : facts.parked_groups) {
    parked.push_back({{"missing_model", group.missing_model},
                      {"missing_uuid", group.missing_uuid},
                      {"records", group.records},
                      {"sample_records", group.sample_records}});
  }
  return nlohmann::json{{"device_uuid", facts.device_uuid},
                        {"device_name", facts.device_name},
                        {"library_id", facts.library_id},
                        {"counts", facts.counts},
                        {"files", facts.files},
                        {"directories", facts.directories},
                        {"files_with_content", facts.files_with_content},
                        {"orphans", facts.orphans},
                        {"orphan_samples", facts.orphan_samples},
                        {"dangling_foreign_keys", facts.dangling},
                        {"dangling_uuid_references", facts.dangling_uuid_references},
                        {"closure_rows", facts.closure_rows},
                        {"closure_errors", facts.closure_errors},
                        {"directory_paths", facts.directory_paths},
                        {"directory_path_errors", facts.directory_path_errors},
                        {"directory_path_error_samples", facts.directory_path_error_samples},
                        {"parked_records", facts.parked_records},
                        {"deferred_links", facts.deferred_links},
                        {"parked_by_dependency", parked},
                        {"watermarks", facts.watermarks},
                        {"shared_log_size", facts.shared_log_size},
                        {"peer_acks", facts.peer_acks},
                        {"hlc", facts.hlc},
                        {"tombstones", facts.tombstones}};
}

}  // namespace syncsim::sim
