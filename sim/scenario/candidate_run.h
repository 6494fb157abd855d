// Candidate runs of the shrinker (sim/scenario/shrinker.h): what one run of
// a scenario document came to, and a way to run it in a child process so
// that a candidate hitting an assertion (abort), a signal or an internal
// error is an outcome ("crashed"), not the end of `syncsim shrink`.
//
// The child runs the candidate, writes its outcome as one JSON line into a
// pipe and _exits; the parent reads the pipe to its end and waits for the
// child. Anything but a clean exit with an outcome is a crash, described by
// how the child ended and the last line it wrote to stderr (the assertion).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace syncsim::sim {

struct CandidateOutcome {
  enum class Kind {
    kRan,      // the run completed; `failed` lists the checks that failed
    kInvalid,  // not a valid scenario (the loader refused it)
    kCrashed,  // assertion, signal, exception or internal error; see `crash`
  };
  Kind kind = Kind::kRan;
  // (check name, detail) of each failed check, in the runner's order.
  std::vector<std::pair<std::string, std::string>> failed;
  // The kinds of divergence, e.g. "bob missing entry of alice".
  std::set<std::string> difference_keys;
  // How it crashed, e.g. "killed by signal 6 (Aborted): x.cpp:12:
  // SYNCSIM_ASSERT failed: ok"; two crashes are the same bug when these are
  // equal. Empty unless crashed.
  std::string crash;

  std::set<std::string> FailedNames() const;
  nlohmann::json ToJson() const;
  // The outcome ToJson wrote; false when `value` is not one.
  static bool FromJson(const nlohmann::json& value, CandidateOutcome* outcome);
};

// Runs one candidate document, in this process.
using CandidateRunner = std::function<CandidateOutcome(const nlohmann::json& document)>;

// The real run: parses `document` and runs it with its seed, writing no
// files. Invalid when the loader refuses it, crashed when the runner
// returns an error (an internal error: a run that writes nothing has no
// other reason to).
CandidateOutcome RunCandidateInProcess(const nlohmann::json& document);

// Runs `runner(document)` in a forked child and returns its outcome, or a
// crashed outcome when the child does not end cleanly with one.
CandidateOutcome RunCandidateIsolated(const CandidateRunner& runner, const nlohmann::json& document);

}  // namespace syncsim::sim
