#include "sim/check/convergence.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "sim/check/database_facts.h"
#include "sim/base/text_format.h"

namespace syncsim::sim {
namespace {

// The owner device uuid of a device-owned record, found through the rows of
// any device that holds the chain (location -> device, entry -> location).
std::string OwnerOf(const std::string& model, const nlohmann::json& data, const std::vector<DeviceRows>& devices) {
  if (model == "location") {
    auto device = data.find("device_uuid");
    return device != data.end() && device->is_string() ? device->get<std::string>() : std::string();
  }
  if (model == "entry") {
    auto location = data.find("location_uuid");
    if (location == data.end() || !location->is_string()) return std::string();
    for (const DeviceRows& device : devices) {
      auto locations = device.rows.find("location");
      if (locations == device.rows.end()) continue;
      auto found = locations->second.find(location->get<std::string>());
      if (found != locations->second.end()) return OwnerOf("location", found->second, devices);
    }
  }
  return std::string();
}

std::vector<std::string> DifferingFields(const nlohmann::json& expected, const nlohmann::json& actual) {
  std::vector<std::string> fields;
  for (const auto& [field, value] : expected.items()) {
    auto other = actual.find(field);
    if (other == actual.end() || *other != value) fields.push_back(field);
  }
  return fields;
}

}  // namespace

Reference DecideReference(const core::ModelSpec& model, const std::string& uuid, const std::vector<DeviceRows>& devices,
                          const SharedOracle* oracle, const std::map<std::string, std::string>& name_of_uuid) {
  const bool shared = model.ownership == core::Ownership::kShared;
  Reference reference;
  if (shared && oracle != nullptr) {
    auto by_model = oracle->find(model.name);
    if (by_model != oracle->end()) {
      auto value = by_model->second.find(uuid);
      if (value != by_model->second.end()) {
        reference.expected = value->second;
        return reference;
      }
    }
  }
  if (!shared) {
    for (const DeviceRows& device : devices) {
      auto rows = device.rows.find(model.name);
      if (rows == device.rows.end()) continue;
      auto row = rows->second.find(uuid);
      if (row == rows->second.end()) continue;
      std::string owner = OwnerOf(model.name, row->second, devices);
      auto owner_name = name_of_uuid.find(owner);
      if (owner_name == name_of_uuid.end()) break;
      reference.owner_label = owner_name->second;
      for (const DeviceRows& candidate : devices) {
        if (candidate.uuid != owner) continue;
        auto owner_rows = candidate.rows.find(model.name);
        if (owner_rows != candidate.rows.end()) {
          auto owned = owner_rows->second.find(uuid);
          if (owned != owner_rows->second.end()) reference.expected = owned->second;
        }
        return reference;
      }
      break;
    }
  }
  // The value most devices hold; ties go to the smallest encoding.
  std::map<std::string, int> votes;
  for (const DeviceRows& device : devices) {
    auto rows = device.rows.find(model.name);
    if (rows == device.rows.end()) continue;
    auto row = rows->second.find(uuid);
    if (row != rows->second.end()) ++votes[row->second.dump()];
  }
  std::string best;
  int best_votes = 0;
  for (const auto& [encoding, count] : votes) {
    if (count > best_votes) {
      best = encoding;
      best_votes = count;
    }
  }
  if (best_votes > 0) reference.expected = nlohmann::json::parse(best);
  return reference;
}

ConvergenceResult CheckConvergence(const std::vector<DeviceRows>& devices, const core::ModelRegistry& registry,
                                   const SharedOracle* oracle) {
  ConvergenceResult result;
  std::map<std::string, std::string> name_of_uuid;
  for (const DeviceRows& device : devices) name_of_uuid[device.uuid] = device.name;
  // (model, owner, device, kind) -> difference
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Difference> found;
  auto note = [&](const std::string& model, const std::string& owner, const std::string& device,
                  const std::string& kind, const std::string& uuid, std::vector<std::string> fields) {
    Difference& difference = found[{model, owner, device, kind}];
    difference.model = model;
    difference.owner = owner;
    difference.device = device;
    difference.kind = kind;
    ++difference.count;
    if (difference.sample_uuids.size() < kSampleUuidsMax) difference.sample_uuids.push_back(uuid);
    if (difference.sample_fields.empty()) difference.sample_fields = std::move(fields);
  };

  for (const core::ModelSpec& model : registry.models()) {
    const bool shared = model.ownership == core::Ownership::kShared;
    std::set<std::string> uuids;
    for (const DeviceRows& device : devices) {
      auto rows = device.rows.find(model.name);
      if (rows == device.rows.end()) continue;
      for (const auto& [uuid, data] : rows->second) uuids.insert(uuid);
    }
    if (shared && oracle != nullptr) {
      auto expected = oracle->find(model.name);
      if (expected != oracle->end()) {
        for (const auto& [uuid, data] : expected->second) uuids.insert(uuid);
      }
    }
    for (const std::string& uuid : uuids) {
      Reference reference = DecideReference(model, uuid, devices, oracle, name_of_uuid);
      const std::optional<nlohmann::json>& expected = reference.expected;
      const std::string& owner_label = reference.owner_label;
      for (const DeviceRows& device : devices) {
        const nlohmann::json* actual = nullptr;
        auto rows = device.rows.find(model.name);
        if (rows != device.rows.end()) {
          auto row = rows->second.find(uuid);
          if (row != rows->second.end()) actual = &row->second;
        }
        if (expected.has_value() && actual == nullptr) {
          note(model.name, owner_label, device.name, "missing", uuid, {});
        } else if (!expected.has_value() && actual != nullptr) {
          note(model.name, owner_label, device.name, "extra", uuid, {});
        } else if (expected.has_value() && actual != nullptr && *expected != *actual) {
          note(model.name, owner_label, device.name, "field_mismatch", uuid, DifferingFields(*expected, *actual));
        }
      }
    }
  }
  for (auto& [key, difference] : found) result.differences.push_back(std::move(difference));
  result.converged = result.differences.empty();
  return result;
}

std::vector<Linkage> ComputeLinkage(const std::vector<DeviceRows>& devices) {
  std::vector<Linkage> result;
  for (const DeviceRows& owner : devices) {
    auto owner_locations = owner.rows.find("location");
    auto owner_entries = owner.rows.find("entry");
    if (owner_locations == owner.rows.end() || owner_entries == owner.rows.end()) continue;
    std::set<std::string> owned_locations;
    std::set<std::string> roots;
    for (const auto& [uuid, data] : owner_locations->second) {
      if (data.value("device_uuid", nlohmann::json()) == owner.uuid) {
        owned_locations.insert(uuid);
        if (data.value("entry_uuid", nlohmann::json()).is_string()) roots.insert(data["entry_uuid"].get<std::string>());
      }
    }
    if (owned_locations.empty()) continue;
    for (const DeviceRows& receiver : devices) {
      if (receiver.name == owner.name) continue;
      Linkage linkage;
      linkage.receiver = receiver.name;
      linkage.owner = owner.name;
      const std::map<std::string, nlohmann::json>* receiver_entries = nullptr;
      if (auto found = receiver.rows.find("entry"); found != receiver.rows.end()) receiver_entries = &found->second;
      for (const auto& [uuid, data] : owner_entries->second) {
        const nlohmann::json location = data.value("location_uuid", nlohmann::json());
        if (!location.is_string() || !owned_locations.contains(location.get<std::string>())) continue;
        ++linkage.owner_entries;
        const nlohmann::json* copy = nullptr;
        if (receiver_entries != nullptr) {
          auto found = receiver_entries->find(uuid);
          if (found != receiver_entries->end()) copy = &found->second;
        }
        if (copy != nullptr) ++linkage.receiver_entries;
        const bool is_file = data.value("kind", nlohmann::json()) == 0;
        if (is_file) ++linkage.owner_files;
        const nlohmann::json content = data.value("content_uuid", nlohmann::json());
        if (is_file && content.is_string()) {
          ++linkage.owner_content_links;
          if (copy != nullptr && copy->value("content_uuid", nlohmann::json()) == content) {
            ++linkage.receiver_content_links;
          }
        }
        const nlohmann::json parent = data.value("parent_uuid", nlohmann::json());
        if (!roots.contains(uuid) && parent.is_string()) {
          ++linkage.owner_parent_links;
          if (copy != nullptr && copy->value("parent_uuid", nlohmann::json()) == parent) ++linkage.receiver_parent_links;
        }
      }
      if (linkage.owner_content_links > 0) {
        linkage.content_share =
            static_cast<double>(linkage.receiver_content_links) / static_cast<double>(linkage.owner_content_links);
      }
      if (linkage.owner_parent_links > 0) {
        linkage.parent_share =
            static_cast<double>(linkage.receiver_parent_links) / static_cast<double>(linkage.owner_parent_links);
      }
      result.push_back(linkage);
    }
  }
  std::sort(result.begin(), result.end(), [](const Linkage& left, const Linkage& right) {
    return std::tie(left.receiver, left.owner) < std::tie(right.receiver, right.owner);
  });
  return result;
}

nlohmann::json ToJson(const ConvergenceResult& result) {
  nlohmann::json differences = nlohmann::json::array();
  for (const Difference& difference : result.differences) {
    nlohmann::json entry = {{"model", difference.model},         {"owner", difference.owner},
                            {"device", difference.device},       {"kind", difference.kind},
                            {"count", difference.count},         {"sample_uuids", difference.sample_uuids}};
    if (!difference.sample_fields.empty()) entry["sample_fields"] = difference.sample_fields;
    differences.push_back(std::move(entry));
  }
  return {{"converged", result.converged}, {"differences", differences}};
}

nlohmann::json ToJson(const Linkage& linkage) {
  // Shares are rounded to 6 decimals so that the JSON text is stable.
  auto round = [](double value) { return static_cast<double>(static_cast<int64_t>(value * 1e6 + 0.5)) / 1e6; };
  return {{"receiver", linkage.receiver},
          {"owner", linkage.owner},
          {"owner_entries", linkage.owner_entries},
          {"receiver_entries", linkage.receiver_entries},
          {"owner_files", linkage.owner_files},
          {"owner_content_links", linkage.owner_content_links},
          {"receiver_content_links", linkage.receiver_content_links},
          {"owner_parent_links", linkage.owner_parent_links},
          {"receiver_parent_links", linkage.receiver_parent_links},
          {"content_share", round(linkage.content_share)},
          {"parent_share", round(linkage.parent_share)},
          {"text", linkage.receiver + " links " + Grouped(linkage.receiver_content_links) + " of the " +
                       Grouped(linkage.owner_content_links) + " files " + linkage.owner + " links"}};
}

std::string DescribeDifferences(const std::vector<Difference>& differences) {
  std::string headline;
  for (const Difference& difference : differences) {
    const std::string separator = headline.empty() ? "" : "; ";
    if (difference.kind == "missing") {
      headline += fmt::format("{}{} lacks {} {} record(s) of {}", separator, difference.device, difference.count,
                              difference.model, difference.owner);
    } else if (difference.kind == "extra") {
      headline += fmt::format("{}{} holds {} {} record(s) of {} that should not exist", separator, difference.device,
                              difference.count, difference.model, difference.owner);
    } else {
      std::string fields;
      for (const std::string& field : difference.sample_fields) fields += (fields.empty() ? "" : ", ") + field;
      headline += fmt::format("{}{} holds {} {} record(s) of {} with other values ({})", separator, difference.device,
                              difference.count, difference.model, difference.owner, fields);
    }
  }
  return headline;
}

}  // namespace syncsim::sim
