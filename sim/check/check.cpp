#include "sim/check/check.h"

#include <algorithm>
#include <utility>

#include "sim/base/assert.h"

namespace syncsim::sim {
namespace {

// Kept sorted by `order` as checks register.
std::vector<Check>& Checks() {
  static std::vector<Check> checks;
  return checks;
}

}  // namespace

bool RegisterCheck(Check check) {
  std::vector<Check>& checks = Checks();
  for (const Check& registered : checks) {
    SYNCSIM_ASSERT(registered.name != check.name && registered.order != check.order &&
                   registered.listed != check.listed);
  }
  SYNCSIM_ASSERT(check.evaluate != nullptr);
  auto position = std::upper_bound(checks.begin(), checks.end(), check.order,
                                   [](int order, const Check& registered) { return order < registered.order; });
  checks.insert(position, std::move(check));
  return true;
}

const std::vector<Check>& RegisteredChecks() { return Checks(); }

const Check* FindCheck(std::string_view name) {
  for (const Check& check : Checks()) {
    if (check.name == name) return &check;
  }
  return nullptr;
}

std::vector<std::string_view> CheckNames() {
  std::vector<const Check*> listed;
  for (const Check& check : Checks()) {
    if (!check.per_device_model) listed.push_back(&check);
  }
  std::sort(listed.begin(), listed.end(), [](const Check* left, const Check* right) { return left->listed < right->listed; });
  std::vector<std::string_view> names;
  for (const Check* check : listed) names.push_back(check->name);
  return names;
}

std::vector<std::string_view> ExpectKeys() {
  std::vector<std::string_view> keys;
  for (const Check& check : Checks()) {
    for (std::string_view key : check.expect_keys) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
  }
  keys.push_back("must_fail");
  return keys;
}

}  // namespace syncsim::sim
