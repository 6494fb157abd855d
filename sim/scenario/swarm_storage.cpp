#include "sim/scenario/swarm_storage.h"

#include <string>

#include "sim/kernel/random.h"

namespace syncsim::sim {
namespace {

// A probability in millionths, so that the file shows short numbers.
double PerMillion(Random* random, int64_t per_million_min, int64_t per_million_max) {
  return static_cast<double>(random->Range(per_million_min, per_million_max)) / 1'000'000.0;
}

}  // namespace

void DrawSwarmStorage(uint64_t seed, nlohmann::json* document, nlohmann::json* drawn) {
  nlohmann::json& storage = (*document)["storage"];
  if (!storage.is_object()) storage = nlohmann::json::object();
  if (storage.value("journal", std::string()) == "off") return;
  Random random = SeedStreams(seed).Stream("swarm/storage");
  nlohmann::json record = nlohmann::json::object();
  if (!storage.contains("journal")) {
    storage["journal"] = random.Bernoulli(0.5) ? "wal" : "rollback";
    record["journal"] = storage["journal"];
  }
  // Every crash of the scenario, drawn or written, may lose power and may
  // strike inside a transaction.
  nlohmann::json crashes = nlohmann::json::array();
  for (nlohmann::json& step : (*document)["steps"]) {
    if (!step.is_object() || step.value("action", std::string()) != "crash") continue;
    if (random.Bernoulli(0.5)) step["power_loss"] = true;
    if (random.Bernoulli(0.5)) step["at_io"] = random.Range(1, kSwarmCrashAtIoMax);
    crashes.push_back(step);
  }
  if (!crashes.empty()) record["crashes"] = crashes;
  for (nlohmann::json& device : (*document)["devices"]) {
    if (!device.is_object() || !device.contains("name") || !device["name"].is_string()) continue;
    nlohmann::json faults = nlohmann::json::object();
    if (random.Bernoulli(0.25)) {
      faults["io_error_probability"] = PerMillion(&random, kSwarmIoErrorPerMillionMin, kSwarmIoErrorPerMillionMax);
    }
    if (random.Bernoulli(0.15)) {
      faults["disk_full_probability"] = PerMillion(&random, kSwarmDiskFullPerMillionMin, kSwarmDiskFullPerMillionMax);
    }
    if (faults.empty()) continue;
    device["storage"] = faults;
    record["devices"][device["name"].get<std::string>()] = faults;
  }
  if (!record.empty()) (*drawn)["storage"] = record;
}

}  // namespace syncsim::sim
