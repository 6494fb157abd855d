// Tests of the hybrid logical clock (core/hlc.h): the send and receive rules,
// monotonicity under a device clock that goes backwards or jumps, causality,
// and the string form that must sort like the HLC itself.
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/hlc.h"
#include "core/uuid.h"

namespace Catch {
template <>
struct StringMaker<syncsim::core::Hlc> {
  static std::string convert(const syncsim::core::Hlc& hlc) {
    return std::to_string(hlc.timestamp_ms) + "/" + std::to_string(hlc.counter) + "/" + hlc.device.ToString();
  }
};
}  // namespace Catch

namespace syncsim::core {
namespace {

constexpr int64_t kMaxTimestamp = std::numeric_limits<int64_t>::max();
constexpr uint32_t kMaxCounter = std::numeric_limits<uint32_t>::max();

// A device clock the test sets by hand, so it can stall, go backwards and jump.
class FakeClock : public Clock {
 public:
  int64_t now_ms() const override { return now_ms_; }
  // The HLC never reads the monotonic clock.
  int64_t monotonic_ms() const override { return 0; }
  void Set(int64_t now_ms) { now_ms_ = now_ms; }

 private:
  int64_t now_ms_ = 0;
};

const Uuid kDeviceA(0x1111111111114111ULL, 0x8111111111111111ULL);
const Uuid kDeviceB(0x2222222222224222ULL, 0x8222222222222222ULL);
const Uuid kDeviceC(0xfffffffffffff4ffULL, 0xbfffffffffffffffULL);

// Timestamps mixing small values (ties likely), the full non-negative range
// and the edges, so that the string form is tested where hex digits carry.
rc::Gen<int64_t> GenTimestamp() {
  return rc::gen::oneOf(rc::gen::inRange<int64_t>(0, 16), rc::gen::inRange<int64_t>(0, kMaxTimestamp),
                        rc::gen::element<int64_t>(0, 1, 15, 16, 255, 256, 1700000000000, kMaxTimestamp - 1,
                                                  kMaxTimestamp));
}

rc::Gen<uint32_t> GenCounter() {
  return rc::gen::oneOf(rc::gen::inRange<uint32_t>(0, 16), rc::gen::arbitrary<uint32_t>(),
                        rc::gen::element<uint32_t>(0, 1, kMaxCounter - 1, kMaxCounter));
}

rc::Gen<Uuid> GenDevice() {
  return rc::gen::oneOf(rc::gen::element(kDeviceA, kDeviceB, kDeviceC),
                        rc::gen::map(rc::gen::pair(rc::gen::arbitrary<uint64_t>(), rc::gen::arbitrary<uint64_t>()),
                                     [](const std::pair<uint64_t, uint64_t>& bits) {
                                       return Uuid(bits.first, bits.second);
                                     }));
}

// Picks a random HLC inside a property.
Hlc PickHlc() { return Hlc{*GenTimestamp(), *GenCounter(), *GenDevice()}; }

TEST_CASE("core hlc: string form is fixed width lower-case hex", "[core][hlc]") {
  Hlc hlc{0x1a2b, 0xff, kDeviceA};
  CHECK(hlc.ToString() == "0000000000001a2b-00000000000000ff-11111111-1111-4111-8111-111111111111");
  CHECK(Hlc{}.ToString() == "0000000000000000-0000000000000000-00000000-0000-0000-0000-000000000000");
  CHECK(Hlc{kMaxTimestamp, kMaxCounter, kDeviceC}.ToString() ==
        "7fffffffffffffff-00000000ffffffff-ffffffff-ffff-f4ff-bfff-ffffffffffff");
}

TEST_CASE("core hlc: comparison is timestamp then counter then device", "[core][hlc]") {
  CHECK(Hlc{1, 9, kDeviceC} < Hlc{2, 0, kDeviceA});
  CHECK(Hlc{2, 1, kDeviceC} < Hlc{2, 2, kDeviceA});
  CHECK(Hlc{2, 2, kDeviceA} < Hlc{2, 2, kDeviceB});
  CHECK(Hlc{2, 2, kDeviceB} == Hlc{2, 2, kDeviceB});
}

TEST_CASE("core hlc: parse round trip", "[core][hlc]") {
  rc::prop("Parse(ToString(h)) == h", [] {
    const Hlc hlc = PickHlc();
    const std::optional<Hlc> parsed = Hlc::Parse(hlc.ToString());
    RC_ASSERT(parsed.has_value());
    RC_ASSERT(*parsed == hlc);
  });
}

TEST_CASE("core hlc: string form sorts like the HLC", "[core][hlc]") {
  rc::prop("compare(a, b) == compare(string a, string b)", [] {
    const Hlc first = PickHlc();
    // The second often shares fields with the first, so that every level of
    // the comparison (timestamp, counter, device) decides some cases.
    Hlc second = first;
    if (*rc::gen::arbitrary<bool>()) second.timestamp_ms = *GenTimestamp();
    if (*rc::gen::arbitrary<bool>()) second.counter = *GenCounter();
    if (*rc::gen::arbitrary<bool>()) second.device = *GenDevice();
    const std::string first_text = first.ToString();
    const std::string second_text = second.ToString();
    RC_ASSERT((first < second) == (first_text < second_text));
    RC_ASSERT((first == second) == (first_text == second_text));
  });
}

TEST_CASE("core hlc: malformed strings are rejected", "[core][hlc]") {
  const std::string valid = "0000000000001a2b-00000000000000ff-11111111-1111-4111-8111-111111111111";
  REQUIRE(Hlc::Parse(valid).has_value());

  const std::vector<std::string> malformed = {
      "",
      "not an hlc",
      valid.substr(1),                                                          // too short
      valid + "0",                                                              // too long
      "0000000000001A2B-00000000000000ff-11111111-1111-4111-8111-111111111111",  // upper-case timestamp
      "0000000000001a2b-00000000000000FF-11111111-1111-4111-8111-111111111111",  // upper-case counter
      "0000000000001a2b-00000000000000ff-AAAAAAAA-1111-4111-8111-111111111111",  // upper-case uuid
      "0000000000001a2g-00000000000000ff-11111111-1111-4111-8111-111111111111",  // non-hex digit
      "000000000001a2b--00000000000000ff-11111111-1111-4111-8111-111111111111",  // separator moved
      "0000000000001a2b_00000000000000ff-11111111-1111-4111-8111-111111111111",  // wrong separator
      "0000000000001a2b-00000000000000ff_11111111-1111-4111-8111-111111111111",  // wrong separator
      "8000000000000000-0000000000000000-11111111-1111-4111-8111-111111111111",  // negative timestamp
      "ffffffffffffffff-0000000000000000-11111111-1111-4111-8111-111111111111",  // negative timestamp
      "0000000000000000-0000000100000000-11111111-1111-4111-8111-111111111111",  // counter above uint32
      "0000000000000000-0000000000000000-11111111-1111-4111-8111_111111111111",  // broken uuid
      "0000000000000000-0000000000000000-111111111-111-4111-8111-111111111111",  // broken uuid
      "+000000000000001-0000000000000000-11111111-1111-4111-8111-111111111111",  // sign
      " 000000000000001-0000000000000000-11111111-1111-4111-8111-111111111111",  // space
  };
  for (const std::string& text : malformed) {
    INFO("text: '" << text << "'");
    CHECK_FALSE(Hlc::Parse(text).has_value());
  }
}

TEST_CASE("core hlc: generate follows the clock and never goes backwards", "[core][hlc]") {
  FakeClock clock;
  HlcClock hlc_clock(clock, kDeviceA);
  CHECK(hlc_clock.last() == Hlc{0, 0, kDeviceA});

  clock.Set(1000);
  CHECK(hlc_clock.Generate() == Hlc{1000, 0, kDeviceA});
  CHECK(hlc_clock.Generate() == Hlc{1000, 1, kDeviceA});  // clock stalled
  clock.Set(500);                                          // clock went backwards
  CHECK(hlc_clock.Generate() == Hlc{1000, 2, kDeviceA});
  clock.Set(5000);  // clock jumped forward
  CHECK(hlc_clock.Generate() == Hlc{5000, 0, kDeviceA});
  clock.Set(-7);  // before the epoch: counts as 0
  CHECK(hlc_clock.Generate() == Hlc{5000, 1, kDeviceA});
  CHECK(hlc_clock.last() == Hlc{5000, 1, kDeviceA});
}

TEST_CASE("core hlc: a clock before the epoch still gives non-negative HLCs", "[core][hlc]") {
  FakeClock clock;
  clock.Set(-1000);
  HlcClock hlc_clock(clock, kDeviceB);
  const Hlc first = hlc_clock.Generate();
  CHECK(first == Hlc{0, 1, kDeviceB});
  CHECK(Hlc::Parse(first.ToString()) == first);
}

TEST_CASE("core hlc: update follows the standard receive rules", "[core][hlc]") {
  FakeClock clock;
  HlcClock hlc_clock(clock, kDeviceA);
  clock.Set(100);
  hlc_clock.Generate();
  hlc_clock.Generate();
  hlc_clock.Generate();
  hlc_clock.Generate();
  REQUIRE(hlc_clock.last() == Hlc{100, 3, kDeviceA});

  SECTION("local and received share the largest timestamp") {
    clock.Set(50);
    CHECK(hlc_clock.Update(Hlc{100, 7, kDeviceB}) == Hlc{100, 8, kDeviceA});
    CHECK(hlc_clock.Update(Hlc{100, 2, kDeviceB}) == Hlc{100, 9, kDeviceA});
  }
  SECTION("local timestamp is the largest") {
    clock.Set(50);
    CHECK(hlc_clock.Update(Hlc{90, 9, kDeviceB}) == Hlc{100, 4, kDeviceA});
  }
  SECTION("received timestamp is the largest") {
    clock.Set(50);
    CHECK(hlc_clock.Update(Hlc{300, 7, kDeviceB}) == Hlc{300, 8, kDeviceA});
  }
  SECTION("the device clock is ahead of both") {
    clock.Set(400);
    CHECK(hlc_clock.Update(Hlc{300, 7, kDeviceB}) == Hlc{400, 0, kDeviceA});
  }
  SECTION("received from a device with a larger uuid at the same time and counter") {
    clock.Set(100);
    const Hlc received{100, 3, kDeviceC};
    const Hlc merged = hlc_clock.Update(received);
    CHECK(merged == Hlc{100, 4, kDeviceA});
    CHECK(merged > received);
  }
}

TEST_CASE("core hlc: receive then generate is after what was received", "[core][hlc]") {
  FakeClock clock_a;
  FakeClock clock_b;
  HlcClock device_a(clock_a, kDeviceA);
  HlcClock device_b(clock_b, kDeviceB);
  // Device A's clock runs an hour ahead of device B's.
  clock_a.Set(3'600'000 + 10);
  clock_b.Set(10);
  const Hlc sent = device_a.Generate();
  device_b.Update(sent);
  const Hlc reply = device_b.Generate();
  CHECK(reply > sent);
  CHECK(reply.device == kDeviceB);
  // And back: A's next change orders after B's reply.
  device_a.Update(reply);
  CHECK(device_a.Generate() > reply);
}

TEST_CASE("core hlc: ties between devices are ordered by uuid", "[core][hlc]") {
  FakeClock clock;
  clock.Set(42);
  HlcClock device_a(clock, kDeviceA);
  HlcClock device_b(clock, kDeviceB);
  const Hlc from_a = device_a.Generate();
  const Hlc from_b = device_b.Generate();
  REQUIRE(from_a.timestamp_ms == from_b.timestamp_ms);
  REQUIRE(from_a.counter == from_b.counter);
  CHECK(from_a < from_b);
  CHECK(from_a.ToString() < from_b.ToString());
}

TEST_CASE("core hlc: restore resumes after the persisted value", "[core][hlc]") {
  FakeClock clock;
  clock.Set(10);  // the device restarted with its clock far behind
  HlcClock hlc_clock(clock, kDeviceA);

  SECTION("own value") {
    hlc_clock.Restore(Hlc{5000, 3, kDeviceA});
    CHECK(hlc_clock.last() == Hlc{5000, 3, kDeviceA});
    CHECK(hlc_clock.Generate() == Hlc{5000, 4, kDeviceA});
  }
  SECTION("a received value from a device with a larger uuid") {
    const Hlc persisted{5000, 3, kDeviceC};
    hlc_clock.Restore(persisted);
    CHECK(hlc_clock.Generate() > persisted);
  }
  SECTION("an older value does not move the clock backwards") {
    hlc_clock.Restore(Hlc{5000, 3, kDeviceA});
    hlc_clock.Restore(Hlc{4000, 9, kDeviceA});
    CHECK(hlc_clock.last() == Hlc{5000, 3, kDeviceA});
  }
}

TEST_CASE("core hlc: strictly increasing under clock skew, jumps and receives", "[core][hlc]") {
  rc::prop("every Generate and Update exceeds the previous HLC and what was received", [] {
    FakeClock clock;
    int64_t now = *rc::gen::inRange<int64_t>(-1000, 1'000'000);
    clock.Set(now);
    HlcClock hlc_clock(clock, kDeviceA);
    Hlc previous = hlc_clock.last();
    const int steps = *rc::gen::inRange(1, 60);
    for (int step = 0; step < steps; ++step) {
      // Small drift either way, sometimes a big jump either way.
      const int64_t delta = *rc::gen::oneOf(rc::gen::inRange<int64_t>(-50, 50),
                                            rc::gen::inRange<int64_t>(-1'000'000, 1'000'000));
      now += delta;
      clock.Set(now);
      if (*rc::gen::arbitrary<bool>()) {
        const Hlc generated = hlc_clock.Generate();
        RC_ASSERT(generated > previous);
        RC_ASSERT(generated.device == kDeviceA);
        RC_ASSERT(generated.timestamp_ms >= now);  // never behind the device clock
        previous = generated;
      } else {
        // A peer's HLC near this device's time; counters stay far from
        // overflow, which is asserted, not handled.
        const int64_t peer_time = std::max<int64_t>(0, now + *rc::gen::inRange<int64_t>(-3000, 3000));
        const Hlc received{peer_time, *rc::gen::inRange<uint32_t>(0, 1000), *rc::gen::element(kDeviceB, kDeviceC)};
        const Hlc merged = hlc_clock.Update(received);
        RC_ASSERT(merged > previous);
        RC_ASSERT(merged > received);
        RC_ASSERT(merged.device == kDeviceA);
        RC_ASSERT(merged.timestamp_ms >= now);
        // Causality: whatever is generated next is after the received HLC.
        previous = merged;
        const Hlc next = hlc_clock.Generate();
        RC_ASSERT(next > received);
        RC_ASSERT(next > previous);
        previous = next;
      }
      RC_ASSERT(hlc_clock.last() == previous);
    }
  });
}

class RecordingObserver : public HlcObserver {
 public:
  void OnHlc(const HlcObservation& observation) override { seen.push_back(observation); }
  std::vector<HlcObservation> seen;
};

TEST_CASE("core hlc: the observer is told every generate and update with pt, result and remote", "[core][hlc]") {
  FakeClock clock;
  RecordingObserver observer;
  HlcClock hlc_clock(clock, kDeviceA, HlcClockOptions{.observer = &observer});
  clock.Set(100);
  hlc_clock.Generate();
  clock.Set(90);
  hlc_clock.Update(Hlc{150, 4, kDeviceB});
  REQUIRE(observer.seen.size() == 2);
  CHECK(observer.seen[0].kind == HlcObservation::Kind::kGenerate);
  CHECK(observer.seen[0].physical_ms == 100);
  CHECK(observer.seen[0].result == Hlc{100, 0, kDeviceA});
  CHECK(observer.seen[1].kind == HlcObservation::Kind::kReceive);
  CHECK(observer.seen[1].physical_ms == 90);
  CHECK(observer.seen[1].result == Hlc{150, 5, kDeviceA});
  CHECK(observer.seen[1].remote == Hlc{150, 4, kDeviceB});
}

TEST_CASE("core hlc: the planted defect hlc_ignores_wall_clock only counts, never follows the clock", "[core][hlc]") {
  FakeClock clock;
  RecordingObserver observer;
  HlcClock hlc_clock(clock, kDeviceA, HlcClockOptions{.observer = &observer, .defect_ignores_wall_clock = true});
  clock.Set(1'000'000);
  CHECK(hlc_clock.Generate() == Hlc{0, 1, kDeviceA});
  REQUIRE(observer.seen.size() == 1);
  CHECK(observer.seen[0].physical_ms == 1'000'000);  // the reading is still reported
}

}  // namespace
}  // namespace syncsim::core
