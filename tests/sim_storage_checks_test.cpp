// The storage checks (sim/check/check_storage_*.cpp), judged on hand-made
// facts: each holds when every death was survived, fails naming the device
// when one was not, and gives no verdict when nothing was looked at (a run
// without deaths checked nothing, and must not say it passed).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/check/check.h"

namespace {

using syncsim::sim::DeviceRunFacts;
using syncsim::sim::ExpectationResult;
using syncsim::sim::FindCheck;
using syncsim::sim::RunFacts;
using syncsim::sim::StorageFacts;

std::vector<ExpectationResult> Judge(const char* check, const std::vector<StorageFacts>& devices) {
  RunFacts facts;
  const char* names[] = {"alice", "bob", "carol"};
  for (size_t index = 0; index < devices.size(); ++index) {
    DeviceRunFacts device;
    device.name = names[index];
    device.storage = devices[index];
    facts.devices.push_back(device);
  }
  std::vector<ExpectationResult> out;
  const auto* found = FindCheck(check);
  REQUIRE(found != nullptr);
  found->evaluate(facts, &out);
  return out;
}

TEST_CASE("storage checks: no verdict for a run without deaths", "[sim][storage]") {
  CHECK(Judge("storage.integrity", {{}, {}}).empty());
  CHECK(Judge("storage.acked_kept", {{}, {}}).empty());
}

TEST_CASE("storage.integrity: every reopened database passed, or the failure is named", "[sim][storage]") {
  const std::vector<ExpectationResult> clean = Judge("storage.integrity", {{.integrity_checks = 2}, {}});
  REQUIRE(clean.size() == 1);
  CHECK(clean[0].ok);
  const std::vector<ExpectationResult> damaged =
      Judge("storage.integrity", {{}, {.integrity_checks = 1, .integrity_failures = {"integrity_check: page 4"}}});
  REQUIRE(damaged.size() == 1);
  CHECK_FALSE(damaged[0].ok);
  CHECK(damaged[0].detail.find("bob: integrity_check: page 4") != std::string::npos);
}

TEST_CASE("storage.acked_kept: every acked change was found after the restarts, or the lost ones are named",
          "[sim][storage]") {
  const std::vector<ExpectationResult> kept = Judge("storage.acked_kept", {{.acked_changes_verified = 40}, {}});
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].ok);
  const std::vector<ExpectationResult> lost = Judge(
      "storage.acked_kept",
      {{.acked_changes_verified = 40}, {.acked_changes_verified = 3, .lost_acked_changes = {"bob acked c1 as durable"}}});
  REQUIRE(lost.size() == 1);
  CHECK_FALSE(lost[0].ok);
  CHECK(lost[0].detail.find("1 of 43") != std::string::npos);
  CHECK(lost[0].detail.find("bob acked c1") != std::string::npos);
}

}  // namespace
