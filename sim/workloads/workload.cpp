#include "sim/workloads/workload.h"

#include "sim/base/assert.h"

namespace syncsim::sim {
namespace {

std::map<std::string, WorkloadFactory, std::less<>>& Factories() {
  static std::map<std::string, WorkloadFactory, std::less<>> factories;
  return factories;
}

}  // namespace

bool RegisterWorkload(std::string action, WorkloadFactory factory) {
  SYNCSIM_ASSERT(!Factories().contains(action));
  Factories().emplace(std::move(action), std::move(factory));
  return true;
}

const WorkloadFactory* FindWorkload(std::string_view action) {
  auto found = Factories().find(action);
  return found == Factories().end() ? nullptr : &found->second;
}

std::vector<std::string> RegisteredWorkloads() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Factories()) names.push_back(name);
  return names;
}

}  // namespace syncsim::sim
