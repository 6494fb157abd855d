#include "sim/snapshot/database_backup.h"

#include <sqlite3.h>

namespace syncsim::sim {

core::Status BackupDatabase(core::SqliteDb& source, const std::string& path) {
  sqlite3* destination = nullptr;
  if (sqlite3_open_v2(path.c_str(), &destination, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string message = destination != nullptr ? sqlite3_errmsg(destination) : "cannot open";
    sqlite3_close(destination);
    return core::Status::IoError(path + ": " + message);
  }
  sqlite3_backup* backup = sqlite3_backup_init(destination, "main", source.handle(), "main");
  if (backup == nullptr) {
    std::string message = sqlite3_errmsg(destination);
    sqlite3_close(destination);
    return core::Status::IoError(path + ": backup failed: " + message);
  }
  int step = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  std::string message = sqlite3_errmsg(destination);
  sqlite3_close(destination);
  if (step != SQLITE_DONE) return core::Status::IoError(path + ": backup failed: " + message);
  return core::Status::Ok();
}

}  // namespace syncsim::sim
