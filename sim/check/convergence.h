// Convergence and linkage checks across devices (DESIGN.md 4 and 6). Each
// device is seen as its synced rows in wire form (uuids, never local ids), so
// two databases compare field for field whatever ids they assigned.
//
// Reference values: a device-owned record is judged against its owner's
// copy; a shared record against the last-writer-wins oracle when one is
// given, else against the value most devices hold.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model_registry.h"

namespace syncsim::sim {

// One device's synced rows: model -> uuid -> wire data.
struct DeviceRows {
  std::string name;
  std::string uuid;
  std::map<std::string, std::map<std::string, nlohmann::json>> rows;
};

// The expected final value of each shared record: model -> uuid -> data, or
// nullopt when the winning change deleted it.
using SharedOracle = std::map<std::string, std::map<std::string, std::optional<nlohmann::json>>>;

struct Difference {
  std::string model;
  std::string owner;   // owner device name for device-owned records, "shared" otherwise
  std::string device;  // the device that differs
  std::string kind;    // "missing", "extra" or "field_mismatch"
  int64_t count = 0;
  std::vector<std::string> sample_uuids;
  std::vector<std::string> sample_fields;  // for field_mismatch: fields that differ in the first sample
};

struct ConvergenceResult {
  bool converged = true;
  std::vector<Difference> differences;  // sorted by model, owner, device, kind
};

// The value a record should have and whose it is: a device-owned record's
// owner copy (owner_label = the owner's name), a shared record's oracle
// value, else the value most devices hold. `expected` is nullopt when the
// record should not exist (its owner or the oracle deleted it).
struct Reference {
  std::optional<nlohmann::json> expected;
  std::string owner_label = "shared";
};

// REQUIRES: `name_of_uuid` maps each device's uuid to its name.
Reference DecideReference(const core::ModelSpec& model, const std::string& uuid, const std::vector<DeviceRows>& devices,
                          const SharedOracle* oracle, const std::map<std::string, std::string>& name_of_uuid);

// REQUIRES: device names are distinct. `oracle` may be null.
ConvergenceResult CheckConvergence(const std::vector<DeviceRows>& devices, const core::ModelRegistry& registry,
                                   const SharedOracle* oracle);

// How much of an owner's linkage a receiver holds.
struct Linkage {
  std::string receiver;
  std::string owner;
  int64_t owner_entries = 0;        // entries in the owner's locations, on the owner
  int64_t receiver_entries = 0;     // of those, present on the receiver
  int64_t owner_files = 0;
  int64_t owner_content_links = 0;  // owner's files linked to a content identity
  int64_t receiver_content_links = 0;  // of those, linked to the same one on the receiver
  int64_t owner_parent_links = 0;   // owner's non-root entries with a parent
  int64_t receiver_parent_links = 0;   // of those, with the same parent on the receiver
  // receiver_content_links / owner_content_links (1 when the owner links none).
  double content_share = 1.0;
  double parent_share = 1.0;
};

// One Linkage per (receiver, owner) pair of distinct devices where the owner
// owns at least one location; sorted by receiver then owner.
std::vector<Linkage> ComputeLinkage(const std::vector<DeviceRows>& devices);

nlohmann::json ToJson(const ConvergenceResult& result);
// One line a person reads first: who lacks what, who holds what should not
// exist, who holds other values ("bob lacks 3 entry record(s) of alice; ...");
// empty when there is no difference.
std::string DescribeDifferences(const std::vector<Difference>& differences);
nlohmann::json ToJson(const Linkage& linkage);

}  // namespace syncsim::sim
