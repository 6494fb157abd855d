// RunDocument: runs a scenario document in memory (no files), for tests
// that build scenarios inline. Fails the test when the document is not a
// valid scenario or the run returns an error.
#pragma once

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/scenario_runner.h"

namespace syncsim::testing {

inline sim::RunResult RunDocument(const nlohmann::json& document) {
  sim::Scenario scenario;
  const core::Status parsed = sim::ParseScenario(document, &scenario);
  INFO(parsed.message());
  REQUIRE(parsed.ok());
  sim::RunOptions options;
  options.out_dir.clear();
  sim::RunResult result;
  REQUIRE(sim::RunScenario(scenario, document, options, &result).ok());
  return result;
}

}  // namespace syncsim::testing
