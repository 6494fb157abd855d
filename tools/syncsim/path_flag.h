// Path flags: how the syncsim command reads a path a person types (--out,
// --db-dir, --junit, --save-failures). An empty path is refused with the
// flag named (exit 2): `--out ''` used to run as if --no-snapshot were
// given, silently writing nothing.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

// A CLI11 check that refuses an empty value.
CLI::Validator NonEmptyPath();

// True when a file can be created beside `path` (its folder exists and is
// writable); otherwise false with *problem saying why. Creates and removes
// a temporary, never touching `path` itself.
bool CanWriteBeside(const std::string& path, std::string* problem);

}  // namespace syncsim::tools
