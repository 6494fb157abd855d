#include "sim/scenario/scenario_storage.h"

#include <filesystem>

#include "sim/faults/fault_settings.h"

namespace syncsim::sim {

DeviceStorageSettings DeviceStorageSettingsFor(const ScenarioStorage& storage, const ScenarioDevice& device,
                                               const std::string& db_dir) {
  DeviceStorageSettings settings;
  if (!db_dir.empty()) {
    // Real files, kept only to spare memory: the real disk is not the
    // simulated one (nothing can fail or lose power there), so they run
    // without a journal or syncs, which would only cost time.
    settings.database_path = (std::filesystem::path(db_dir) / (device.name + ".db")).string();
    return settings;
  }
  settings.pragmas = OpenPragmas(storage);
  settings.journal = storage.journal != JournalMode::kOff;
  settings.faults = ResolveFaults(storage, device.storage);
  if (settings.journal) {
    // One simulated disk per device, so the file name needs no prefix.
    settings.fault_vfs = true;
    settings.database_path = device.name + ".db";
  }
  return settings;
}

bool ScenarioFaultsStorage(const Scenario& scenario) {
  for (const ScenarioDevice& device : scenario.devices) {
    const StorageFaultSettings faults = ResolveFaults(scenario.storage, device.storage);
    if (faults.io_error_probability > 0 || faults.disk_full_probability > 0) return true;
  }
  for (const ScenarioStep& step : scenario.steps) {
    if (step.action != "crash") continue;
    const DevicePowerSettings& crash = std::any_cast<const DevicePowerSettings&>(step.settings);
    if (crash.power_loss || crash.at_io > 0) return true;
  }
  return false;
}

core::Status CheckDbDirAllowsStorage(const Scenario& scenario, const std::string& db_dir) {
  if (db_dir.empty() || !ScenarioFaultsStorage(scenario)) return core::Status::Ok();
  return core::Status::InvalidArgument(
      "--db-dir: the devices' databases would be real files, where storage faults and power loss cannot be "
      "simulated (the scenario asks for them)");
}

}  // namespace syncsim::sim
