// BackupDatabase: copies a live SQLite database to a file with SQLite's
// online backup API, so a snapshot is a consistent, ordinary database file
// anyone can open with the sqlite3 shell.
#pragma once

#include <string>

#include "core/sqlite_db.h"
#include "core/status.h"

namespace syncsim::sim {

// Writes `source` to `path` (replacing it). Returns IoError naming the path
// on failure.
core::Status BackupDatabase(core::SqliteDb& source, const std::string& path);

}  // namespace syncsim::sim
