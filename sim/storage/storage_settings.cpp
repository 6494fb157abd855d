#include "sim/storage/storage_settings.h"

#include <span>

#include "sim/base/json_readers.h"

namespace syncsim::sim {
namespace {

constexpr std::array<std::string_view, 3> kJournalNames = {"wal", "rollback", "off"};
constexpr std::array<std::string_view, 4> kSynchronousNames = {"off", "normal", "full", "extra"};

// A string that must be one of `names`; *index is its position.
core::Status ReadChoice(const nlohmann::json& value, const std::string& path, std::span<const std::string_view> names,
                        size_t* index) {
  std::string text;
  SYNCSIM_RETURN_IF_ERROR(ReadString(value, path, &text));
  for (size_t candidate = 0; candidate < names.size(); ++candidate) {
    if (names[candidate] == text) {
      *index = candidate;
      return core::Status::Ok();
    }
  }
  return Invalid(path, "expected " + QuotedAlternatives(names) + ", got " + Quoted(text) + Suggestion(text, names));
}

core::Status ReadProbabilities(const nlohmann::json& object, const std::string& path,
                               DeviceStorageOverrides* out) {
  if (const nlohmann::json* value = Find(object, "io_error_probability")) {
    double probability = 0;
    SYNCSIM_RETURN_IF_ERROR(ReadFraction(*value, MemberPath(path, "io_error_probability"), &probability));
    out->io_error_probability = probability;
  }
  if (const nlohmann::json* value = Find(object, "disk_full_probability")) {
    double probability = 0;
    SYNCSIM_RETURN_IF_ERROR(ReadFraction(*value, MemberPath(path, "disk_full_probability"), &probability));
    out->disk_full_probability = probability;
  }
  return core::Status::Ok();
}

}  // namespace

core::Status ParseStorageSettings(const nlohmann::json& object, const std::string& path, ScenarioStorage* storage) {
  SYNCSIM_RETURN_IF_ERROR(CheckObject(object, path, kStorageKeys, {}));
  ScenarioStorage parsed = *storage;
  if (const nlohmann::json* value = Find(object, "journal")) {
    size_t index = 0;
    SYNCSIM_RETURN_IF_ERROR(ReadChoice(*value, MemberPath(path, "journal"), kJournalNames, &index));
    parsed.journal = static_cast<JournalMode>(index);
  }
  if (const nlohmann::json* value = Find(object, "synchronous")) {
    size_t index = 0;
    SYNCSIM_RETURN_IF_ERROR(ReadChoice(*value, MemberPath(path, "synchronous"), kSynchronousNames, &index));
    parsed.synchronous = static_cast<SynchronousLevel>(index);
  }
  DeviceStorageOverrides probabilities;
  SYNCSIM_RETURN_IF_ERROR(ReadProbabilities(object, path, &probabilities));
  parsed.faults = ResolveFaults(parsed, probabilities);
  if (const nlohmann::json* value = Find(object, "restart_after_error_ms")) {
    SYNCSIM_RETURN_IF_ERROR(ReadInteger(*value, MemberPath(path, "restart_after_error_ms"), 1, kStorageRestartMsMax,
                                        &parsed.restart_after_error_ms));
  }
  *storage = parsed;
  return core::Status::Ok();
}

core::Status ParseDeviceStorage(const nlohmann::json& object, const std::string& path, DeviceStorageOverrides* out) {
  SYNCSIM_RETURN_IF_ERROR(CheckObject(object, path, kDeviceStorageKeys, {}));
  DeviceStorageOverrides parsed;
  SYNCSIM_RETURN_IF_ERROR(ReadProbabilities(object, path, &parsed));
  *out = parsed;
  return core::Status::Ok();
}

StorageFaultSettings ResolveFaults(const ScenarioStorage& storage, const DeviceStorageOverrides& overrides) {
  StorageFaultSettings faults = storage.faults;
  if (overrides.io_error_probability.has_value()) faults.io_error_probability = *overrides.io_error_probability;
  if (overrides.disk_full_probability.has_value()) faults.disk_full_probability = *overrides.disk_full_probability;
  return faults;
}

std::string_view ToString(JournalMode journal) { return kJournalNames[static_cast<size_t>(journal)]; }
std::string_view ToString(SynchronousLevel synchronous) {
  return kSynchronousNames[static_cast<size_t>(synchronous)];
}

std::string OpenPragmas(const ScenarioStorage& storage) {
  std::string synchronous(ToString(storage.synchronous));
  switch (storage.journal) {
    case JournalMode::kOff:
      return "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;";
    case JournalMode::kRollback:
      // Exclusive locking: one connection per file, and no lock traffic.
      return "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = DELETE; PRAGMA synchronous = " + synchronous + ";";
    case JournalMode::kWal:
      // The fault VFS has no shared memory: a WAL database needs exclusive
      // locking, which keeps the WAL index in the connection's heap.
      return "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = " + synchronous + ";";
  }
  return {};
}

nlohmann::json ToJson(const ScenarioStorage& storage) {
  return {{"journal", ToString(storage.journal)},
          {"synchronous", ToString(storage.synchronous)},
          {"io_error_probability", storage.faults.io_error_probability},
          {"disk_full_probability", storage.faults.disk_full_probability},
          {"restart_after_error_ms", storage.restart_after_error_ms}};
}

}  // namespace syncsim::sim
