// The peer protocol away from the happy realtime path (DESIGN.md 3.5): a
// device that joins late backfills page by page; one cut off by a partition
// or a crash catches up from its watermarks; shared changes made on both
// sides of a partition converge last-writer-wins; deletes made while cut off
// are not resurrected by peers that still hold the old rows.
//
// Every check compares databases directly with SQL, independently of the
// scenario checker.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "core/library_db.h"
#include "sim/cluster/cluster.h"
#include "sim/workloads/index_workload.h"
#include "tests/cluster_queries.h"

namespace syncsim {
namespace {

constexpr int64_t kRunMaxUs = 600'000'000;

// entry uuid -> "parent uuid|content uuid" (empty parts for NULL links).
std::map<std::string, std::string> EntryLinks(sim::Cluster& cluster, const std::string& device) {
  std::map<std::string, std::string> entries;
  core::Statement& select = cluster.device(device).library()->sql().Prepare(
      "SELECT e.uuid, coalesce(p.uuid, ''), coalesce(c.uuid, '') FROM entry e LEFT JOIN entry p ON p.id = e.parent_id "
      "LEFT JOIN content_identity c ON c.id = e.content_id");
  while (select.Step()) entries[select.Text(0)] = select.Text(1) + "|" + select.Text(2);
  select.Reset();
  return entries;
}

std::string QueryText(sim::Cluster& cluster, const std::string& device, const std::string& sql) {
  core::Statement& select = cluster.device(device).library()->sql().Prepare(sql);
  std::string text = select.Step() && !select.IsNull(0) ? select.Text(0) : std::string("<none>");
  select.Reset();
  return text;
}

using testing::QueryInt;

sim::ClusterSettings TwoOrThree(uint64_t seed, std::vector<std::string> names) {
  sim::ClusterSettings settings;
  settings.seed = seed;
  for (const std::string& name : names) settings.devices.push_back(sim::SimDeviceSettings{.name = name});
  settings.link = sim::LinkSettings{.latency_us_min = 1'000, .latency_us_max = 40'000};
  return settings;
}

std::unique_ptr<sim::IndexWorkload> StartIndexing(sim::Cluster& cluster, uint32_t dirs, uint32_t files,
                                                  uint32_t files_per_s) {
  auto index = std::make_unique<sim::IndexWorkload>(
      &cluster,
      sim::IndexSettings{.device = "alice", .location = "Downloads", .dirs = dirs, .files = files,
                         .duplicate_content = 0.03, .files_per_s = files_per_s},
      cluster.streams().Stream("workload/index"));
  index->Setup();
  index->Run();
  return index;
}

void RunUntilUs(sim::Cluster& cluster, int64_t time_us) {
  cluster.scheduler().RunWhile([] { return true; }, time_us);
}

TEST_CASE("backfill: a device joining after 2,045 files were indexed receives all of them through small pages",
          "[sync][backfill]") {
  sim::ClusterSettings settings = TwoOrThree(31, {"alice", "bob"});
  settings.sync.page_size = 100;
  sim::Cluster cluster(settings);
  REQUIRE(cluster.device("alice").Start().ok());
  auto index = StartIndexing(cluster, 46, 2045, 2000);
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  const auto owner = EntryLinks(cluster, "alice");
  REQUIRE(owner.size() == 2091);

  REQUIRE(cluster.device("bob").Start().ok());
  cluster.ConnectAll({"alice", "bob"});
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));

  // Every entry with the owner's parent and content links.
  CHECK(EntryLinks(cluster, "bob") == owner);
  CHECK(testing::ParkedRecords(cluster, "bob") == 0);
  const core::EngineCounters counters = cluster.device("bob").counters();
  // 2,091 entries and about 2,000 content identities at 100 a page.
  CHECK(counters.pages_received >= 40);
  CHECK(counters.records_pulled >= 2091 + 1980);
  CHECK(counters.resyncs == 0);
  // Nothing came by realtime: alice wrote it all before bob connected.
  CHECK(cluster.device("bob").engine().apply_counters().applied >= 4071);
  CHECK(cluster.device("bob").engine().PeerStatuses().at(0).state == core::PeerState::kReady);
}

TEST_CASE("catch-up: a device partitioned during indexing catches up after the heal", "[sync][backfill]") {
  sim::Cluster cluster(TwoOrThree(32, {"alice", "bob"}));
  REQUIRE(cluster.StartAll().ok());
  cluster.ConnectAll({"alice", "bob"});
  auto index = StartIndexing(cluster, 46, 2045, 300);
  RunUntilUs(cluster, 2'000'000);
  cluster.network().Partition({{"alice"}, {"bob"}}, /*one_way=*/false);
  RunUntilUs(cluster, 8'000'000);
  const size_t entries_while_cut_off = EntryLinks(cluster, "bob").size();
  CHECK(entries_while_cut_off < 2091);
  // Drop what the partition held, so that only the catch-up can bring it.
  cluster.network().Heal(/*release_held=*/false);
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  CHECK(EntryLinks(cluster, "bob") == EntryLinks(cluster, "alice"));
  CHECK(EntryLinks(cluster, "bob").size() == 2091);
  CHECK(cluster.device("bob").counters().pages_received > 0);
}

TEST_CASE("catch-up: a device that crashes mid-backfill finishes after restart", "[sync][backfill]") {
  sim::ClusterSettings settings = TwoOrThree(33, {"alice", "bob"});
  settings.sync.page_size = 50;
  sim::Cluster cluster(settings);
  REQUIRE(cluster.device("alice").Start().ok());
  auto index = StartIndexing(cluster, 46, 2045, 2000);
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  REQUIRE(cluster.device("bob").Start().ok());
  cluster.ConnectAll({"alice", "bob"});
  // Run until bob holds some of the entries, then crash him.
  cluster.scheduler().RunWhile([&] { return cluster.device("bob").library()->Count("entry") < 600; }, kRunMaxUs);
  const int64_t entries_at_crash = cluster.device("bob").library()->Count("entry");
  CHECK(entries_at_crash >= 600);
  CHECK(entries_at_crash < 2091);
  cluster.device("bob").Crash();
  RunUntilUs(cluster, cluster.scheduler().now_us() + 1'000'000);
  // The database survived the crash.
  CHECK(cluster.device("bob").library()->Count("entry") == entries_at_crash);
  REQUIRE(cluster.device("bob").Restart().ok());
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  CHECK(EntryLinks(cluster, "bob") == EntryLinks(cluster, "alice"));
  // Resumed from the watermarks: the second session did not read it all again.
  CHECK(cluster.device("bob").counters().records_pulled < 2 * (2091 + 1980));
}

TEST_CASE("partition: shared changes on both sides converge last-writer-wins", "[sync][backfill]") {
  sim::Cluster cluster(TwoOrThree(34, {"alice", "bob"}));
  REQUIRE(cluster.StartAll().ok());
  cluster.ConnectAll({"alice", "bob"});
  const core::Uuid shared_tag = core::Uuid::FromName(core::Uuid(), "tag/shared");
  const core::Uuid alice_tag = core::Uuid::FromName(core::Uuid(), "tag/alice-only");
  const core::Uuid bob_tag = core::Uuid::FromName(core::Uuid(), "tag/bob-only");
  REQUIRE(cluster.device("alice").engine().WriteShared("tag", shared_tag, {{"name", "inbox"}, {"color", "grey"}}).ok());
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  REQUIRE(QueryText(cluster, "bob", "SELECT name FROM tag") == "inbox");

  cluster.network().Partition({{"alice"}, {"bob"}}, /*one_way=*/false);
  RunUntilUs(cluster, cluster.scheduler().now_us() + 1'000'000);
  REQUIRE(cluster.device("alice").engine().WriteShared("tag", shared_tag, {{"color", "red"}}).ok());
  REQUIRE(cluster.device("alice").engine().WriteShared("tag", alice_tag, {{"name", "from alice"}}).ok());
  RunUntilUs(cluster, cluster.scheduler().now_us() + 500'000);
  // Bob writes later, so his change is the newer one.
  REQUIRE(cluster.device("bob").engine().WriteShared("tag", shared_tag, {{"color", "blue"}}).ok());
  REQUIRE(cluster.device("bob").engine().WriteShared("tag", bob_tag, {{"name", "from bob"}}).ok());
  RunUntilUs(cluster, cluster.scheduler().now_us() + 2'000'000);
  CHECK(QueryText(cluster, "alice", "SELECT color FROM tag WHERE name = 'inbox'") == "red");

  cluster.network().Heal(/*release_held=*/false);
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  for (const std::string device : {"alice", "bob"}) {
    INFO(device);
    CHECK(QueryText(cluster, device, "SELECT color FROM tag WHERE name = 'inbox'") == "blue");
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM tag") == 3);
  }
  // The trace's last-writer-wins oracle names bob's write the winner too.
  const sim::SharedOracle oracle = cluster.Oracle();
  const std::optional<nlohmann::json>& winner = oracle.at("tag").at(shared_tag.ToString());
  REQUIRE(winner.has_value());
  CHECK(winner->at("color") == "blue");
}

TEST_CASE("partition: a delete made while cut off is not resurrected by peers holding the old rows",
          "[sync][backfill]") {
  sim::Cluster cluster(TwoOrThree(35, {"alice", "bob", "carol"}));
  REQUIRE(cluster.StartAll().ok());
  cluster.ConnectAll({"alice", "bob", "carol"});
  auto index = StartIndexing(cluster, 10, 200, 1000);
  const core::Uuid doomed_tag = core::Uuid::FromName(core::Uuid(), "tag/doomed");
  REQUIRE(cluster.device("alice").engine().WriteShared("tag", doomed_tag, {{"name", "doomed"}}).ok());
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  // A directory with files below it.
  const std::string doomed_dir = QueryText(
      cluster, "alice",
      "SELECT d.uuid FROM entry d WHERE d.kind = 1 AND d.parent_id IS NOT NULL AND "
      "(SELECT count(*) FROM entry f WHERE f.parent_id = d.id) >= 3 ORDER BY d.uuid LIMIT 1");
  REQUIRE(doomed_dir != "<none>");
  const int64_t entries_before = QueryInt(cluster, "carol", "SELECT count(*) FROM entry");
  REQUIRE(entries_before == 210);

  cluster.network().Partition({{"alice"}, {"bob", "carol"}}, /*one_way=*/false);
  RunUntilUs(cluster, cluster.scheduler().now_us() + 500'000);
  REQUIRE(cluster.device("alice").engine().DeleteOwned("entry", core::Uuid::Parse(doomed_dir).value()).ok());
  REQUIRE(cluster.device("alice").engine().DeleteShared("tag", doomed_tag).ok());
  RunUntilUs(cluster, cluster.scheduler().now_us() + 2'000'000);
  const int64_t entries_after_delete = QueryInt(cluster, "alice", "SELECT count(*) FROM entry");
  REQUIRE(entries_after_delete < entries_before - 3);
  // Carol, meanwhile, is reset: she pulls alice's records from bob, who still
  // holds the directory, before she can hear from alice.
  cluster.device("carol").Crash();
  RunUntilUs(cluster, cluster.scheduler().now_us() + 100'000);
  REQUIRE(cluster.device("carol").Restart().ok());
  // Not quiescent while cut off (alice's delete waits for bob's ack), so
  // give carol's catch-up from bob a few seconds.
  RunUntilUs(cluster, cluster.scheduler().now_us() + 5'000'000);
  REQUIRE(QueryInt(cluster, "carol", "SELECT count(*) FROM entry") == entries_before);

  cluster.network().Heal(/*release_held=*/false);
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  for (const std::string device : {"alice", "bob", "carol"}) {
    INFO(device);
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM entry") == entries_after_delete);
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM entry WHERE uuid = '" + doomed_dir + "'") == 0);
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM tag WHERE name = 'doomed'") == 0);
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM tombstones WHERE uuid = '" + doomed_dir + "'") == 1);
    CHECK(EntryLinks(cluster, device) == EntryLinks(cluster, "alice"));
  }
}

}  // namespace
}  // namespace syncsim
