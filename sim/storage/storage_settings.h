// Storage settings as a scenario gives them: the `storage` object (journal,
// synchronous level, injected fault probabilities, the restart delay after
// a storage error) and a device's own `storage` object (its fault
// probabilities), read with JSON paths in their errors
// (docs/scenario-format.md, "Storage").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sim/storage/fault_vfs.h"

namespace syncsim::sim {

// How a device's database keeps its journal. kOff is the fast mode of
// earlier versions: no journal, SQLite's own in-memory files, and no
// storage fault can be simulated.
enum class JournalMode { kWal, kRollback, kOff };
// PRAGMA synchronous: how often SQLite syncs. Only kFull and kExtra make
// every committed transaction durable in both journal modes.
enum class SynchronousLevel { kOff, kNormal, kFull, kExtra };

inline constexpr int64_t kStorageRestartMsMax = 3'600'000;

struct ScenarioStorage {
  JournalMode journal = JournalMode::kWal;
  SynchronousLevel synchronous = SynchronousLevel::kFull;
  // Every device's fault probabilities, unless the device sets its own.
  StorageFaultSettings faults;
  // How long a device stays down after a storage error made it restart
  // (the app noticed the failing disk, stopped and came back).
  int64_t restart_after_error_ms = 1'000;
};

inline constexpr std::array<std::string_view, 5> kStorageKeys = {
    "journal", "synchronous", "io_error_probability", "disk_full_probability", "restart_after_error_ms"};
// The keys of a device's own storage object.
inline constexpr std::array<std::string_view, 2> kDeviceStorageKeys = {"io_error_probability",
                                                                        "disk_full_probability"};

// Reads the scenario's `storage` object into *storage (checks its keys).
// REQUIRES: storage != nullptr.
core::Status ParseStorageSettings(const nlohmann::json& object, const std::string& path, ScenarioStorage* storage);
// Reads a device's `storage` object: the probabilities it sets, others
// left empty (the scenario's apply).
struct DeviceStorageOverrides {
  std::optional<double> io_error_probability;
  std::optional<double> disk_full_probability;
};
core::Status ParseDeviceStorage(const nlohmann::json& object, const std::string& path, DeviceStorageOverrides* out);
// The device's fault settings: the scenario's, with the device's own.
StorageFaultSettings ResolveFaults(const ScenarioStorage& storage, const DeviceStorageOverrides& overrides);

std::string_view ToString(JournalMode journal);
std::string_view ToString(SynchronousLevel synchronous);
// The pragmas a device database opens with (core::LibraryDbOptions).
std::string OpenPragmas(const ScenarioStorage& storage);
// The settings as a JSON object, for the printed run settings.
nlohmann::json ToJson(const ScenarioStorage& storage);

}  // namespace syncsim::sim
