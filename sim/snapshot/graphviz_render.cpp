#include "sim/snapshot/graphviz_render.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "sim/snapshot/atomic_file.h"

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

  // A DOT file from elsewhere may ask dot for hours of layout or gigabytes:
  // the child gets bounded CPU time and memory (the kernel stops it past
  // them; no clock is read here). dot's own messages (layout warnings)
  // would only confuse the run's output: they go to /dev/null. fork, not
  // posix_spawn, to set the limits in the child (the process has one
  // thread).
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(descriptor, STDOUT_FILENO);
    ::close(descriptor);
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) ::dup2(null, STDERR_FILENO);
    const rlimit cpu{kDotCpuSecondsMax, kDotCpuSecondsMax};
    const rlimit memory{kDotMemoryBytesMax, kDotMemoryBytesMax};
    ::setrlimit(RLIMIT_CPU, &cpu);
    ::setrlimit(RLIMIT_AS, &memory);
    ::execvp(program.c_str(), argv.data());
    ::_exit(127);  // not found: reported as Graphviz missing below
  }
  ::close(descriptor);
  std::error_code ignored;
  if (pid < 0) {
    std::filesystem::remove(temporary, ignored);
    return {false, fmt::format("cannot start {}: {}", program, std::strerror(errno))};
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
    if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 127) {
      return {false, fmt::format("Graphviz ({}) is not installed", program)};
    }
    if (WIFSIGNALED(wait_status) && (WTERMSIG(wait_status) == SIGXCPU || WTERMSIG(wait_status) == SIGKILL)) {
      return {false, fmt::format("{} was stopped after {} s of CPU time on {}", program, kDotCpuSecondsMax, dot_path)};
    }
    return {false, fmt::format("{} failed on {} (status {})", program, dot_path, wait_status)};
  }
  const core::Status published = PublishTemporary(temporary, svg_path);
  if (!published.ok()) return {false, published.message()};
  return {true, ""};
}

}  // namespace syncsim::sim
