#include "core/hlc.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <tuple>

namespace syncsim::core {
namespace {

constexpr size_t kHexFieldLength = 16;
constexpr size_t kUuidLength = 36;
// timestamp, '-', counter, '-', uuid.
constexpr size_t kHlcStringLength = kHexFieldLength + 1 + kHexFieldLength + 1 + kUuidLength;

void AppendHex16(uint64_t value, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) {
    out->push_back(kDigits[(value >> shift) & 0xf]);
  }
}

// Lower-case only: an upper-case spelling would sort differently from the
// canonical one, breaking the string-order-equals-HLC-order promise.
int LowerHexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<uint64_t> ParseHex16(std::string_view text) {
  assert(text.size() == kHexFieldLength);
  uint64_t value = 0;
  for (char c : text) {
    int digit = LowerHexValue(c);
    if (digit < 0) return std::nullopt;
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  return value;
}

// Returns counter + 1, asserting it fits: overflow would make the clock wrap
// around and break monotonicity.
uint32_t NextCounter(uint32_t counter) {
  assert(counter < std::numeric_limits<uint32_t>::max() && "HLC counter overflow");
  return counter + 1;
}

}  // namespace

std::string Hlc::ToString() const {
  assert(timestamp_ms >= 0 && "HLC timestamps are never negative");
  std::string text;
  text.reserve(kHlcStringLength);
  AppendHex16(static_cast<uint64_t>(timestamp_ms), &text);
  text.push_back('-');
  AppendHex16(counter, &text);
  text.push_back('-');
  text += device.ToString();
  return text;
}

std::optional<Hlc> Hlc::Parse(std::string_view text) {
  if (text.size() != kHlcStringLength) return std::nullopt;
  if (text[kHexFieldLength] != '-' || text[2 * kHexFieldLength + 1] != '-') return std::nullopt;
  std::optional<uint64_t> timestamp = ParseHex16(text.substr(0, kHexFieldLength));
  std::optional<uint64_t> counter = ParseHex16(text.substr(kHexFieldLength + 1, kHexFieldLength));
  if (!timestamp || !counter) return std::nullopt;
  if (*timestamp > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  if (*counter > std::numeric_limits<uint32_t>::max()) return std::nullopt;

  std::string_view uuid_text = text.substr(2 * kHexFieldLength + 2);
  // Uuid::Parse accepts upper case; the HLC form must be canonical.
  if (std::any_of(uuid_text.begin(), uuid_text.end(), [](char c) { return c >= 'A' && c <= 'F'; })) {
    return std::nullopt;
  }
  std::optional<Uuid> device = Uuid::Parse(uuid_text);
  if (!device) return std::nullopt;

  return Hlc{static_cast<int64_t>(*timestamp), static_cast<uint32_t>(*counter), *device};
}

HlcClock::HlcClock(const Clock& clock, const Uuid& device, HlcClockOptions options)
    : clock_(clock), options_(options), last_{0, 0, device} {}

int64_t HlcClock::PhysicalNow() const { return std::max<int64_t>(clock_.now_ms(), 0); }

void HlcClock::Report(HlcObservation::Kind kind, int64_t physical_ms, const Hlc& remote) const {
  if (options_.observer == nullptr) return;
  options_.observer->OnHlc(HlcObservation{.kind = kind, .physical_ms = physical_ms, .result = last_, .remote = remote});
}

Hlc HlcClock::Generate() {
  const int64_t now = PhysicalNow();
  if (now > last_.timestamp_ms && !options_.defect_ignores_wall_clock) {
    last_.timestamp_ms = now;
    last_.counter = 0;
  } else {
    // The device clock stalled or went backwards: keep the physical part and
    // let the counter carry the order.
    last_.counter = NextCounter(last_.counter);
  }
  Report(HlcObservation::Kind::kGenerate, now, Hlc{});
  return last_;
}

Hlc HlcClock::Update(const Hlc& received) {
  assert(received.timestamp_ms >= 0 && "HLC timestamps are never negative");
  const int64_t now = PhysicalNow();
  const int64_t timestamp = std::max({last_.timestamp_ms, received.timestamp_ms, now});
  const bool local_reached = timestamp == last_.timestamp_ms;
  const bool received_reached = timestamp == received.timestamp_ms;

  uint32_t counter = 0;
  if (local_reached && received_reached) {
    counter = NextCounter(std::max(last_.counter, received.counter));
  } else if (local_reached) {
    counter = NextCounter(last_.counter);
  } else if (received_reached) {
    counter = NextCounter(received.counter);
  }
  // Otherwise the device clock is ahead of both: a fresh millisecond.

  last_.timestamp_ms = timestamp;
  last_.counter = counter;
  Report(HlcObservation::Kind::kReceive, now, received);
  return last_;
}

void HlcClock::Restore(const Hlc& persisted) {
  assert(persisted.timestamp_ms >= 0 && "HLC timestamps are never negative");
  // Only the (timestamp, counter) part matters: the next value advances the
  // counter at least, so it is greater than `persisted` whatever its device.
  if (std::tie(persisted.timestamp_ms, persisted.counter) > std::tie(last_.timestamp_ms, last_.counter)) {
    last_.timestamp_ms = persisted.timestamp_ms;
    last_.counter = persisted.counter;
  }
}

}  // namespace syncsim::core
