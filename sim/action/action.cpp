#include "sim/action/action.h"

#include <algorithm>
#include <map>

#include "sim/base/assert.h"

namespace syncsim::sim {
namespace {

// name -> action. Filled by static initialisers, so a function-local
// static (initialised on first use, whatever the order of the files).
std::map<std::string, Action, std::less<>>& Actions() {
  static std::map<std::string, Action, std::less<>> actions;
  return actions;
}

}  // namespace

std::vector<std::string_view> Action::RequiredKeys() const {
  std::vector<std::string_view> names;
  for (const ActionKey& key : keys) {
    if (key.required) names.push_back(key.name);
  }
  return names;
}

std::vector<std::string_view> Action::OptionalKeys() const {
  std::vector<std::string_view> names;
  for (const ActionKey& key : keys) {
    if (!key.required) names.push_back(key.name);
  }
  return names;
}

bool RegisterAction(Action action) {
  SYNCSIM_ASSERT(!action.name.empty() && action.parse && action.run);
  for (const auto& [name, known] : Actions()) {
    SYNCSIM_ASSERT(known.listing_order != action.listing_order);
    SYNCSIM_ASSERT(!action.swarm || !known.swarm || known.swarm_order != action.swarm_order);
  }
  const std::string name(action.name);
  SYNCSIM_ASSERT(!Actions().contains(name));
  Actions().emplace(name, std::move(action));
  return true;
}

const Action* FindAction(std::string_view name) {
  auto found = Actions().find(name);
  return found == Actions().end() ? nullptr : &found->second;
}

const ShrinkHints& ShrinkHintsOf(const nlohmann::json& step) {
  static const ShrinkHints kNone;
  if (!step.is_object() || !step.contains("action") || !step["action"].is_string()) return kNone;
  const Action* action = FindAction(step["action"].get_ref<const std::string&>());
  return action == nullptr ? kNone : action->shrink;
}

std::vector<const Action*> RegisteredActions() {
  std::vector<const Action*> actions;
  for (const auto& [name, action] : Actions()) actions.push_back(&action);
  std::sort(actions.begin(), actions.end(),
            [](const Action* left, const Action* right) { return left->listing_order < right->listing_order; });
  return actions;
}

}  // namespace syncsim::sim
