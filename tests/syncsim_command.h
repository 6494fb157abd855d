// Runs the syncsim binary of this build as a user would, for the tests that
// check exit codes and printed output.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include <catch2/catch.hpp>

namespace syncsim::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// `arguments` is appended to the binary's path and run by the shell.
inline CommandResult RunSyncsim(const std::string& arguments) {
  const std::string command = std::string(SYNCSIM_BINARY) + " " + arguments + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t read = 0;
  while ((read = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, read);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace syncsim::testing
