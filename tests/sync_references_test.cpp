// The requirement cascade (ModelRegistry::SharedRequirementsOn): a delete
// takes the shared records that require the deleted record, through a
// required foreign key (a collection member) or a uuid reference (the
// user_metadata naming an entry by entry_uuid), and transitively what
// requires those (the metadata's user_metadata_tag rows), on every device,
// as shared changes. Also when the requiring record was written on another
// device at the same time as the delete, so that it reaches the deleting
// device too late for the deleter's own cascade.
//
// Every check compares databases directly with SQL, independently of the
// scenario checker.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/library_db.h"
#include "sim/cluster/cluster.h"
#include "sim/workloads/index_workload.h"
#include "tests/cluster_queries.h"

namespace syncsim {
namespace {

constexpr int64_t kRunMaxUs = 600'000'000;
const std::vector<std::string> kDevices = {"alice", "bob", "carol"};

using testing::QueryInt;

std::string QueryText(sim::Cluster& cluster, const std::string& device, const std::string& sql) {
  core::Statement& select = cluster.device(device).library()->sql().Prepare(sql);
  std::string text = select.Step() && !select.IsNull(0) ? select.Text(0) : std::string();
  select.Reset();
  return text;
}

// Three connected devices; alice has indexed a small location and every
// device holds it.
struct IndexedCluster {
  explicit IndexedCluster(uint64_t seed) : cluster(Settings(seed)) {
    REQUIRE(cluster.StartAll().ok());
    cluster.ConnectAll(kDevices);
    index = std::make_unique<sim::IndexWorkload>(
        &cluster, sim::IndexSettings{.device = "alice", .location = "Docs", .dirs = 2, .files = 12, .files_per_s = 500},
        cluster.streams().Stream("workload/index"));
    index->Setup();
    index->Run();
    REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  }

  static sim::ClusterSettings Settings(uint64_t seed) {
    sim::ClusterSettings settings;
    settings.seed = seed;
    for (const std::string& name : kDevices) settings.devices.push_back(sim::SimDeviceSettings{.name = name});
    settings.link = sim::LinkSettings{.latency_us_min = 1'000, .latency_us_max = 30'000};
    return settings;
  }

  // A file of alice's location.
  core::Uuid File() {
    return core::Uuid::Parse(QueryText(cluster, "alice", "SELECT uuid FROM entry WHERE kind = 0 ORDER BY uuid LIMIT 1"))
        .value();
  }

  sim::Cluster cluster;
  std::unique_ptr<sim::IndexWorkload> index;
};

// On `device`: metadata for `entry`, tagged, and a collection holding it.
struct Requirers {
  core::Uuid tag, metadata, application, collection, member;
};

Requirers WriteRequirers(sim::Cluster& cluster, const std::string& device, const core::Uuid& entry) {
  const core::Uuid base = core::Uuid::FromName(core::Uuid(), device + "/" + entry.ToString());
  Requirers written{core::Uuid::FromName(base, "tag"), core::Uuid::FromName(base, "metadata"),
                    core::Uuid::FromName(base, "application"), core::Uuid::FromName(base, "collection"),
                    core::Uuid::FromName(base, "member")};
  core::Engine& engine = cluster.device(device).engine();
  REQUIRE(engine.WriteShared("tag", written.tag, {{"name", "keep"}, {"color", nullptr}}).ok());
  REQUIRE(engine
              .WriteShared("user_metadata", written.metadata,
                           {{"entry_uuid", entry.ToString()}, {"content_identity_uuid", nullptr}, {"notes", "n"},
                            {"favorite", 1}})
              .ok());
  REQUIRE(engine
              .WriteShared("user_metadata_tag", written.application,
                           {{"applied_at", 1}, {"user_metadata_uuid", written.metadata.ToString()},
                            {"tag_uuid", written.tag.ToString()}})
              .ok());
  REQUIRE(engine.WriteShared("collection", written.collection, {{"name", "c"}, {"description", nullptr}}).ok());
  REQUIRE(engine
              .WriteShared("collection_entry", written.member,
                           {{"position", 1}, {"collection_uuid", written.collection.ToString()},
                            {"entry_uuid", entry.ToString()}})
              .ok());
  return written;
}

// Every device holds the tag and the collection but nothing that required
// the deleted entry, and the oracle agrees that those are deleted.
void CheckRequirersGone(sim::Cluster& cluster, const Requirers& written, const core::Uuid& entry) {
  for (const std::string& device : kDevices) {
    INFO(device);
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM entry WHERE uuid = '" + entry.ToString() + "'") == 0);
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM user_metadata") == 0);
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM user_metadata_tag") == 0);
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM collection_entry") == 0);
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM tag") == 1);
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM collection") == 1);
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM pending_dependencies") == 0);
  }
  const sim::SharedOracle oracle = cluster.Oracle();
  CHECK_FALSE(oracle.at("user_metadata").at(written.metadata.ToString()).has_value());
  CHECK_FALSE(oracle.at("user_metadata_tag").at(written.application.ToString()).has_value());
  CHECK_FALSE(oracle.at("collection_entry").at(written.member.ToString()).has_value());
  CHECK(oracle.at("tag").at(written.tag.ToString()).has_value());
}

TEST_CASE("references: deleting an entry deletes the metadata naming it by uuid and its tag applications everywhere",
          "[sync][references]") {
  IndexedCluster indexed(71);
  sim::Cluster& cluster = indexed.cluster;
  const core::Uuid entry = indexed.File();
  const Requirers written = WriteRequirers(cluster, "bob", entry);
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  REQUIRE(QueryInt(cluster, "alice", "SELECT count(*) FROM user_metadata_tag") == 1);

  REQUIRE(cluster.device("alice").engine().DeleteOwned("entry", entry).ok());
  // The owner's own cascade runs in the delete's transaction.
  CHECK(QueryInt(cluster, "alice", "SELECT count(*) FROM user_metadata") == 0);
  CHECK(QueryInt(cluster, "alice", "SELECT count(*) FROM user_metadata_tag") == 0);
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  CheckRequirersGone(cluster, written, entry);
}

TEST_CASE("references: records written for an entry while its owner deletes it are deleted everywhere",
          "[sync][references]") {
  IndexedCluster indexed(72);
  sim::Cluster& cluster = indexed.cluster;
  const core::Uuid entry = indexed.File();
  // Nothing alice sends arrives: she deletes the entry, and bob, who still
  // holds it, writes for it afterwards. His writes reach alice after her
  // delete, so her own cascade never saw them.
  cluster.network().Partition({{"alice"}, {"bob", "carol"}}, /*one_way=*/true);
  REQUIRE(cluster.device("alice").engine().DeleteOwned("entry", entry).ok());
  const Requirers written = WriteRequirers(cluster, "bob", entry);
  cluster.scheduler().RunWhile([] { return true; }, cluster.scheduler().now_us() + 2'000'000);
  REQUIRE(QueryInt(cluster, "carol", "SELECT count(*) FROM collection_entry") == 1);
  // On alice the entry's tombstone beats the late inserts: the member
  // (required foreign key) and the metadata (uuid reference) are obsolete.
  CHECK(cluster.device("alice").engine().apply_counters().obsolete >= 2);
  CHECK(QueryInt(cluster, "alice", "SELECT count(*) FROM collection_entry") == 0);
  CHECK(QueryInt(cluster, "alice", "SELECT count(*) FROM user_metadata") == 0);
  // Once alice's delete reaches them, bob and carol delete what they hold.
  cluster.network().Heal(/*release_held=*/false);
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  CheckRequirersGone(cluster, written, entry);
}

TEST_CASE("references: metadata naming an entry not seen yet is kept, and a uuid reference must hold a uuid",
          "[sync][references]") {
  IndexedCluster indexed(73);
  sim::Cluster& cluster = indexed.cluster;
  const core::Uuid entry = indexed.File();
  REQUIRE(cluster.device("alice").engine().DeleteOwned("entry", entry).ok());
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  // Metadata may precede its entry: one naming an entry nobody has seen is
  // kept (and counted as dangling by the checker if it stays so).
  const core::Uuid unseen = core::Uuid::FromName(core::Uuid(), "entry/not yet indexed");
  const core::Uuid early = core::Uuid::FromName(core::Uuid(), "metadata/early");
  REQUIRE(cluster.device("bob")
              .engine()
              .WriteShared("user_metadata", early,
                           {{"entry_uuid", unseen.ToString()}, {"content_identity_uuid", nullptr}, {"notes", nullptr},
                            {"favorite", 0}})
              .ok());
  REQUIRE(cluster.RunUntilQuiescent(kRunMaxUs));
  for (const std::string& device : kDevices) {
    CHECK(QueryInt(cluster, device, "SELECT count(*) FROM user_metadata WHERE uuid = '" + early.ToString() + "'") == 1);
  }
  // A uuid reference must hold a uuid.
  CHECK_FALSE(cluster.device("bob")
                  .engine()
                  .WriteShared("user_metadata", early, {{"entry_uuid", "not a uuid"}})
                  .ok());
}

}  // namespace
}  // namespace syncsim
