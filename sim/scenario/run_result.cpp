#include "sim/scenario/run_result.h"

#include "core/model_registry.h"
#include "sim/check/check.h"
#include "sim/check/convergence.h"
#include "sim/check/state_fingerprint.h"

namespace syncsim::sim {

nlohmann::json RunResult::ToJson() const {
  nlohmann::json expectation_list = nlohmann::json::array();
  for (const ExpectationResult& expectation : expectations) {
    expectation_list.push_back({{"name", expectation.name}, {"ok", expectation.ok}, {"detail", expectation.detail}});
  }
  return {{"scenario", scenario},
          {"seed", seed},
          {"engine", engine},
          {"fingerprint", fingerprint},
          {"state_fingerprint", state_fingerprint},
          {"phase_state_fingerprints", phase_state_fingerprints},
          {"virtual_time_ms", virtual_time_ms},
          {"events", events},
          {"messages",
           {{"sent", messages.sent},
            {"delivered", messages.delivered},
            {"dropped", messages.dropped},
            {"duplicated", messages.duplicated},
            {"bytes_sent", bytes_sent}}},
          {"quiescent", quiescent},
          {"converged", converged},
          {"stall", stall},
          {"expectations", expectation_list},
          {"coverage", coverage},
          {"devices", devices},
          {"snapshot_dir", snapshot_dir},
          {"passed", passed}};
}

void DescribeDevices(const RunFacts& facts, const std::vector<DeviceRows>& rows, RunResult* result) {
  for (const DeviceRunFacts& device : facts.devices) {
    nlohmann::json linkage_summary = nlohmann::json::array();
    for (const Linkage& link : facts.linkage) {
      if (link.receiver == device.name) linkage_summary.push_back(ToJson(link));
    }
    const DatabaseFacts& database = device.database;
    result->devices[device.name] = {{"entries", database.counts.at("entry")},
                                    {"files", database.files},
                                    {"files_with_content", database.files_with_content},
                                    {"orphans", database.orphans},
                                    {"parked_records", database.parked_records},
                                    {"linkage", linkage_summary},
                                    {"sync", core::ToJson(device.counters)}};
  }
  for (const auto& [name, digest] : DeviceStateDigests(rows, core::ModelRegistry::Default())) {
    result->devices[name]["state_digest"] = StateDigestHex(digest);
  }
}

}  // namespace syncsim::sim
