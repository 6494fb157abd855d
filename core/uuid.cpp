#include "core/uuid.h"

#include <cstdio>

namespace syncsim::core {
namespace {

// SplitMix64's finaliser: a well-mixed 64-bit bijection.
uint64_t Mix64(uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

Uuid WithVersion(uint64_t high, uint64_t low, uint64_t version) {
  high = (high & ~0xf000ULL) | (version << 12);
  low = (low & ~(0xc000000000000000ULL)) | 0x8000000000000000ULL;
  return Uuid(high, low);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Uuid Uuid::FromRandomBits(uint64_t high, uint64_t low) { return WithVersion(high, low, 4); }

Uuid Uuid::FromName(const Uuid& namespace_uuid, std::string_view name) {
  // Two independent 64-bit hash lanes over the namespace and the name bytes.
  uint64_t lane_a = Mix64(namespace_uuid.high() ^ 0x5bd1e9955bd1e995ULL);
  uint64_t lane_b = Mix64(namespace_uuid.low() ^ 0xc2b2ae3d27d4eb4fULL);
  for (unsigned char byte : name) {
    lane_a = Mix64(lane_a ^ byte);
    lane_b = Mix64(lane_b + byte + 0x165667b19e3779f9ULL);
  }
  lane_a = Mix64(lane_a ^ name.size());
  lane_b = Mix64(lane_b ^ (lane_a >> 1));
  return WithVersion(lane_a, lane_b, 5);
}

std::optional<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  uint64_t parts[2] = {0, 0};
  int nibble = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      continue;
    }
    int value = HexValue(text[i]);
    if (value < 0) return std::nullopt;
    uint64_t& part = parts[nibble / 16];
    part = (part << 4) | static_cast<uint64_t>(value);
    ++nibble;
  }
  return Uuid(parts[0], parts[1]);
}

std::string Uuid::ToString() const {
  // By hand rather than snprintf: uuids are formatted for every record a
  // device writes, sends or compares, and this is on the hot path.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text(36, '-');
  size_t position = 0;
  auto put = [&](uint64_t bits, int nibbles) {
    for (int shift = (nibbles - 1) * 4; shift >= 0; shift -= 4) {
      if (position == 8 || position == 13 || position == 18 || position == 23) ++position;
      text[position++] = kHex[(bits >> shift) & 0xf];
    }
  };
  put(high_, 16);
  put(low_, 16);
  return text;
}

}  // namespace syncsim::core
