#include "sim/cluster/device_storage.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/model_registry.h"
#include "core/storage_error.h"
#include "sim/base/assert.h"

namespace syncsim::sim {

DeviceStorage::DeviceStorage(DeviceStorageSettings settings, Random random) : settings_(std::move(settings)) {
  if (settings_.fault_vfs) vfs_ = std::make_unique<FaultVfs>(random, settings_.faults);
}

DeviceStorage::~DeviceStorage() {
  // The connection's files belong to the VFS: close it first.
  library_.reset();
}

core::Status DeviceStorage::Open() {
  if (library_ != nullptr) return core::Status::Ok();
  if (vfs_ != nullptr) vfs_->SetFaultsArmed(false);
  core::LibraryDbOptions options{.vfs = vfs_ != nullptr ? vfs_->Name() : "", .pragmas = settings_.pragmas};
  core::Status status =
      core::LibraryDb::Open(settings_.database_path, core::ModelRegistry::Default(), &library_, options);
  if (!status.ok()) return status;
  // Without storage faults a simulated crash does not end the process, so
  // the database never needs recovery, and the core never abandons a
  // transaction: the journal would only cost time (most of a small
  // transaction's).
  if (!settings_.journal) library_->sql().DisableRollbackJournal();
  return core::Status::Ok();
}

void DeviceStorage::ArmFaults(bool armed) {
  if (vfs_ != nullptr) vfs_->SetFaultsArmed(armed);
}

void DeviceStorage::Die(bool power_loss) {
  SYNCSIM_ASSERT(vfs_ != nullptr);
  vfs_->DisarmPowerLoss();
  vfs_->SetFaultsArmed(false);
  // A dead device writes nothing: whatever SQLite tries while closing (a
  // rollback, a checkpoint) fails, and the journal stays for recovery.
  vfs_->CutPower();
  library_.reset();
  if (power_loss) {
    vfs_->PowerLoss();
  } else {
    vfs_->RestorePower();  // the process died, the operating system did not
  }
  core::Status status = Open();
  ++integrity_checks_;
  const std::string death = power_loss ? "a power loss" : "a crash";
  if (!status.ok()) {
    integrity_failures_.push_back("cannot reopen after " + death + ": " + status.message());
  } else if (std::string problems = CheckIntegrity(); !problems.empty()) {
    integrity_failures_.push_back("after " + death + ", integrity_check: " + problems);
  } else {
    return;
  }
  // The app cannot use a damaged database: it starts over with a blank one
  // and syncs everything again (what it acked before is lost, and the
  // checks say so).
  library_.reset();
  vfs_->Wipe();
  status = Open();
  SYNCSIM_ASSERT(status.ok());  // a blank disk, faults disarmed
}

std::string DeviceStorage::CheckIntegrity() {
  std::string problems;
  try {
    core::Statement& check = library_->sql().Prepare("PRAGMA integrity_check");
    while (check.Step()) {
      std::string line = check.Text(0);
      if (line == "ok") continue;
      std::replace(line.begin(), line.end(), '\n', ' ');
      if (problems.size() < 500) problems += (problems.empty() ? "" : "; ") + line;
    }
    check.Reset();
  } catch (const core::StorageError& error) {
    problems = error.what();
  }
  return problems;
}

}  // namespace syncsim::sim
