#include "sim/snapshot/live_state.h"

#include <fmt/format.h>

#include "core/sync_settings.h"
#include "sim/base/json_readers.h"

namespace syncsim::sim {
namespace {

core::Status Bad(const std::string& file, const std::string& path, const std::string& problem) {
  return core::Status::Corruption(fmt::format("{}: {}: {}", file, path, problem));
}

// The members of `object` the summaries and the report read, with their
// types: a file from elsewhere is refused, not thrown on. `kinds` pairs a
// key with "string", "integer", "boolean" or "object".
core::Status CheckMembers(const nlohmann::json& object, const std::string& file, const std::string& path,
                          std::initializer_list<std::pair<const char*, const char*>> kinds) {
  if (object.is_null()) return core::Status::Ok();
  if (!object.is_object()) return Bad(file, path, "expected an object or null");
  for (const auto& [key, kind] : kinds) {
    auto found = object.find(key);
    if (found == object.end() || found->is_null()) continue;
    const std::string expected = kind;
    const bool ok = (expected == "string" && found->is_string()) ||
                    (expected == "integer" && found->is_number_integer()) ||
                    (expected == "boolean" && found->is_boolean()) || (expected == "object" && found->is_object());
    if (!ok) return Bad(file, path + "." + key, std::string("expected ") + (expected == "integer" ? "an " : "a ") + expected);
  }
  return core::Status::Ok();
}

// live_state.json's "devices": at most kLiveStateDevicesMax, each with an
// identifier for a name and the runtime members the report reads.
core::Status ReadLiveDevices(const nlohmann::json& devices, const std::string& file, std::vector<LiveDevice>* out) {
  out->clear();
  if (devices.size() > kLiveStateDevicesMax) {
    return Bad(file, "devices", fmt::format("more than {} devices", kLiveStateDevicesMax));
  }
  for (size_t i = 0; i < devices.size(); ++i) {
    const nlohmann::json& device = devices[i];
    const std::string path = fmt::format("devices[{}]", i);
    if (!device.is_object()) return Bad(file, path, "expected an object");
    // The name makes a file name (NAME.db): only an identifier, as in a
    // scenario, so that no name reaches outside the snapshot folder.
    std::string name;
    if (!device.contains("name")) return Bad(file, path + ".name", "missing");
    if (core::Status status = ReadName(device["name"], file + ": " + path + ".name", &name); !status.ok()) return status;
    if (!device.contains("started") || !device["started"].is_boolean()) {
      return Bad(file, path + ".started", "expected true or false");
    }
    const nlohmann::json runtime = device.value("runtime", nlohmann::json());
    if (core::Status status = CheckMembers(runtime, file, path + ".runtime", {{"on", "boolean"}, {"peers", "object"}});
        !status.ok()) {
      return status;
    }
    out->push_back({name, device["started"].get<bool>(), runtime});
  }
  return core::Status::Ok();
}

}  // namespace

nlohmann::json LiveStateToJson(const PhaseInput& input) {
  nlohmann::json devices = nlohmann::json::array();
  for (const PhaseDevice& device : input.devices) {
    devices.push_back({{"name", device.name}, {"started", device.database != nullptr}, {"runtime", device.runtime}});
  }
  nlohmann::json oracle;  // null when the run had none
  if (input.oracle != nullptr) {
    oracle = nlohmann::json::object();
    for (const auto& [model, records] : *input.oracle) {
      nlohmann::json values = nlohmann::json::object();
      // A deleted record's expected value is null; a live one is an object.
      for (const auto& [uuid, value] : records) values[uuid] = value.has_value() ? *value : nlohmann::json();
      oracle[model] = std::move(values);
    }
  }
  return {{"scenario", input.scenario},
          {"seed", input.seed},
          {"engine", input.engine},
          {"phase", input.phase},
          {"virtual_time_ms", input.virtual_time_ms},
          {"devices", devices},
          {"stall", input.stall},
          {"oracle", oracle}};
}

core::Status LiveStateFromJson(const nlohmann::json& document, const std::string& file, LiveState* state) {
  if (!document.is_object()) return Bad(file, "(root)", "expected an object");
  auto require = [&](const char* key, bool (nlohmann::json::*is)() const noexcept,
                     const char* what) -> core::Status {
    auto found = document.find(key);
    if (found == document.end()) return Bad(file, key, "missing");
    if (!((*found).*is)()) return Bad(file, key, std::string("expected ") + what);
    return core::Status::Ok();
  };
  for (core::Status status : {require("scenario", &nlohmann::json::is_string, "a string"),
                              require("seed", &nlohmann::json::is_number_unsigned, "a non-negative integer"),
                              require("phase", &nlohmann::json::is_string, "a string"),
                              require("virtual_time_ms", &nlohmann::json::is_number_integer, "an integer"),
                              require("devices", &nlohmann::json::is_array, "an array")}) {
    if (!status.ok()) return status;
  }
  state->scenario = document["scenario"].get<std::string>();
  state->seed = document["seed"].get<uint64_t>();
  state->phase = document["phase"].get<std::string>();
  state->engine = std::string(core::kDefaultEngineName);
  if (auto engine = document.find("engine"); engine != document.end()) {
    if (!engine->is_string() || engine->get_ref<const std::string&>().empty()) {
      return Bad(file, "engine", "expected an engine name");
    }
    state->engine = engine->get<std::string>();
  }
  state->virtual_time_ms = document["virtual_time_ms"].get<int64_t>();
  if (core::Status status = ReadLiveDevices(document["devices"], file, &state->devices); !status.ok()) return status;
  state->stall = document.value("stall", nlohmann::json());
  if (core::Status status = CheckMembers(state->stall, file, "stall",
                                         {{"detected_at_ms", "integer"}, {"reason", "string"}, {"headline", "string"}});
      !status.ok()) {
    return status;
  }
  state->oracle.reset();
  const nlohmann::json oracle = document.value("oracle", nlohmann::json());
  if (!oracle.is_null()) {
    if (!oracle.is_object()) return Bad(file, "oracle", "expected an object or null");
    SharedOracle parsed;
    for (const auto& [model, records] : oracle.items()) {
      if (!records.is_object()) return Bad(file, "oracle." + model, "expected an object");
      for (const auto& [uuid, value] : records.items()) {
        if (!value.is_null() && !value.is_object()) {
          return Bad(file, fmt::format("oracle.{}.{}", model, uuid), "expected an object or null");
        }
        parsed[model][uuid] = value.is_null() ? std::nullopt : std::optional<nlohmann::json>(value);
      }
    }
    state->oracle = std::move(parsed);
  }
  return core::Status::Ok();
}

}  // namespace syncsim::sim
