// How a scenario's storage settings (sim/storage/storage_settings.h) become
// each device's: the fault VFS when the journal is on and the databases
// live in memory, the device's own fault probabilities, the pragmas.
#pragma once

#include <string>

#include "sim/cluster/device_storage.h"
#include "sim/scenario/scenario.h"

namespace syncsim::sim {

// `db_dir` empty: databases in memory (on the fault VFS unless the journal
// is off); else the device's file in that folder, on the real disk, with
// neither journal nor syncs (the fast mode: nothing is simulated there).
DeviceStorageSettings DeviceStorageSettingsFor(const ScenarioStorage& storage, const ScenarioDevice& device,
                                               const std::string& db_dir);
// True when the scenario injects a storage fault (an error probability, a
// power loss, a crash at an I/O point), which needs the fault VFS.
bool ScenarioFaultsStorage(const Scenario& scenario);
// InvalidArgument when `db_dir` is set (real files on the real disk) and
// the scenario asks for a storage fault, which only the simulated disk has.
core::Status CheckDbDirAllowsStorage(const Scenario& scenario, const std::string& db_dir);

}  // namespace syncsim::sim
