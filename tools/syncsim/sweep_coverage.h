// SweepCoverage: the rare-path coverage of a sweep (sim/check/coverage.h):
// for each path, in how many seeds it fired, and the paths that fired in
// none, so that a sweep which never reaches a path says so.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace syncsim::tools {

class SweepCoverage {
 public:
  // Counts the paths that fired in one seed's run (its --json object; a
  // run without "coverage", e.g. a crashed worker's, counts as a seed that
  // reported nothing).
  void Add(const nlohmann::json& run);

  // A table "path: seeds", then the paths that never fired.
  void Print(std::FILE* out) const;

  // {"seeds": N, "fired_in_seeds": {path: seeds}, "never_fired": [path...]}
  nlohmann::json ToJson() const;

 private:
  uint64_t seeds_reported_ = 0;
  std::map<std::string, uint64_t> fired_in_seeds_;  // path -> seeds
};

}  // namespace syncsim::tools
