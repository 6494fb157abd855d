// Two devices over the simulated network: Alice indexes a location with the
// seed transcript's shape, Bob receives it in real time while latency
// reorders the messages. Under each missing-dependency policy the receiver's
// final state is compared with the owner's, record by record.
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <string>

#include "core/library_db.h"
#include "sim/cluster/cluster.h"
#include "sim/workloads/index_workload.h"
#include "tests/cluster_queries.h"

namespace syncsim {
namespace {

struct EntryLinks {
  std::string parent;   // parent uuid, empty when NULL
  std::string content;  // content identity uuid, empty when NULL
  int64_t kind = 0;
};

std::map<std::string, EntryLinks> ReadEntries(core::LibraryDb& library) {
  std::map<std::string, EntryLinks> entries;
  core::Statement& select = library.sql().Prepare(
      "SELECT e.uuid, p.uuid, c.uuid, e.kind FROM entry e LEFT JOIN entry p ON p.id = e.parent_id "
      "LEFT JOIN content_identity c ON c.id = e.content_id");
  while (select.Step()) {
    entries[select.Text(0)] = EntryLinks{select.Text(1), select.Text(2), select.Int(3)};
  }
  select.Reset();
  return entries;
}

struct Comparison {
  size_t owner_entries = 0;
  size_t owner_files = 0;
  size_t owner_content_links = 0;
  size_t receiver_entries = 0;
  size_t receiver_parent_links_matching = 0;  // entries whose parent equals the owner's
  size_t receiver_content_links_matching = 0;  // files linked to the owner's content identity
  size_t receiver_orphans = 0;                 // a non-root entry with no parent
  size_t receiver_unlinked_files = 0;          // owner links the file, receiver does not
  int64_t receiver_parked = 0;
  int64_t receiver_content_identities = 0;
  bool quiescent = false;
};

Comparison RunIndexing(core::MissingDependencyPolicy policy, uint64_t seed, uint32_t dirs, uint32_t files) {
  sim::ClusterSettings settings;
  settings.seed = seed;
  settings.devices = {sim::SimDeviceSettings{.name = "alice"}, sim::SimDeviceSettings{.name = "bob"}};
  settings.link = sim::LinkSettings{.latency_us_min = 1'000, .latency_us_max = 40'000};
  settings.sync.missing_dependency = policy;
  sim::Cluster cluster(settings);
  REQUIRE(cluster.StartAll().ok());
  cluster.ConnectAll({"alice", "bob"});
  sim::IndexWorkload index(&cluster,
                           sim::IndexSettings{.device = "alice", .location = "Downloads", .dirs = dirs,
                                              .files = files, .duplicate_content = 0.03, .files_per_s = 300},
                           cluster.streams().Stream("workload/index"));
  index.Setup();
  index.Run();
  Comparison result;
  result.quiescent = cluster.RunUntilQuiescent(600'000'000);

  auto owner = ReadEntries(*cluster.device("alice").library());
  auto receiver = ReadEntries(*cluster.device("bob").library());
  result.owner_entries = owner.size();
  result.receiver_entries = receiver.size();
  for (const auto& [uuid, links] : owner) {
    if (links.kind == 0) ++result.owner_files;
    if (!links.content.empty()) ++result.owner_content_links;
    auto found = receiver.find(uuid);
    if (found == receiver.end()) continue;
    if (found->second.parent == links.parent) ++result.receiver_parent_links_matching;
    if (!links.content.empty() && found->second.content == links.content) ++result.receiver_content_links_matching;
    if (!links.parent.empty() && found->second.parent.empty()) ++result.receiver_orphans;
    if (!links.content.empty() && found->second.content.empty()) ++result.receiver_unlinked_files;
  }
  result.receiver_parked = testing::ParkedRecords(cluster, "bob");
  result.receiver_content_identities = cluster.device("bob").library()->Count("content_identity");
  std::printf(
      "policy=%s seed=%llu: alice entries=%zu files=%zu content_links=%zu | bob entries=%zu parent_links=%zu "
      "content_links=%zu orphans=%zu unlinked_files=%zu parked=%lld content_identities=%lld quiescent=%d\n",
      std::string(core::ToString(policy)).c_str(), static_cast<unsigned long long>(seed), result.owner_entries,
      result.owner_files, result.owner_content_links, result.receiver_entries,
      result.receiver_parent_links_matching, result.receiver_content_links_matching, result.receiver_orphans,
      result.receiver_unlinked_files, static_cast<long long>(result.receiver_parked),
      static_cast<long long>(result.receiver_content_identities), result.quiescent ? 1 : 0);
  return result;
}

TEST_CASE("realtime indexing under park: the receiver ends with every entry and link the owner has",
          "[sync][realtime]") {
  Comparison result = RunIndexing(core::MissingDependencyPolicy::kPark, 1, 46, 2045);
  CHECK(result.quiescent);
  CHECK(result.owner_entries == 2091);
  CHECK(result.owner_files == 2045);
  CHECK(result.receiver_entries == result.owner_entries);
  CHECK(result.receiver_parent_links_matching == result.owner_entries);
  CHECK(result.receiver_content_links_matching == result.owner_content_links);
  CHECK(result.receiver_orphans == 0);
  CHECK(result.receiver_unlinked_files == 0);
  CHECK(result.receiver_parked == 0);
}

TEST_CASE("realtime indexing under drop: the receiver ends short", "[sync][realtime][regression]") {
  Comparison result = RunIndexing(core::MissingDependencyPolicy::kDrop, 1, 46, 2045);
  CHECK(result.owner_entries == 2091);
  // The connection's backfill brings the device and location records before
  // realtime entries apply, so entries arrive; content identities that come
  // after their files are dropped, and the links with them.
  CHECK(result.receiver_entries <= result.owner_entries);
  CHECK(result.receiver_content_links_matching < result.owner_content_links);
}

TEST_CASE("realtime indexing under null: the receiver ends with unlinked files", "[sync][realtime][regression]") {
  Comparison result = RunIndexing(core::MissingDependencyPolicy::kNull, 1, 46, 2045);
  CHECK(result.owner_entries == 2091);
  // Nothing is lost, but links are: files without their content identity
  // and entries without their parent, never repaired.
  CHECK(result.receiver_entries == result.owner_entries);
  CHECK(result.receiver_unlinked_files > 0);
  CHECK(result.receiver_content_links_matching < result.owner_content_links);
  CHECK(result.receiver_parked == 0);
}

}  // namespace
}  // namespace syncsim
