// libFuzzer target: the scenario loader on arbitrary bytes, the way
// `syncsim run` reads a file: the strict JSON parser (duplicate keys,
// nesting bound, linear time), then every check of the scenario format.
// It must refuse or accept; a crash, an escaped exception, a sanitizer
// report or a timeout is a finding. Seed corpus: every scenario file and
// every malformed scenario of the tests (tools/run_fuzz.sh gathers them).
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/base/strict_json.h"
#include "sim/scenario/scenario_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  nlohmann::json document;
  if (!syncsim::sim::ParseStrictJson(text, &document).ok()) return 0;
  syncsim::sim::Scenario scenario;
  (void)syncsim::sim::ParseScenario(document, &scenario);
  return 0;
}
