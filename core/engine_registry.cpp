#include "core/engine_registry.h"

#include <cassert>
#include <map>

namespace syncsim::core {
namespace {

// Built on first use, so registration order across files does not matter.
std::map<std::string, EngineFactory, std::less<>>& Registry() {
  static std::map<std::string, EngineFactory, std::less<>> registry;
  return registry;
}

}  // namespace

bool RegisterEngine(std::string_view name, EngineFactory factory) {
  assert(factory != nullptr);
  const bool inserted = Registry().emplace(std::string(name), factory).second;
  assert(inserted);
  (void)inserted;
  return true;
}

EngineFactory FindEngine(std::string_view name) {
  auto found = Registry().find(name);
  return found == Registry().end() ? nullptr : found->second;
}

std::vector<std::string_view> EngineNames() {
  std::vector<std::string_view> names;
  for (const auto& [name, factory] : Registry()) names.push_back(name);
  return names;
}

}  // namespace syncsim::core
