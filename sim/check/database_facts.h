// DatabaseFacts: what one device's library database says about itself,
// read with SQL alone: counts per model, files and directories, content
// links, orphans, dangling foreign keys, closure and directory-path
// consistency, parked
// records grouped by what they wait for, watermarks, the shared log and its
// acknowledgements. Reading needs nothing but the database, so the same code
// serves a live run and a snapshot copied from another machine.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model_registry.h"
#include "core/sqlite_db.h"

namespace syncsim::sim {

// Sample sizes: enough uuids to start a diagnosis, few enough to read.
inline constexpr size_t kSampleUuidsMax = 5;

// Records parked while waiting for one missing record.
struct ParkedGroup {
  std::string missing_model;
  std::string missing_uuid;
  int64_t records = 0;
  std::vector<std::string> sample_records;  // "model:uuid"
};

struct DatabaseFacts {
  std::string device_uuid;  // from sync_state, or empty
  std::string device_name;
  std::string library_id;
  std::map<std::string, int64_t> counts;  // model -> rows
  int64_t files = 0;
  int64_t directories = 0;
  int64_t files_with_content = 0;
  // Non-root entries without a parent row (NULL parent, or a parent that is
  // not there).
  int64_t orphans = 0;
  std::vector<std::string> orphan_samples;
  // "model.column" -> rows whose foreign key names a row that is not there.
  std::map<std::string, int64_t> dangling;
  // "model.column" -> rows whose uuid reference (ModelSpec::uuid_references)
  // names a uuid no row of the target model has.
  std::map<std::string, int64_t> dangling_uuid_references;
  int64_t closure_rows = 0;
  // Entries whose closure rows disagree with their parent chain.
  int64_t closure_errors = 0;
  int64_t directory_paths = 0;
  // directory_paths rows that break its contract (core/library_db.cpp): a
  // directory without its row, a row whose path is not the names along the
  // parent chain, or a row for an entry that is not a directory.
  int64_t directory_path_errors = 0;
  std::vector<std::string> directory_path_error_samples;  // entry uuids
  int64_t parked_records = 0;
  int64_t deferred_links = 0;
  std::vector<ParkedGroup> parked_groups;  // largest first, then by uuid
  // owner uuid -> model -> watermark
  std::map<std::string, std::map<std::string, std::string>> watermarks;
  int64_t shared_log_size = 0;
  std::map<std::string, std::string> peer_acks;  // peer uuid -> last acked HLC
  std::string hlc;  // the device's last HLC
  int64_t tombstones = 0;
};

// Reads the facts. REQUIRES: `db` holds a library schema of `registry`.
DatabaseFacts ReadDatabaseFacts(core::SqliteDb& db, const core::ModelRegistry& registry);

nlohmann::json ToJson(const DatabaseFacts& facts);

// Every synced row of `model` in wire form, keyed by uuid: the synced columns
// and each foreign key as its target's uuid (null when unset or dangling).
std::map<std::string, nlohmann::json> ReadSyncedRows(core::SqliteDb& db, const core::ModelSpec& model);

}  // namespace syncsim::sim
