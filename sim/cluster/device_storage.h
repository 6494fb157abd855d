// DeviceStorage: one simulated device's database and the disk under it.
// With the fault VFS (sim/storage/fault_vfs.h) the database lives on a
// simulated disk that can fail a write, lose its unsynced writes at a
// power loss, or be cut off in the middle of a transaction; without it,
// the database is an ordinary SQLite file or a private in-memory database
// that only a bug can damage.
//
// A device that dies (a crash at an I/O point, a storage error, a power
// loss) closes its connection without writing anything more, and opens the
// database again as a restarted app would: SQLite recovers from its
// journal, and `PRAGMA integrity_check` runs on what it recovered. Every
// check that fails is kept for the storage.integrity check, and the
// damaged database is replaced by a blank one (the app starts over).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/library_db.h"
#include "core/status.h"
#include "sim/kernel/random.h"
#include "sim/storage/fault_vfs.h"

namespace syncsim::sim {

struct DeviceStorageSettings {
  // Path of the database file, or ":memory:"; with the fault VFS, the name
  // of its file on the simulated disk.
  std::string database_path = ":memory:";
  bool fault_vfs = false;
  // Run when the database opens (core::LibraryDbOptions::pragmas).
  std::string pragmas = "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;";
  // False: no journal (SqliteDb::DisableRollbackJournal), the fast mode
  // for runs without storage faults.
  bool journal = false;
  StorageFaultSettings faults;  // with the fault VFS only
};

class DeviceStorage {
 public:
  // `random` is the device's storage stream (used by the fault VFS only).
  DeviceStorage(DeviceStorageSettings settings, Random random);
  ~DeviceStorage();
  DeviceStorage(const DeviceStorage&) = delete;
  DeviceStorage& operator=(const DeviceStorage&) = delete;

  // Opens the database unless it is open (creating it on first use). Faults
  // are disarmed while it opens, so that opening cannot fail but for a
  // damaged file. Returns the open's Status naming the path.
  core::Status Open();
  // The open database, or null (before the first Open, or when reopening
  // after a death failed).
  core::LibraryDb* library() { return library_.get(); }
  // Null without the fault VFS.
  FaultVfs* vfs() { return vfs_.get(); }
  // Arms the fault VFS's injected errors (no-op without it).
  void ArmFaults(bool armed);

  // The device dies: the connection closes writing nothing more; with
  // `power_loss` the disk loses, keeps or tears each unsynced write; then
  // the database is opened again (recovery) and its integrity checked; a
  // database that fails is replaced by a blank one. REQUIRES: the fault VFS.
  void Die(bool power_loss);

  // One line per failed integrity check or failed reopen, in time order.
  const std::vector<std::string>& integrity_failures() const { return integrity_failures_; }
  // Integrity checks run after a death.
  uint64_t integrity_checks() const { return integrity_checks_; }
  const DeviceStorageSettings& settings() const { return settings_; }

 private:
  // The problems PRAGMA integrity_check reports, or empty.
  std::string CheckIntegrity();

  DeviceStorageSettings settings_;
  std::unique_ptr<FaultVfs> vfs_;
  std::unique_ptr<core::LibraryDb> library_;
  std::vector<std::string> integrity_failures_;
  uint64_t integrity_checks_ = 0;
};

}  // namespace syncsim::sim
