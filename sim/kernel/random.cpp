#include "sim/kernel/random.h"

#include <cmath>

namespace syncsim::sim {

namespace {

// Rejection sampling accepts each draw with probability > 1/2, so 128 failed
// attempts in a row (probability < 2^-128) means the generator is broken.
constexpr int uniform_attempts_max = 128;

uint64_t RotateLeft(uint64_t value, int bits) { return (value << bits) | (value >> (64 - bits)); }

// FNV-1a 64 over the bytes of `text`: turns a stream name into 64 bits.
uint64_t HashName(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char character : text) {
    hash ^= static_cast<uint8_t>(character);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

uint64_t SplitMix64(uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  uint64_t mixed = state;
  mixed = (mixed ^ (mixed >> 30)) * 0xbf58476d1ce4e5b9ULL;
  mixed = (mixed ^ (mixed >> 27)) * 0x94d049bb133111ebULL;
  return mixed ^ (mixed >> 31);
}

Random::Random(uint64_t seed) {
  uint64_t expander = seed;
  for (uint64_t& word : state_) word = SplitMix64(expander);
  // xoshiro must never be in the all-zero state; SplitMix64 outputs four
  // consecutive zeros for no seed, but the check costs nothing.
  SYNCSIM_ASSERT((state_[0] | state_[1] | state_[2] | state_[3]) != 0);
}

Random Random::FromState(const std::array<uint64_t, 4>& state) {
  SYNCSIM_ASSERT((state[0] | state[1] | state[2] | state[3]) != 0);
  Random random;
  random.state_ = state;
  return random;
}

uint64_t Random::NextU64() {
  const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
  const uint64_t shifted = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= shifted;
  state_[3] = RotateLeft(state_[3], 45);
  return result;
}

uint64_t Random::Uniform(uint64_t bound_exclusive) {
  SYNCSIM_ASSERT(bound_exclusive > 0);
  // Draws below `threshold` are the incomplete last copy of [0, bound) in the
  // 2^64 range; rejecting them leaves every residue equally likely.
  const uint64_t threshold = (0 - bound_exclusive) % bound_exclusive;
  for (int attempt = 0; attempt < uniform_attempts_max; attempt++) {
    const uint64_t draw = NextU64();
    if (draw >= threshold) return draw % bound_exclusive;
  }
  SYNCSIM_ASSERT(false && "Uniform: rejection sampling never accepted");
  return 0;
}

int64_t Random::Range(int64_t min_inclusive, int64_t max_inclusive) {
  SYNCSIM_ASSERT(min_inclusive <= max_inclusive);
  // Unsigned arithmetic wraps, so the span is exact even across zero.
  const uint64_t span = static_cast<uint64_t>(max_inclusive) - static_cast<uint64_t>(min_inclusive) + 1;
  const uint64_t offset = span == 0 ? NextU64() : Uniform(span);  // span 0: the full 2^64 range.
  return static_cast<int64_t>(static_cast<uint64_t>(min_inclusive) + offset);
}

bool Random::Bernoulli(double probability) {
  SYNCSIM_ASSERT(probability >= 0.0 && probability <= 1.0);
  if (probability <= 0.0) return false;
  if (probability >= 1.0) return true;
  return Unit() < probability;
}

double Random::Unit() {
  // The top 53 bits fill a double's mantissa exactly.
  return static_cast<double>(NextU64() >> 11) * 0x1.0p-53;
}

double Random::Exponential(double mean) {
  SYNCSIM_ASSERT(mean > 0.0);
  // 1 - Unit() is in (0, 1], so the logarithm is finite and <= 0.
  return -mean * std::log(1.0 - Unit());
}

SeedStreams::SeedStreams(uint64_t root_seed) : root_seed_(root_seed) {}

Random SeedStreams::Stream(std::string_view name) const {
  // Mix the root and the name hash through SplitMix64 so that nearby roots or
  // similar names still give unrelated seeds.
  uint64_t state = root_seed_;
  const uint64_t root_mixed = SplitMix64(state);
  state = root_mixed ^ HashName(name);
  return Random(SplitMix64(state));
}

}  // namespace syncsim::sim
