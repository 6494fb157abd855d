// The subcommands of the syncsim tool and the exit codes of DESIGN.md 7.
#pragma once

#include <CLI/CLI.hpp>

namespace syncsim::tools {

inline constexpr int kExitOk = 0;              // every expectation held
inline constexpr int kExitExpectationFailed = 1;  // a run completed and an expectation failed
inline constexpr int kExitBadInput = 2;        // bad scenario, flag or path; nothing written
inline constexpr int kExitInternal = 3;        // a bug in syncsim

// Adds every subcommand to `app`.
void RegisterCommands(CLI::App& app);
// Runs the subcommand the parse selected and returns its exit code.
// REQUIRES: exactly one subcommand was parsed.
int RunSelectedCommand(CLI::App& app);

}  // namespace syncsim::tools
