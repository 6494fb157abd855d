// The engine registry: every sync engine by name, so that a scenario picks
// one with `sync.engine` and adding an engine is one new file. An engine
// registers its factory from its own source file at static initialisation
// (`const bool kRegistered = RegisterEngine("name", &Make);`); the core is
// linked whole (core/CMakeLists.txt), so no registration is dropped.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine.h"

namespace syncsim::core {

// Builds an engine from `setup`. The caller owns the result.
// REQUIRES: every pointer of `setup` set (hlc_observer may be null).
using EngineFactory = std::unique_ptr<Engine> (*)(const EngineSetup& setup);

// Adds `factory` under `name`. Returns true, so that a file can register
// from a static initialiser. REQUIRES: `name` not registered yet.
bool RegisterEngine(std::string_view name, EngineFactory factory);

// The factory registered under `name`, or null when there is none.
EngineFactory FindEngine(std::string_view name);

// Every registered name, sorted.
std::vector<std::string_view> EngineNames();

}  // namespace syncsim::core
