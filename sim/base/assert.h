// SYNCSIM_ASSERT: the simulator's assertion for internal invariants.
//
// Unlike <cassert>, it stays active in release builds: a simulator that keeps
// running past a broken invariant produces traces that look valid but are not,
// which is worse than stopping. A failed assertion prints the condition with
// file:line to stderr and aborts (so sanitizers and debuggers get a stack).
#pragma once

#include <cstdio>
#include <cstdlib>

namespace syncsim::sim {

// Prints where and what failed, then aborts. Never returns.
[[noreturn]] inline void AssertFail(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: SYNCSIM_ASSERT failed: %s\n", file, line, condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace syncsim::sim

#define SYNCSIM_ASSERT(condition)                                        \
  do {                                                                   \
    if (!(condition)) {                                                  \
      ::syncsim::sim::AssertFail(#condition, __FILE__, __LINE__);        \
    }                                                                    \
  } while (false)
