// `syncsim bench`: the realtime indexing shape (one device indexes, the
// others receive) timed against a raw SQLite baseline measured in the same
// process: every row that ends up in each device's database, inserted with
// prepared statements in one transaction per database (DESIGN.md 7). A
// benchmark program, not a test.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

std::function<int()> RegisterBenchCommand(CLI::App& app);

}  // namespace syncsim::tools
