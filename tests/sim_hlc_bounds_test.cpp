// invariant.hlc_bounds (sim/check/hlc_bounds.h): the HLC paper's bounds on
// every HLC event, from the "hlc" trace records (sim/kernel/hlc_trace.h) that the
// core's HlcObserver reports; and the planted defect it exists for.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/hlc.h"
#include "sim/check/hlc_bounds.h"
#include "sim/kernel/hlc_trace.h"
#include "sim/kernel/trace.h"

namespace syncsim::sim {
namespace {

using core::Hlc;
using core::HlcObservation;

constexpr int64_t kEpochMs = 1'000'000;
constexpr int64_t kMicrosecondsPerMillisecond = 1000;

DeviceClockSettings ClockWithOffset(int64_t offset_ms) {
  return DeviceClockSettings{.epoch_ms = kEpochMs, .offset_ms = offset_ms, .drift_ppm = 0};
}

HlcObservation Generated(int64_t pt, int64_t l, uint32_t c) {
  return HlcObservation{.kind = HlcObservation::Kind::kGenerate, .physical_ms = pt, .result = Hlc{l, c, {}}, .remote = {}};
}

HlcObservation Received(int64_t pt, int64_t l, uint32_t c, int64_t remote_l, uint32_t remote_c) {
  return HlcObservation{
      .kind = HlcObservation::Kind::kReceive, .physical_ms = pt, .result = Hlc{l, c, {}}, .remote = Hlc{remote_l, remote_c, {}}};
}

// Alice's clock runs 500 ms ahead of Bob's.
HlcBoundsChecker AliceAheadOfBob() {
  return HlcBoundsChecker({{"alice", ClockWithOffset(500)}, {"bob", ClockWithOffset(0)}}, {});
}

}  // namespace

TEST_CASE("hlc bounds: events within the bounds pass", "[hlc_bounds]") {
  HlcBoundsChecker checker = AliceAheadOfBob();
  // At 10 ms Alice reads 1,000,510 and stamps it; at 20 ms Bob (1,000,020)
  // receives it: l - pt = 490, within Alice's lead of 500 at that moment.
  checker.Observe(10 * kMicrosecondsPerMillisecond, "alice", Generated(1'000'510, 1'000'510, 0));
  checker.Observe(20 * kMicrosecondsPerMillisecond, "bob", Received(1'000'020, 1'000'510, 1, 1'000'510, 0));
  checker.Observe(20 * kMicrosecondsPerMillisecond, "bob", Generated(1'000'020, 1'000'510, 2));
  CHECK(checker.ok());
  CHECK(checker.observations() == 3);
  CHECK(checker.Detail() ==
        "3 HLC events (2 generated, 1 received): l >= pt; l - pt at most 490 ms (bound there 500 ms); c at most 2");
}

TEST_CASE("hlc bounds: l below pt fails, naming device, time, l, pt, c and the bound", "[hlc_bounds]") {
  HlcBoundsChecker checker = AliceAheadOfBob();
  checker.Observe(10 * kMicrosecondsPerMillisecond, "bob", Generated(1'000'010, 1'000'009, 0));
  CHECK_FALSE(checker.ok());
  CHECK(checker.Detail() ==
        "1 of 1 HLC events break the HLC paper's bounds; first: bob at 10 ms (generate): l 1000009, pt 1000010, c 0, "
        "bound of l - pt 500 ms, bound of c 0: l is below pt by 1 ms (l >= pt must hold)");
}

TEST_CASE("hlc bounds: l - pt above the clock offset between devices fails", "[hlc_bounds]") {
  HlcBoundsChecker checker = AliceAheadOfBob();
  // Bob may be at most Alice's 500 ms lead ahead of his own clock...
  checker.Observe(20 * kMicrosecondsPerMillisecond, "bob", Generated(1'000'020, 1'000'520, 0));
  CHECK(checker.ok());
  // ...not one millisecond more, and Alice, the fastest clock, not at all.
  checker.Observe(20 * kMicrosecondsPerMillisecond, "bob", Generated(1'000'020, 1'000'521, 0));
  checker.Observe(30 * kMicrosecondsPerMillisecond, "alice", Generated(1'000'530, 1'000'531, 0));
  CHECK(checker.failures() == 2);
  CHECK_THAT(checker.Detail(), Catch::Contains("first: bob at 20 ms (generate): l 1000521, pt 1000020, c 0") &&
                                   Catch::Contains("l - pt = 501 ms is above the bound 500 ms"));
}

TEST_CASE("hlc bounds: the bound grows with drift over virtual time", "[hlc_bounds]") {
  // Alice runs 1,000 ppm fast: after 100 s she is 100 ms ahead of Bob.
  HlcBoundsChecker checker({{"alice", DeviceClockSettings{.epoch_ms = kEpochMs, .offset_ms = 0, .drift_ppm = 1000}},
                            {"bob", ClockWithOffset(0)}},
                           {});
  const int64_t at_us = 100'000 * kMicrosecondsPerMillisecond;
  checker.Observe(at_us, "bob", Generated(kEpochMs + 100'000, kEpochMs + 100'100, 0));
  CHECK(checker.ok());
  checker.Observe(at_us, "bob", Generated(kEpochMs + 100'000, kEpochMs + 100'101, 0));
  CHECK_FALSE(checker.ok());
}

TEST_CASE("hlc bounds: allowed right after a clock jump, and only until the clock catches up", "[hlc_bounds]") {
  SECTION("a clock set back keeps its HLC ahead for |jump| of its time") {
    HlcBoundsChecker checker({{"alice", ClockWithOffset(0)}}, {});
    checker.Observe(10 * kMicrosecondsPerMillisecond, "alice", Generated(kEpochMs + 10, kEpochMs + 10, 0));
    checker.ClockJump(10 * kMicrosecondsPerMillisecond, "alice", -5000);
    // 10 ms later the clock reads 4,980 ms behind the HLC: allowed.
    checker.Observe(20 * kMicrosecondsPerMillisecond, "alice", Generated(kEpochMs - 4980, kEpochMs + 10, 1));
    CHECK(checker.ok());
    // Once the clock is past its reading before the jump, the bound is the
    // offset bound again (0 for a single device).
    checker.Observe(6000 * kMicrosecondsPerMillisecond, "alice", Generated(kEpochMs + 1000, kEpochMs + 1001, 0));
    CHECK_FALSE(checker.ok());
    CHECK_THAT(checker.Detail(), Catch::Contains("alice at 6000 ms (generate): l 1001001, pt 1001000, c 0, bound of l - pt 0 ms"));
  }
  SECTION("a clock set forward raises what every peer may receive") {
    HlcBoundsChecker checker({{"alice", ClockWithOffset(0)}, {"bob", ClockWithOffset(0)}}, {});
    checker.ClockJump(10 * kMicrosecondsPerMillisecond, "bob", 3000);
    checker.Observe(15 * kMicrosecondsPerMillisecond, "bob", Generated(kEpochMs + 3015, kEpochMs + 3015, 0));
    checker.Observe(20 * kMicrosecondsPerMillisecond, "alice", Received(kEpochMs + 20, kEpochMs + 3015, 1, kEpochMs + 3015, 0));
    CHECK(checker.ok());
    checker.Observe(20 * kMicrosecondsPerMillisecond, "alice", Generated(kEpochMs + 20, kEpochMs + 3021, 0));
    CHECK_FALSE(checker.ok());
  }
  SECTION("the jump comes from the trace: the clock_jump step's record") {
    HlcBoundsChecker checker({{"alice", ClockWithOffset(0)}}, {{3, HlcBoundsJump{"alice", -5000}}});
    checker.OnTraceRecord(TraceRecord{.time_us = 10 * kMicrosecondsPerMillisecond, .kind = "step", .detail = "3 clock_jump"});
    checker.OnTraceRecord(TraceRecord{.time_us = 10 * kMicrosecondsPerMillisecond,
                                      .kind = "hlc",
                                      .source = "alice",
                                      .detail = FormatHlcTraceDetail(Generated(kEpochMs - 4990, kEpochMs - 4990, 0))});
    CHECK(checker.ok());  // pt is the jumped clock's reading
    checker.OnTraceRecord(TraceRecord{.time_us = 10 * kMicrosecondsPerMillisecond,
                                      .kind = "hlc",
                                      .source = "alice",
                                      .detail = FormatHlcTraceDetail(Generated(kEpochMs + 10, kEpochMs + 10, 0))});
    CHECK_THAT(checker.Detail(), Catch::Contains("pt 1000010 is not the device's wall clock 995010"));
  }
}

TEST_CASE("hlc bounds: c above the events at its l fails", "[hlc_bounds]") {
  HlcBoundsChecker checker = AliceAheadOfBob();
  checker.Observe(10 * kMicrosecondsPerMillisecond, "alice", Generated(1'000'510, 1'000'510, 0));
  checker.Observe(10 * kMicrosecondsPerMillisecond, "alice", Generated(1'000'510, 1'000'510, 1));
  CHECK(checker.ok());
  // Two events at l 1,000,510 so far: c 3 skips one.
  checker.Observe(10 * kMicrosecondsPerMillisecond, "alice", Generated(1'000'510, 1'000'510, 3));
  CHECK_FALSE(checker.ok());
  CHECK_THAT(checker.Detail(), Catch::Contains("alice at 10 ms (generate): l 1000510, pt 1000510, c 3") &&
                                   Catch::Contains("c 3 is above the bound 2"));
}

TEST_CASE("hlc trace: details round-trip and nothing else parses", "[hlc_bounds]") {
  const HlcObservation received = Received(17, 20, 3, 19, 2);
  CHECK(FormatHlcTraceDetail(received) == "receive pt=17 l=20 c=3 remote_l=19 remote_c=2");
  const std::optional<HlcObservation> parsed = ParseHlcTraceDetail(FormatHlcTraceDetail(received));
  REQUIRE(parsed.has_value());
  CHECK(parsed->kind == HlcObservation::Kind::kReceive);
  CHECK(parsed->physical_ms == 17);
  CHECK(parsed->result.timestamp_ms == 20);
  CHECK(parsed->result.counter == 3);
  CHECK(parsed->remote.timestamp_ms == 19);
  CHECK(parsed->remote.counter == 2);
  CHECK(FormatHlcTraceDetail(Generated(1, 2, 0)) == "generate pt=1 l=2 c=0");
  for (const char* malformed : {"generate pt=1 l=2", "generate pt=-1 l=2 c=0", "generate pt=1 l=2 c=0 ", "send pt=1 l=2 c=0",
                                "receive pt=1 l=2 c=0", "generate pt=1 l=2 c=4294967296"}) {
    INFO(malformed);
    CHECK_FALSE(ParseHlcTraceDetail(malformed).has_value());
  }
}

TEST_CASE("hlc bounds: the planted defect hlc_ignores_wall_clock is caught: l stays 0 while pt runs", "[hlc_bounds]") {
  // What HlcClock reports under the defect (core_hlc_test.cpp): the first
  // Generate on a new device at pt 1,000,000 issues {0, 1}.
  HlcBoundsChecker checker({{"alice", ClockWithOffset(0)}}, {});
  checker.Observe(0, "alice", Generated(kEpochMs, 0, 1));
  CHECK_THAT(checker.Detail(), Catch::Contains("l is below pt by 1000000 ms"));
}

}  // namespace syncsim::sim
