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

#include "sim/snapshot/atomic_file.h"

extern char** environ;

namespace syncsim::sim {

SvgRendering RenderDotToSvg(const std::string& dot_path, const std::string& svg_path) {
  const char* configured = std::getenv("SYNCSIM_DOT");
  const std::string program = configured != nullptr && configured[0] != '\0' ? configured : "dot";
  // dot writes to its standard output, a temporary we created exclusively:
  // `dot -o` would follow a link planted in a snapshot folder.
  std::string temporary;
  int descriptor = -1;
  const core::Status created = CreateTemporaryBeside(svg_path, &temporary, &descriptor);
  if (!created.ok()) return {false, created.message()};
  std::vector<std::string> arguments = {program, "-Tsvg", dot_path};
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  // dot's own messages (layout warnings) would only confuse the run's
  // output: they go to /dev/null.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, descriptor, STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, descriptor);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawn_error = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(descriptor);
  std::error_code ignored;
  if (spawn_error != 0) {
    std::filesystem::remove(temporary, ignored);
    if (spawn_error == ENOENT) return {false, fmt::format("Graphviz ({}) is not installed", program)};
    return {false, fmt::format("cannot start {}: {}", program, std::strerror(spawn_error))};
  }
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0) {
    if (errno != EINTR) {
      std::filesystem::remove(temporary, ignored);
      return {false, fmt::format("cannot wait for {}", program)};
    }
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
  const core::Status published = PublishTemporary(temporary, svg_path);
  if (!published.ok()) return {false, published.message()};
  return {true, ""};
}

}  // namespace syncsim::sim
