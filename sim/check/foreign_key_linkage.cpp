#include "sim/check/foreign_key_linkage.h"

#include <set>

namespace syncsim::sim {
namespace {

// Shares are rounded to 6 decimals so that the JSON text is stable.
double RoundShare(double value) { return static_cast<double>(static_cast<int64_t>(value * 1e6 + 0.5)) / 1e6; }

const nlohmann::json* FindRow(const DeviceRows& device, const std::string& model, const std::string& uuid) {
  auto rows = device.rows.find(model);
  if (rows == device.rows.end()) return nullptr;
  auto row = rows->second.find(uuid);
  return row == rows->second.end() ? nullptr : &row->second;
}

}  // namespace

std::map<std::string, std::vector<ForeignKeyShare>> ComputeForeignKeyLinkage(const std::vector<DeviceRows>& devices,
                                                                             const core::ModelRegistry& registry,
                                                                             const SharedOracle* oracle) {
  std::map<std::string, std::string> name_of_uuid;
  for (const DeviceRows& device : devices) name_of_uuid[device.uuid] = device.name;
  std::map<std::string, std::vector<ForeignKeyShare>> result;
  for (const DeviceRows& device : devices) result[device.name];
  for (const core::ModelSpec& model : registry.models()) {
    if (model.foreign_keys.empty()) continue;
    std::set<std::string> uuids;
    for (const DeviceRows& device : devices) {
      auto rows = device.rows.find(model.name);
      if (rows == device.rows.end()) continue;
      for (const auto& [uuid, data] : rows->second) uuids.insert(uuid);
    }
    // Index of this model's shares in each device's vector.
    const size_t first = result.empty() ? 0 : result.begin()->second.size();
    for (auto& [name, shares] : result) {
      for (const core::ForeignKeySpec& key : model.foreign_keys) {
        shares.push_back(ForeignKeyShare{model.name, key.column, key.target_model, 0, 0, 1.0});
      }
    }
    for (const std::string& uuid : uuids) {
      Reference reference = DecideReference(model, uuid, devices, oracle, name_of_uuid);
      if (!reference.expected.has_value()) continue;
      for (size_t k = 0; k < model.foreign_keys.size(); ++k) {
        const core::ForeignKeySpec& key = model.foreign_keys[k];
        const nlohmann::json target = reference.expected->value(key.wire_field, nlohmann::json());
        if (!target.is_string()) continue;
        for (const DeviceRows& device : devices) {
          ForeignKeyShare& share = result[device.name][first + k];
          ++share.expected;
          const nlohmann::json* row = FindRow(device, model.name, uuid);
          if (row == nullptr || row->value(key.wire_field, nlohmann::json()) != target) continue;
          if (FindRow(device, key.target_model, target.get<std::string>()) != nullptr) ++share.resolved;
        }
      }
    }
  }
  for (auto& [name, shares] : result) {
    for (ForeignKeyShare& share : shares) {
      if (share.expected > 0) share.share = static_cast<double>(share.resolved) / static_cast<double>(share.expected);
    }
  }
  return result;
}

nlohmann::json ToJson(const std::vector<ForeignKeyShare>& shares) {
  nlohmann::json result = nlohmann::json::object();
  for (const ForeignKeyShare& share : shares) {
    result[share.model + "." + share.field] = {{"target", share.target_model},
                                               {"expected", share.expected},
                                               {"resolved", share.resolved},
                                               {"share", RoundShare(share.share)}};
  }
  return result;
}

}  // namespace syncsim::sim
