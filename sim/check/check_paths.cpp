// invariant.paths: every directory has one directory_paths row, the names
// along its parent chain (the contract of core/library_db.cpp), on every device.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  std::string detail;
  for (const DeviceRunFacts& device : facts.devices) {
    const DatabaseFacts& database = device.database;
    if (database.directory_path_errors == 0) continue;
    detail += fmt::format("{}{} on {} (first: {})", detail.empty() ? "" : "; ", database.directory_path_errors,
                          device.name, database.directory_path_error_samples.front());
  }
  out->push_back({"invariant.paths", detail.empty(),
                  detail.empty() ? std::string("every directory has one directory_paths row: the names along its parent chain")
                                 : "directories whose directory_paths row is stale, missing or extra: " + detail});
}

const bool kRegistered = RegisterCheck({.name = "invariant.paths",
                                        .per_device_model = false,
                                        .order = 130,
                                        .listed = 9,
                                        .expect_keys = {},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
