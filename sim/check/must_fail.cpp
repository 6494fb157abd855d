// expect.must_fail: the pass after every check (sim/check/check.h). It is
// no registered check because it reads the other checks' verdicts, not the
// run.
#include "sim/check/check.h"

namespace syncsim::sim {

void ApplyMustFail(const std::set<std::string, std::less<>>& must_fail, std::vector<ExpectationResult>* expectations) {
  for (const std::string& name : must_fail) {
    bool found = false;
    for (ExpectationResult& expectation : *expectations) {
      if (expectation.name != name) continue;
      found = true;
      expectation.ok = !expectation.ok;
      expectation.detail = (expectation.ok ? "caught as it must be: " : "must fail but held: ") + expectation.detail;
    }
    if (!found) expectations->push_back({name, false, "must fail, but the check did not run"});
  }
}

}  // namespace syncsim::sim
