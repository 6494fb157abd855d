#include "tools/syncsim/sweep_coverage.h"

#include <fmt/format.h>

#include "sim/check/coverage.h"

namespace syncsim::tools {

void SweepCoverage::Add(const nlohmann::json& run) {
  if (!run.is_object() || !run.contains("coverage") || !run["coverage"].is_object()) return;
  ++seeds_reported_;
  const nlohmann::json& coverage = run["coverage"];
  for (const sim::CoveragePath& path : sim::CoveragePaths()) {
    const std::string name(path.name);
    const nlohmann::json* count = coverage.contains(name) ? &coverage[name] : nullptr;
    if (count != nullptr && count->is_number_unsigned() && count->get<uint64_t>() > 0) ++fired_in_seeds_[name];
  }
}

void SweepCoverage::Print(std::FILE* out) const {
  fmt::print(out, "coverage      rare paths fired, in seeds of {} that reported:\n", seeds_reported_);
  std::string never;
  for (const sim::CoveragePath& path : sim::CoveragePaths()) {
    auto found = fired_in_seeds_.find(std::string(path.name));
    if (found == fired_in_seeds_.end()) {
      never += (never.empty() ? "" : ", ") + std::string(path.name);
      continue;
    }
    fmt::print(out, "  {:<34} {:>7}\n", path.name, found->second);
  }
  fmt::print(out, "never fired   {}\n", never.empty() ? std::string("none") : never);
}

nlohmann::json SweepCoverage::ToJson() const {
  nlohmann::json fired = nlohmann::json::object();
  nlohmann::json never = nlohmann::json::array();
  for (const sim::CoveragePath& path : sim::CoveragePaths()) {
    auto found = fired_in_seeds_.find(std::string(path.name));
    if (found == fired_in_seeds_.end()) {
      never.push_back(std::string(path.name));
    } else {
      fired[std::string(path.name)] = found->second;
    }
  }
  return {{"seeds", seeds_reported_}, {"fired_in_seeds", fired}, {"never_fired", never}};
}

}  // namespace syncsim::tools
