#include "sim/scenario/candidate_run.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>

#include <fmt/format.h>

#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/scenario_runner.h"

namespace syncsim::sim {
namespace {

using json = nlohmann::json;

// Starts the child's outcome line, so that it cannot be mistaken for what
// the run wrote to stderr before it.
constexpr std::string_view kOutcomeMarker = "@syncsim-candidate-outcome ";
// A child that writes more than this is killed: no outcome is that long.
constexpr size_t kChildOutputBytesMax = size_t{64} << 20;
// waitpid interrupted by a signal this many times in a row is given up.
constexpr int kWaitInterruptionsMax = 1'000;
// Exit code of a child whose candidate threw (the tool's internal error).
constexpr int kChildExceptionExitCode = 3;
// The part of the child's stderr kept in a crash description.
constexpr size_t kCrashLineLengthMax = 300;

const char* KindName(CandidateOutcome::Kind kind) {
  switch (kind) {
    case CandidateOutcome::Kind::kRan: return "ran";
    case CandidateOutcome::Kind::kInvalid: return "invalid";
    case CandidateOutcome::Kind::kCrashed: return "crashed";
  }
  return "crashed";
}

CandidateOutcome Crashed(std::string crash) {
  CandidateOutcome outcome;
  outcome.kind = CandidateOutcome::Kind::kCrashed;
  outcome.crash = std::move(crash);
  return outcome;
}

// Writes all of `text` to `fd`; in the child, where nothing can be reported.
void WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    text.remove_prefix(static_cast<size_t>(written));
  }
}

// The child: runs the candidate with the default reaction to fatal signals
// (a test framework's handlers would report the child's abort as its own
// failure), everything it prints going into the pipe.
[[noreturn]] void RunChild(const CandidateRunner& runner, const json& document, int fd) {
  for (int signal_number : {SIGABRT, SIGSEGV, SIGFPE, SIGILL, SIGBUS}) std::signal(signal_number, SIG_DFL);
  dup2(fd, STDOUT_FILENO);
  dup2(fd, STDERR_FILENO);
  std::string line;
  try {
    line = "\n" + std::string(kOutcomeMarker) +
           runner(document).ToJson().dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  } catch (const std::exception& error) {
    WriteAll(fd, fmt::format("\ninternal error: {}\n", error.what()));
    _exit(kChildExceptionExitCode);
  } catch (...) {
    WriteAll(fd, "\ninternal error: an exception that is not a std::exception\n");
    _exit(kChildExceptionExitCode);
  }
  WriteAll(fd, line);
  _exit(0);
}

// The last non-empty line of `text`, cut to kCrashLineLengthMax.
std::string LastLine(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  const size_t start = text.rfind('\n');
  std::string line(start == std::string_view::npos ? text : text.substr(start + 1));
  if (line.size() > kCrashLineLengthMax) line.resize(kCrashLineLengthMax);
  return line;
}

// What the child's end and output say.
CandidateOutcome Interpret(int status, const std::string& output) {
  const size_t marker = output.rfind("\n" + std::string(kOutcomeMarker));
  const std::string printed = LastLine(std::string_view(output).substr(0, std::min(marker, output.size())));
  const std::string said = printed.empty() ? std::string() : ": " + printed;
  if (WIFSIGNALED(status)) {
    const int signal_number = WTERMSIG(status);
    return Crashed(fmt::format("killed by signal {} ({}){}", signal_number, strsignal(signal_number), said));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Crashed(fmt::format("exited with code {}{}", WIFEXITED(status) ? WEXITSTATUS(status) : -1, said));
  }
  if (marker == std::string::npos) return Crashed("ended without an outcome" + said);
  const size_t begin = marker + 1 + kOutcomeMarker.size();
  const json value = json::parse(output.substr(begin), nullptr, /*allow_exceptions=*/false);
  CandidateOutcome outcome;
  if (!CandidateOutcome::FromJson(value, &outcome)) return Crashed("ended with an unreadable outcome" + said);
  return outcome;
}

// Reads `fd` to its end; false when the child wrote more than allowed.
bool ReadAll(int fd, std::string* output) {
  std::array<char, 65'536> buffer{};
  for (;;) {
    const ssize_t count = read(fd, buffer.data(), buffer.size());
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return true;
    output->append(buffer.data(), static_cast<size_t>(count));
    if (output->size() > kChildOutputBytesMax) return false;
  }
}

}  // namespace

std::set<std::string> CandidateOutcome::FailedNames() const {
  std::set<std::string> names;
  for (const auto& [name, detail] : failed) names.insert(name);
  return names;
}

json CandidateOutcome::ToJson() const {
  json failed_checks = json::array();
  for (const auto& [name, detail] : failed) failed_checks.push_back({{"name", name}, {"detail", detail}});
  return {{"kind", KindName(kind)}, {"failed", failed_checks}, {"difference_keys", difference_keys}, {"crash", crash}};
}

bool CandidateOutcome::FromJson(const json& value, CandidateOutcome* outcome) {
  if (!value.is_object() || !value.contains("kind") || !value["kind"].is_string()) return false;
  if (!value.contains("failed") || !value["failed"].is_array()) return false;
  if (!value.contains("difference_keys") || !value["difference_keys"].is_array()) return false;
  CandidateOutcome read;
  bool known = false;
  for (Kind kind : {Kind::kRan, Kind::kInvalid, Kind::kCrashed}) {
    if (value["kind"] == KindName(kind)) {
      read.kind = kind;
      known = true;
    }
  }
  if (!known) return false;
  for (const json& check : value["failed"]) {
    if (!check.is_object() || !check.contains("name") || !check["name"].is_string()) return false;
    read.failed.emplace_back(check["name"].get<std::string>(), check.value("detail", std::string()));
  }
  for (const json& key : value["difference_keys"]) {
    if (!key.is_string()) return false;
    read.difference_keys.insert(key.get<std::string>());
  }
  read.crash = value.value("crash", std::string());
  *outcome = std::move(read);
  return true;
}

CandidateOutcome RunCandidateInProcess(const json& document) {
  Scenario scenario;
  CandidateOutcome outcome;
  if (!ParseScenario(document, &scenario).ok()) {
    outcome.kind = CandidateOutcome::Kind::kInvalid;
    return outcome;
  }
  RunOptions options;
  options.out_dir.clear();  // nothing written
  RunResult result;
  const core::Status status = RunScenario(scenario, document, options, &result);
  if (!status.ok()) return Crashed("internal error: " + status.message());
  for (const ExpectationResult& expectation : result.expectations) {
    if (!expectation.ok) outcome.failed.emplace_back(expectation.name, expectation.detail);
  }
  outcome.difference_keys.insert(result.difference_keys.begin(), result.difference_keys.end());
  return outcome;
}

CandidateOutcome RunCandidateIsolated(const CandidateRunner& runner, const json& document) {
  std::array<int, 2> fds{};
  if (pipe(fds.data()) != 0) return Crashed(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  // Buffered output would otherwise be in the child's copy too.
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(fds[0]);
    close(fds[1]);
    return Crashed(fmt::format("cannot fork: {}", std::strerror(error)));
  }
  if (pid == 0) {
    close(fds[0]);
    RunChild(runner, document, fds[1]);
  }
  close(fds[1]);
  std::string output;
  const bool whole = ReadAll(fds[0], &output);
  if (!whole) kill(pid, SIGKILL);
  close(fds[0]);
  int status = 0;
  for (int interruptions = 0; waitpid(pid, &status, 0) < 0; ++interruptions) {
    if (errno != EINTR || interruptions >= kWaitInterruptionsMax) {
      return Crashed(fmt::format("cannot wait for the child: {}", std::strerror(errno)));
    }
  }
  if (!whole) return Crashed(fmt::format("wrote more than {} bytes", kChildOutputBytesMax));
  return Interpret(status, output);
}

}  // namespace syncsim::sim
