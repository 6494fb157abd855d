// invariant.dangling: every foreign key and every uuid reference
// (ModelSpec::uuid_references) on every device names a row that is there.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  std::string detail;
  for (const DeviceRunFacts& device : facts.devices) {
    for (const auto& [field, count] : device.database.dangling) {
      if (count > 0) detail += fmt::format("{}{} {} on {}", detail.empty() ? "" : "; ", count, field, device.name);
    }
    for (const auto& [field, count] : device.database.dangling_uuid_references) {
      if (count > 0) {
        detail += fmt::format("{}{} {} (uuid reference) on {}", detail.empty() ? "" : "; ", count, field, device.name);
      }
    }
  }
  out->push_back({"invariant.dangling", detail.empty(),
                  detail.empty() ? std::string("every foreign key and uuid reference names a row") : detail});
}

const bool kRegistered = RegisterCheck({.name = "invariant.dangling",
                                        .per_device_model = false,
                                        .order = 110,
                                        .listed = 11,
                                        .expect_keys = {},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
