// `syncsim validate FILE...`: checks scenario files without running them,
// with every check `run` makes before its first step (the strict JSON
// parser, every key, type, bound and reference of the format, the
// aggregate bounds). Prints "ok" or the error (file and JSON path) per
// file; exit 0 when every file is valid, 2 when any is not.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

std::function<int()> RegisterValidateCommand(CLI::App& app);

}  // namespace syncsim::tools
