// Random and SeedStreams: the simulator's only source of randomness.
//
// Why our own generator and distributions: standard library distributions are
// implementation-defined, so the same seed would give different runs on
// different compilers. Everything here is specified bit for bit:
// xoshiro256** for the generator, SplitMix64 to expand a 64-bit seed into its
// state, and integer-exact distributions (floating point only where the caller
// asks for a double).
//
// SeedStreams derives independent named streams ("network", "workload", ...)
// from one root seed, so that drawing more from one stream, or adding a new
// stream, never shifts the sequence of another (DESIGN.md section 2.2).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/base/assert.h"

namespace syncsim::sim {

// One step of SplitMix64: advances `state` and returns the next output.
// Exposed because it is also the seed expander and the stream-name mixer.
uint64_t SplitMix64(uint64_t& state);

// A seeded pseudo-random generator (xoshiro256**). Owns its 256-bit state;
// copying a Random copies the state, so the copy replays the same sequence.
// Not thread-safe (the simulator is single-threaded).
class Random {
 public:
  // Expands `seed` into the generator state with SplitMix64 (any seed is fine,
  // including 0: SplitMix64 never yields the all-zero state from it).
  explicit Random(uint64_t seed);

  // A generator with the given raw xoshiro256** state, for checking the
  // generator against its published reference outputs.
  // REQUIRES: not all four words are zero.
  static Random FromState(const std::array<uint64_t, 4>& state);

  // The next raw 64-bit output.
  uint64_t NextU64();

  // A uniformly distributed integer in [0, bound_exclusive), without modulo
  // bias (rejection sampling).
  // REQUIRES: bound_exclusive > 0.
  uint64_t Uniform(uint64_t bound_exclusive);

  // A uniformly distributed integer in [min_inclusive, max_inclusive]; the
  // full int64 range is allowed.
  // REQUIRES: min_inclusive <= max_inclusive.
  int64_t Range(int64_t min_inclusive, int64_t max_inclusive);

  // True with the given probability. Probability 0 is never true and 1 is
  // always true; neither extreme consumes a draw.
  // REQUIRES: 0 <= probability <= 1.
  bool Bernoulli(double probability);

  // A double uniformly distributed in [0, 1) with 53 random bits.
  double Unit();

  // An exponentially distributed double with the given mean (>= 0).
  // REQUIRES: mean > 0.
  double Exponential(double mean);

  // A uniformly chosen element of `items`.
  // REQUIRES: !items.empty().
  template <class T>
  const T& Choice(const std::vector<T>& items) {
    SYNCSIM_ASSERT(!items.empty());
    return items[static_cast<size_t>(Uniform(items.size()))];
  }

  // Shuffles `items` in place (Fisher-Yates, using Uniform so the result is
  // the same on every platform).
  template <class T>
  void Shuffle(std::vector<T>& items) {
    for (size_t index = items.size(); index > 1; index--) {
      const size_t other = static_cast<size_t>(Uniform(index));
      using std::swap;
      swap(items[index - 1], items[other]);
    }
  }

 private:
  Random() = default;

  std::array<uint64_t, 4> state_{};
};

// Derives independent named Random streams from one root seed. Stateless
// apart from the root: Stream(name) always returns a generator at the start
// of that name's sequence, so the order in which streams are created does not
// matter either.
class SeedStreams {
 public:
  explicit SeedStreams(uint64_t root_seed);

  // The stream for `name`: seeded from a hash of (root_seed, name). Two names
  // give unrelated sequences; the same (root_seed, name) always gives the same.
  Random Stream(std::string_view name) const;

  uint64_t root_seed() const { return root_seed_; }

 private:
  uint64_t root_seed_;
};

}  // namespace syncsim::sim
