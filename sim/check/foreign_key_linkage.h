// ForeignKeyLinkage: for every foreign key field of every model, how many of
// the links a device should hold it does hold, resolved to a row it has.
// "Should" is judged per record against its reference value (the owner's
// copy, or the oracle / majority for shared records; see DecideReference),
// so a receiver's entry.content_id share is the seed transcript's "bob links
// 2,036 of the 2,043 files alice links", generalised to every FK.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model_registry.h"
#include "sim/check/convergence.h"

namespace syncsim::sim {

struct ForeignKeyShare {
  std::string model;         // referring model
  std::string field;         // its FK column, e.g. "content_id"
  std::string target_model;  // the model it points at
  // Records whose reference value sets this link (among the records this
  // device should hold).
  int64_t expected = 0;
  // Of those, records this device holds with the same target uuid, and that
  // target present on this device.
  int64_t resolved = 0;
  double share = 1.0;  // resolved / expected; 1 when expected is 0
};

// Device name -> its shares, in registry order of models and FKs.
// REQUIRES: device names are distinct. `oracle` may be null.
std::map<std::string, std::vector<ForeignKeyShare>> ComputeForeignKeyLinkage(const std::vector<DeviceRows>& devices,
                                                                             const core::ModelRegistry& registry,
                                                                             const SharedOracle* oracle);

// {"model.field": {"target", "expected", "resolved", "share"}}.
nlohmann::json ToJson(const std::vector<ForeignKeyShare>& shares);

}  // namespace syncsim::sim
