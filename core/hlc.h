// Hybrid logical clock (DESIGN.md 3.3). Every change to a shared model is
// stamped with an Hlc so that all devices agree on one order of changes
// (last writer wins) without trusting any device's wall clock: the HLC stays
// close to physical time, yet never goes backwards when a device clock does,
// and a change made after receiving another is always ordered after it.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/uuid.h"

namespace syncsim::core {

// One HLC value. Ordered by (timestamp_ms, counter, device): the member order
// below is what makes the defaulted comparison do that, so do not reorder.
// The device uuid breaks ties between devices, so two different devices never
// produce equal HLCs and last-writer-wins always has a single winner.
struct Hlc {
  int64_t timestamp_ms = 0;  // Physical part, milliseconds; never negative.
  uint32_t counter = 0;      // Logical part: orders events within one millisecond.
  Uuid device;               // The device that generated this value.

  auto operator<=>(const Hlc&) const = default;

  // The wire and database form: 16 lower-case hex digits of timestamp_ms,
  // '-', 16 lower-case hex digits of counter, '-', the canonical device uuid
  // (70 characters). Fixed width and lower case, so comparing two strings
  // byte by byte gives the same order as comparing the HLCs; SQL ORDER BY and
  // string watermarks therefore need no decoding.
  // REQUIRES: timestamp_ms >= 0.
  std::string ToString() const;

  // Parses the form written by ToString. Returns nullopt for anything else:
  // wrong length or separators, upper-case or non-hex digits, a timestamp
  // that does not fit a non-negative int64, a counter above UINT32_MAX.
  // Only the canonical form is accepted so that each HLC has one spelling
  // and string order stays equal to HLC order.
  static std::optional<Hlc> Parse(std::string_view text);
};

// What one Generate or Update did, reported to an HlcObserver so that a
// checker outside the core can test the HLC paper's bounds (Kulkarni et al.,
// 2014: l >= pt, l - pt <= the clock offset between devices, c bounded by the
// events at one l) on every value the clock issues.
struct HlcObservation {
  enum class Kind { kGenerate, kReceive };
  Kind kind = Kind::kGenerate;
  // The device's wall clock reading the rule saw (pt), clamped to >= 0.
  int64_t physical_ms = 0;
  Hlc result;  // the value issued: result.timestamp_ms is l, result.counter is c
  Hlc remote;  // kReceive: the HLC received; {} for kGenerate
};

// Receives every HlcObservation of the clocks it is installed on. The core
// never depends on what it does (the simulator traces them).
class HlcObserver {
 public:
  virtual ~HlcObserver() = default;
  virtual void OnHlc(const HlcObservation& observation) = 0;
};

struct HlcClockOptions {
  // Not owned; must outlive the clock. nullptr: nothing is reported (and
  // nothing is paid for).
  HlcObserver* observer = nullptr;
  // The planted defect hlc_ignores_wall_clock (core/sync_settings.h):
  // Generate only increments the counter and never takes the wall clock, so
  // a device that only writes keeps the physical part it last restored or
  // received (0 on a new device) while its wall clock runs on: l < pt.
  bool defect_ignores_wall_clock = false;
};

// HlcClock: one device's hybrid logical clock. Owns the last HLC the device
// issued. Not thread-safe (the simulator is single-threaded).
class HlcClock {
 public:
  // `clock` is not owned and must outlive this HlcClock. Before any Generate,
  // Update or Restore, last() is {0, 0, device}.
  HlcClock(const Clock& clock, const Uuid& device, HlcClockOptions options = {});

  HlcClock(const HlcClock&) = delete;
  HlcClock& operator=(const HlcClock&) = delete;

  // Stamps a local event (the send rule): the physical part becomes
  // max(last, now); if that did not advance the physical part the counter is
  // incremented, otherwise it restarts at 0. The result is strictly greater
  // than every HLC this clock returned before, even when the device clock
  // goes backwards. A device clock reading before the epoch counts as 0.
  // REQUIRES: the counter does not overflow (asserted: it would take four
  // billion events within one millisecond, a bug rather than an input).
  Hlc Generate();

  // Merges an HLC received from a peer (the receive rule): the physical part
  // becomes max(last, received, now) and the counter is one more than the
  // largest counter among those inputs whose physical part equals it (0 when
  // only now reached it). The result carries this device's uuid and is
  // strictly greater than both the previous last() and `received`, so any
  // change generated afterwards is causally after the received one.
  // REQUIRES: received.timestamp_ms >= 0; the counter does not overflow.
  Hlc Update(const Hlc& received);

  // Resumes after a restart from the largest HLC the device persisted (its
  // own or one it received). Afterwards the next Generate or Update returns
  // a value strictly greater than `persisted`. Never moves the clock
  // backwards: a persisted value below last() is ignored.
  // REQUIRES: persisted.timestamp_ms >= 0.
  void Restore(const Hlc& persisted);

  // The last HLC issued (or restored), always with this device's uuid.
  const Hlc& last() const { return last_; }
  const Uuid& device() const { return last_.device; }

 private:
  // The device clock's reading, clamped to be non-negative so that HLC
  // timestamps stay non-negative and their string form sorts correctly.
  int64_t PhysicalNow() const;
  // Reports one rule's outcome to the observer, if there is one.
  void Report(HlcObservation::Kind kind, int64_t physical_ms, const Hlc& remote) const;

  const Clock& clock_;
  HlcClockOptions options_;
  Hlc last_;
};

}  // namespace syncsim::core
