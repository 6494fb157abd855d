// JunitXml: the JUnit XML a sweep writes (--junit) and `syncsim merge`
// writes for the shards it joins: one testsuite named after the scenario,
// one testcase per seed, a failure with the failed checks and the command
// that replays the seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace syncsim::tools {

struct JunitCase {
  uint64_t seed = 0;
  std::optional<double> wall_s;  // omitted when unknown (merged shards)
  bool passed = true;
  std::string failure;  // when !passed
  std::string replay;   // when !passed
};

std::string JunitXml(const std::string& scenario_name, const std::vector<JunitCase>& cases);

}  // namespace syncsim::tools
