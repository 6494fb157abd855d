// LibraryDb: one device's library database. It owns the SQLite connection and
// the schema derived from the model registry: the entity tables (one per
// model, each with a local `id INTEGER PRIMARY KEY`, its global `uuid`, its
// synced columns, its foreign keys as local ids with REFERENCES, and its
// local-only columns), the derived tables kept consistent on every change
// (`entry_closure`, `directory_paths`), and the sync tables of DESIGN.md 3.2.
//
// LibraryDb knows rows and local ids; it does not know sync policy. Mapping
// uuids to local ids, parking and last-writer-wins live in RecordApplier.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model_registry.h"
#include "core/sqlite_db.h"
#include "core/status.h"
#include "core/uuid.h"

namespace syncsim::core {

// How a library database is opened: through which SQLite VFS, and with
// which journal and durability pragmas (run before anything is written,
// since a journal mode chosen later would not cover the schema).
struct LibraryDbOptions {
  std::string vfs;  // empty: SQLite's default VFS
  std::string pragmas = "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;";
};

class LibraryDb {
 public:
  // Opens the database at `path` (":memory:" for a private in-memory one)
  // and creates the schema if the database is new. `registry` must outlive
  // the LibraryDb. On failure (the storage's too: a damaged file, an I/O
  // error) returns a Status naming the path; nothing is opened.
  static Status Open(const std::string& path, const ModelRegistry& registry, std::unique_ptr<LibraryDb>* result,
                     const LibraryDbOptions& options = {});

  SqliteDb& sql() { return *db_; }
  const ModelRegistry& registry() const { return registry_; }

  // The local id of the record `uuid` of `model`, or nullopt when absent.
  // Answered from a cache of ids already seen when it can (see local_ids_).
  // REQUIRES: `model` is in the registry.
  std::optional<int64_t> LocalId(const ModelSpec& model, const Uuid& uuid);
  // The uuid of the record with local id `id`, or nullopt when absent.
  std::optional<Uuid> UuidOf(const ModelSpec& model, int64_t id);

  // Inserts the record or updates it in place (matched by uuid). `data` holds
  // the synced columns by name (absent ones are stored as NULL);
  // `foreign_keys` maps each foreign-key column to its local id or nullopt.
  // Keeps entry_closure and directory_paths consistent for entries. Returns
  // the local id. REQUIRES: inside a transaction; no cycle is created (see
  // WouldCreateCycle).
  int64_t UpsertRecord(const ModelSpec& model, const Uuid& uuid, const nlohmann::json& data,
                       const std::map<std::string, std::optional<int64_t>>& foreign_keys);

  // Sets one foreign-key column of an existing record (a repair).
  void SetForeignKey(const ModelSpec& model, const Uuid& uuid, const std::string& column, int64_t target_id);

  // A row DeleteRecord removed: its uuid and the local id it had, which
  // rows that referred to it still hold (foreign keys are not enforced).
  struct RemovedRecord {
    Uuid uuid;
    int64_t id = 0;
  };
  // Deletes the record. For an entry, its whole subtree goes with it (with
  // closure and path rows). Returns the records removed, the record's first.
  // Absent records are a no-op returning an empty list.
  std::vector<RemovedRecord> DeleteRecord(const ModelSpec& model, const Uuid& uuid);

  // True when making `parent_id` the parent of entry `entry_id` would put the
  // entry below itself.
  bool WouldCreateCycle(int64_t entry_id, int64_t parent_id);

  // The record in wire form (synced columns and foreign keys as uuids), or
  // nullopt when absent. Foreign keys whose target row is missing read as
  // null.
  std::optional<nlohmann::json> ReadWireData(const ModelSpec& model, const Uuid& uuid);

  // The version of each field of a record merged by field (its
  // record_versions rows other than the record's own ''); empty for a
  // record merged whole or not held.
  std::map<std::string, std::string> FieldVersions(const std::string& model, const Uuid& uuid);

  // Number of rows of `model`.
  int64_t Count(const std::string& model);

  // Small key-value store for sync state that must survive a restart (the
  // last HLC, the device uuid). Absent keys read as nullopt.
  std::optional<std::string> GetState(const std::string& key);
  void SetState(const std::string& key, const std::string& value);

 private:
  LibraryDb(std::unique_ptr<SqliteDb> db, const ModelRegistry& registry) : db_(std::move(db)), registry_(registry) {}
  void CreateSchema();
  void InsertClosure(int64_t entry_id, std::optional<int64_t> parent_id);
  void MoveSubtree(int64_t entry_id, std::optional<int64_t> new_parent_id);
  void RefreshDirectoryPaths(int64_t entry_id);

  std::unique_ptr<SqliteDb> db_;
  const ModelRegistry& registry_;
  // Cached SQL per model, built once from the registry.
  struct ModelSql {
    std::string select_id;
    std::string select_uuid;
    std::string insert;  // ?1 the uuid, then the columns
    std::string update;  // ?1 the id, then the columns; empty when the model has none
    std::string read_wire;
    std::vector<std::string> upsert_columns;  // synced columns then FK columns, in bind order from ?2
  };
  const ModelSql& SqlFor(const ModelSpec& model);
  std::map<std::string, ModelSql> model_sql_;
  // model name -> record uuid -> local id, for records known to exist: the
  // foreign-key lookups of every applied record hit the same few parents.
  // Filled by LocalId and by inserts, emptied of what DeleteRecord removes
  // (entity rows change nowhere else: every writer of them is in this
  // class), and cleared whenever a transaction rolls back. Absent records
  // are not cached. Only looked up, never iterated.
  std::map<std::string, std::map<Uuid, int64_t>, std::less<>> local_ids_;
  static void OnRollback(void* library);
};

}  // namespace syncsim::core
