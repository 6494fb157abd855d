// Tests for sim/check/check.h: the registry holds every check once, in the
// order result.json has always listed expectations; the loader accepts
// exactly the expect keys the checks read; and checks fed hand-made facts
// turn their verdict where their bound says.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/check/check.h"
#include "sim/scenario/scenario_loader.h"

namespace {

using nlohmann::json;
using syncsim::sim::Check;
using syncsim::sim::DeviceRunFacts;
using syncsim::sim::ExpectationResult;
using syncsim::sim::FindCheck;
using syncsim::sim::Linkage;
using syncsim::sim::RegisteredChecks;
using syncsim::sim::RunFacts;

std::vector<ExpectationResult> Run(std::string_view name, const RunFacts& facts) {
  const Check* check = FindCheck(name);
  REQUIRE(check != nullptr);
  std::vector<ExpectationResult> verdicts;
  check->evaluate(facts, &verdicts);
  return verdicts;
}

DeviceRunFacts Device(std::string name, int64_t orphans) {
  DeviceRunFacts device;
  device.name = std::move(name);
  device.database.orphans = orphans;
  return device;
}

// A scenario that loads, with `expect` as given.
json WithExpect(json expect) {
  return {{"name", "registry"},
          {"devices", {{{"name", "alice"}}}},
          {"steps", {{{"action", "run_until_quiescent"}, {"max_ms", 1000}}}},
          {"expect", std::move(expect)}};
}

TEST_CASE("the check registry lists every check once, in the order of result.json") {
  std::vector<std::string_view> names;
  for (const Check& check : RegisteredChecks()) names.push_back(check.name);
  const std::vector<std::string_view> expected = {
      "stall",          "converge_within_ms", "converged",          "quiescent",         "linkage_min",
      "counts.DEVICE.MODEL", "orphans_max",   "resyncs_max",        "repaired_max",      "invariant.acks",
      "invariant.dangling",  "invariant.closure", "invariant.paths", "invariant.hlc",    "invariant.hlc_bounds",
      "workloads", "invariant.one_leader_per_term", "invariant.unique_seq", "invariant.acked_writes_kept",
      "storage.integrity", "storage.acked_kept"};
  REQUIRE(names == expected);
  for (const Check& check : RegisteredChecks()) REQUIRE(check.evaluate != nullptr);
}

TEST_CASE("must_fail names the registered checks, in the order its error message has listed them") {
  const std::vector<std::string_view> expected = {
      "stall",          "converged",         "quiescent",       "linkage_min",   "orphans_max",
      "resyncs_max",    "repaired_max",      "invariant.acks",  "invariant.closure", "invariant.paths",
      "invariant.hlc",  "invariant.dangling", "invariant.hlc_bounds", "workloads", "converge_within_ms",
      "invariant.one_leader_per_term", "invariant.unique_seq", "invariant.acked_writes_kept", "storage.integrity",
      "storage.acked_kept"};
  REQUIRE(syncsim::sim::CheckNames() == expected);
  syncsim::sim::Scenario scenario;
  const syncsim::core::Status status =
      syncsim::sim::ParseScenario(WithExpect({{"must_fail", {"invariant.hlcs"}}}), &scenario);
  REQUIRE(status.message() ==
          "expect.must_fail[0]: unknown check \"invariant.hlcs\" (did you mean \"invariant.hlc\"?); checks: stall, "
          "converged, quiescent, linkage_min, orphans_max, resyncs_max, repaired_max, invariant.acks, "
          "invariant.closure, invariant.paths, invariant.hlc, invariant.dangling, invariant.hlc_bounds, workloads, "
          "converge_within_ms, invariant.one_leader_per_term, invariant.unique_seq, invariant.acked_writes_kept, "
          "storage.integrity, storage.acked_kept, counts.DEVICE.MODEL");
}

TEST_CASE("every expect key the loader accepts is read by a check") {
  const json valid = {{"converged", true},   {"stall", false},       {"linkage_min", 0.5},
                      {"orphans_max", 0},    {"counts", json::object()}, {"resyncs_max", 0},
                      {"repaired_max", 0},   {"must_fail", json::array()}, {"converge_within_ms", 1000}};
  std::set<std::string_view> accepted;
  for (std::string_view key : syncsim::sim::ExpectKeys()) {
    INFO("key: " << key);
    REQUIRE(accepted.insert(key).second);
    REQUIRE(valid.contains(key));
    syncsim::sim::Scenario scenario;
    REQUIRE(syncsim::sim::ParseScenario(WithExpect({{key, valid[std::string(key)]}}), &scenario).message() == "");
    if (key == "must_fail") continue;  // read by the pass after the checks
    const bool read = std::any_of(RegisteredChecks().begin(), RegisteredChecks().end(), [&](const Check& check) {
      return std::find(check.expect_keys.begin(), check.expect_keys.end(), key) != check.expect_keys.end();
    });
    REQUIRE(read);
  }
  REQUIRE(accepted.size() == valid.size());
  syncsim::sim::Scenario scenario;
  REQUIRE(syncsim::sim::ParseScenario(WithExpect({{"orphans_mx", 0}}), &scenario).message() ==
          "expect: unknown key \"orphans_mx\" (did you mean \"orphans_max\"?)");
}

TEST_CASE("orphans_max fails past its bound and names the device with the most") {
  RunFacts facts;
  REQUIRE(Run("orphans_max", facts).empty());  // no bound, no verdict
  facts.expect.orphans_max = 2;
  facts.devices = {Device("alice", 1), Device("bob", 2)};
  std::vector<ExpectationResult> verdicts = Run("orphans_max", facts);
  REQUIRE(verdicts.size() == 1);
  REQUIRE(verdicts[0].ok);
  REQUIRE(verdicts[0].detail == "2 orphans on bob (max 2)");
  facts.devices.push_back(Device("carol", 3));
  verdicts = Run("orphans_max", facts);
  REQUIRE_FALSE(verdicts[0].ok);
  REQUIRE(verdicts[0].detail == "3 orphans on carol (max 2)");
}

TEST_CASE("linkage_min fails when the weakest receiver links less than the bound") {
  RunFacts facts;
  facts.expect.linkage_min = 0.9;
  Linkage link;
  link.owner = "alice";
  link.receiver = "bob";
  link.owner_content_links = 10;
  link.receiver_content_links = 9;
  link.content_share = 0.9;
  link.owner_parent_links = 4;
  link.receiver_parent_links = 4;
  link.parent_share = 1.0;
  facts.linkage = {link};
  std::vector<ExpectationResult> verdicts = Run("linkage_min", facts);
  REQUIRE(verdicts.size() == 1);
  REQUIRE(verdicts[0].ok);
  facts.linkage[0].receiver_content_links = 8;
  facts.linkage[0].content_share = 0.8;
  verdicts = Run("linkage_min", facts);
  REQUIRE_FALSE(verdicts[0].ok);
  REQUIRE(verdicts[0].detail == "lowest linkage 0.8000 (need >= 0.9000): bob links 8 of the 10 files alice links; 4 of 4 parents");
}

TEST_CASE("invariant.acks judges a quiescent run only and names what is unacked") {
  RunFacts facts;
  DeviceRunFacts alice = Device("alice", 0);
  alice.unacked = {{"bob", 0}, {"carol", 3}};
  facts.devices = {alice};
  REQUIRE(Run("invariant.acks", facts).empty());
  facts.quiescent = true;
  std::vector<ExpectationResult> verdicts = Run("invariant.acks", facts);
  REQUIRE(verdicts.size() == 1);
  REQUIRE_FALSE(verdicts[0].ok);
  REQUIRE(verdicts[0].detail == "alice holds 3 of its shared changes that carol has not acked");
  facts.devices[0].unacked[1].changes = 0;
  REQUIRE(Run("invariant.acks", facts)[0].ok);
}

TEST_CASE("must_fail turns the verdicts it names and fails a check that did not run") {
  std::vector<ExpectationResult> verdicts = {{"stall", true, "no stall"}, {"orphans_max", false, "3 orphans"}};
  syncsim::sim::ApplyMustFail({"orphans_max", "invariant.acks"}, &verdicts);
  REQUIRE(verdicts.size() == 3);
  REQUIRE(verdicts[0].ok);
  REQUIRE(verdicts[1].ok);
  REQUIRE(verdicts[1].detail == "caught as it must be: 3 orphans");
  REQUIRE(verdicts[2].name == "invariant.acks");
  REQUIRE_FALSE(verdicts[2].ok);
}

}  // namespace

TEST_CASE("docs/scenario-format.md names every registered check and every expect key") {
  // A check added by one file must still be documented for users.
  std::ifstream file(std::string(SYNCSIM_SOURCE_DIR) + "/docs/scenario-format.md");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  REQUIRE_FALSE(text.empty());
  size_t named = 0;
  for (const syncsim::sim::Check& check : syncsim::sim::RegisteredChecks()) {
    const std::string name = check.per_device_model ? "counts" : std::string(check.name);
    INFO(name);
    CHECK(text.find("`" + name + "`") != std::string::npos);
    ++named;
  }
  CHECK(named >= 16);
  for (std::string_view key : syncsim::sim::ExpectKeys()) {
    INFO(key);
    CHECK(text.find("`" + std::string(key) + "`") != std::string::npos);
  }
}
