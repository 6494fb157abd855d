#include "sim/snapshot/graphviz_render.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

extern char** environ;

namespace syncsim::sim {

SvgRendering RenderDotToSvg(const std::string& dot_path, const std::string& svg_path) {
  const char* configured = std::getenv("SYNCSIM_DOT");
  const std::string program = configured != nullptr && configured[0] != '\0' ? configured : "dot";
  const std::string temporary = svg_path + ".partial";
  std::vector<std::string> arguments = {program, "-Tsvg", dot_path, "-o", temporary};
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  // dot's own messages (layout warnings) would only confuse the run's
  // output: they go to /dev/null.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawn_error = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  std::error_code ignored;
  if (spawn_error != 0) {
    if (spawn_error == ENOENT) return {false, fmt::format("Graphviz ({}) is not installed", program)};
    return {false, fmt::format("cannot start {}: {}", program, std::strerror(spawn_error))};
  }
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0) {
    if (errno != EINTR) return {false, fmt::format("cannot wait for {}", program)};
  }
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    std::filesystem::remove(temporary, ignored);
    // posix_spawnp reports a missing program as exit status 127 on some
    // C libraries instead of ENOENT.
    if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 127) {
      return {false, fmt::format("Graphviz ({}) is not installed", program)};
    }
    return {false, fmt::format("{} failed on {} (status {})", program, dot_path, wait_status)};
  }
  std::filesystem::rename(temporary, svg_path, ignored);
  if (ignored) return {false, fmt::format("{}: {}", svg_path, ignored.message())};
  return {true, ""};
}

}  // namespace syncsim::sim
