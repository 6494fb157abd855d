// FaultVfs: one simulated device's disk, as a SQLite VFS. Files live in
// memory (runs stay fast) in two layers, the way SQLite's own crash test
// VFS (test6.c) models a disk with a write cache: what reads see (the
// operating system's page cache) and what is durable (the platter). Every
// xWrite and xTruncate since a file's last xSync is kept as a pending
// operation; xSync makes the file's pending operations durable. A power
// loss (PowerLoss) decides, for each pending operation in order and from
// the device's seeded stream, whether it reached the disk whole, not at
// all, or torn (each 512-byte sector of it old, new or garbage); what
// reads see becomes what is durable.
//
// The VFS can also fail: each xWrite, xTruncate and xSync draws an
// injected error (SQLITE_IOERR or SQLITE_FULL) with the probabilities of
// its StorageFaultSettings while faults are armed (a failed write changes
// nothing; a failed sync also loses the file's pending writes, as Linux
// may drop the dirty pages of a failed fsync, so that a commit reported
// failed never turns out committed), and a power loss can be
// armed to strike at the N-th write or sync (ArmPowerLossAt). After the
// power is cut every write, truncate and sync fails with SQLITE_IOERR and
// changes nothing, until PowerLoss() has run.
//
// Each instance registers its own sqlite3_vfs under a unique name (Name())
// and unregisters it when destroyed; open databases with
// sqlite3_open_v2(..., Name()). Only one connection per file, in
// exclusive locking mode: the VFS has no shared memory (a WAL database
// keeps its index in the connection's heap) and every lock succeeds.
// Single-threaded, like the rest of the simulator.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "sim/kernel/random.h"

namespace syncsim::sim {

struct StorageFaultSettings {
  // Chance that one write, truncate or sync fails with SQLITE_IOERR
  // (nothing is changed) while faults are armed.
  double io_error_probability = 0;
  // Chance that one write fails with SQLITE_FULL (nothing is changed).
  double disk_full_probability = 0;
};

// What happened to the pending operations at one power loss.
struct PowerLossOutcome {
  uint64_t kept = 0;     // reached the disk whole
  uint64_t dropped = 0;  // never reached it
  uint64_t torn = 0;     // some sectors old, some new, some garbage
};

// Counts over the VFS's life.
struct StorageCounters {
  uint64_t writes = 0;          // xWrite calls that changed a file
  uint64_t syncs = 0;           // xSync calls that made a file durable
  uint64_t io_errors = 0;       // injected SQLITE_IOERR
  uint64_t disk_full = 0;       // injected SQLITE_FULL
  uint64_t power_losses = 0;
  PowerLossOutcome lost;        // summed over every power loss
};

class FaultVfs {
 public:
  // `random` is the device's storage stream: every fault, power-loss
  // outcome and garbage byte is drawn from it, and SQLite's own
  // randomness (journal nonces) comes from it too, so a run is the same
  // for the same seed. Registers the VFS (not as the default).
  FaultVfs(Random random, StorageFaultSettings settings);
  // Unregisters the VFS. REQUIRES: no connection has a file of it open.
  ~FaultVfs();
  FaultVfs(const FaultVfs&) = delete;
  FaultVfs& operator=(const FaultVfs&) = delete;

  // The name to pass to sqlite3_open_v2.
  const char* Name() const;

  // While armed, writes, truncates and syncs draw injected errors and
  // count towards an armed power loss; disarmed (the default), they never
  // fail unless the power is cut. The device disarms while it opens and
  // recovers its database, so that a restart always succeeds.
  void SetFaultsArmed(bool armed) { armed_ = armed; }

  // Arms a power cut at the `io_count`-th armed write or sync from now
  // (1 = the next one). That operation is recorded as pending (it may be
  // torn) and then fails with SQLITE_IOERR, the power is off, and
  // `on_power_cut` is called (from inside SQLite: it must not touch the
  // connection). REQUIRES: io_count >= 1.
  void ArmPowerLossAt(uint64_t io_count, std::function<void()> on_power_cut);
  // Cancels an armed power cut that has not struck.
  void DisarmPowerLoss();
  // Cuts the power now: from here every write, truncate and sync fails
  // with SQLITE_IOERR and changes nothing. Idempotent.
  void CutPower();
  bool power_is_cut() const { return power_cut_; }
  // Ends a cut without a power loss: the process died, the operating system
  // did not, so every pending write stays (still pending: a later power
  // loss may lose it). REQUIRES: no connection has a file open.
  void RestorePower() { power_cut_ = false; }

  // The power loss itself: every file's pending operations are kept,
  // dropped or torn (drawn in file-name order, then operation order), what
  // reads see becomes what is durable, and the power is back on.
  // REQUIRES: the power is cut and no connection has a file open (close
  // the database first: its writes while closing fail, as on a dead
  // device).
  PowerLossOutcome PowerLoss();

  // Erases every file: the disk is blank again (an app that found its
  // database damaged and started over). REQUIRES: no connection has a file
  // open.
  void Wipe();

  // Bytes of the named file as reads see it, and as the disk holds it;
  // empty when there is no such file. For tests and diagnosis.
  std::vector<uint8_t> VisibleBytes(const std::string& name) const;
  std::vector<uint8_t> DurableBytes(const std::string& name) const;
  // Pending operations of the named file (0 for no file).
  size_t PendingOperations(const std::string& name) const;
  const StorageCounters& counters() const { return counters_; }

  // --- Used by the sqlite3_vfs and sqlite3_io_methods callbacks. ---
  struct PendingOperation {
    bool is_truncate = false;
    int64_t offset = 0;          // where a write starts, or a truncate's size
    std::vector<uint8_t> bytes;  // what a write wrote
  };
  struct File {
    std::vector<uint8_t> visible;
    std::vector<uint8_t> durable;
    std::vector<PendingOperation> pending;
    int open_handles = 0;
  };
  class Callbacks;

 private:
  // The result of an armed operation's draw: SQLITE_OK to go on, or the
  // error to return (the power may have been cut by it).
  int DrawFault(bool is_write);
  // Runs the callback of ArmPowerLossAt once, after the operation the cut
  // struck has been recorded as pending.
  void RunPowerCutCallback();
  // A torn write: each 512-byte sector of it old, new or garbage.
  void TearInto(const PendingOperation& write, std::vector<uint8_t>* durable);

  Random random_;
  StorageFaultSettings settings_;
  std::string name_;
  std::unique_ptr<sqlite3_vfs> vfs_;
  std::map<std::string, File> files_;
  bool armed_ = false;
  bool power_cut_ = false;
  uint64_t power_loss_countdown_ = 0;  // 0: no power loss armed
  std::function<void()> on_power_cut_;
  StorageCounters counters_;
};

}  // namespace syncsim::sim
