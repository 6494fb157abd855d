// A simulated device on the fault VFS (sim/cluster/device_storage.h,
// SimDevice): what a power loss keeps with each journal and synchronous
// level, a crash armed at an I/O point striking inside a transaction, a
// storage error restarting the device, and the oracle told only of writes
// that committed. Each case reads the databases directly with SQL.
#include <catch2/catch.hpp>

#include <string>

#include "core/library_db.h"
#include "sim/cluster/cluster.h"
#include "sim/storage/storage_settings.h"
#include "tests/cluster_queries.h"

namespace syncsim {
namespace {

using testing::QueryInt;

sim::ClusterSettings OneDevice(uint64_t seed, const sim::ScenarioStorage& storage,
                               sim::StorageFaultSettings faults = {}) {
  sim::ClusterSettings settings;
  settings.seed = seed;
  sim::SimDeviceSettings device{.name = "alice"};
  device.storage.fault_vfs = true;
  device.storage.database_path = "alice.db";
  device.storage.journal = true;
  device.storage.pragmas = sim::OpenPragmas(storage);
  device.storage.faults = faults;
  device.restart_after_error_us = 100'000;
  settings.devices.push_back(device);
  return settings;
}

// Writes `tags` shared tags on alice, each its own transaction; returns how
// many the device accepted.
int WriteTags(sim::Cluster& cluster, int first, int tags) {
  int written = 0;
  for (int index = first; index < first + tags; ++index) {
    sim::SimDevice& device = cluster.device("alice");
    if (!device.is_on()) break;
    const core::Uuid tag = core::Uuid::FromName(core::Uuid(), "tag-" + std::to_string(index));
    core::Status status = device.Write([&](core::Engine& engine) {
      return engine.WriteShared("tag", tag, {{"name", "tag " + std::to_string(index)}, {"color", "red"}});
    });
    if (status.ok()) ++written;
  }
  return written;
}

int64_t Tags(sim::Cluster& cluster) { return QueryInt(cluster, "alice", "SELECT count(*) FROM tag"); }

// Tags the last-writer-wins oracle expects.
size_t OracleTags(sim::Cluster& cluster) { return cluster.Oracle()["tag"].size(); }

TEST_CASE("device storage: with synchronous full a power loss keeps every committed write, in WAL and rollback mode",
          "[storage]") {
  for (const sim::JournalMode journal : {sim::JournalMode::kWal, sim::JournalMode::kRollback}) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      sim::Cluster cluster(OneDevice(seed, {.journal = journal, .synchronous = sim::SynchronousLevel::kFull}));
      REQUIRE(cluster.device("alice").Start().ok());
      REQUIRE(WriteTags(cluster, 0, 30) == 30);
      cluster.device("alice").Crash(sim::CrashSettings{.power_loss = true});
      REQUIRE(cluster.device("alice").storage().integrity_failures().empty());
      REQUIRE(cluster.device("alice").storage().integrity_checks() == 1);
      CHECK(Tags(cluster) == 30);
      REQUIRE(cluster.device("alice").Restart().ok());
      CHECK(Tags(cluster) == 30);
    }
  }
}

TEST_CASE("device storage: with synchronous off a power loss takes back committed writes on some seed", "[storage]") {
  // The proof that the disk's pending layer is real: a disk that wrote
  // through would keep all 30 tags on every seed.
  bool lost = false;
  for (uint64_t seed = 1; seed <= 30 && !lost; ++seed) {
    sim::Cluster cluster(
        OneDevice(seed, {.journal = sim::JournalMode::kWal, .synchronous = sim::SynchronousLevel::kOff}));
    REQUIRE(cluster.device("alice").Start().ok());
    REQUIRE(WriteTags(cluster, 0, 30) == 30);
    cluster.device("alice").Crash(sim::CrashSettings{.power_loss = true});
    // Either the database came back damaged (and was replaced by a blank
    // one), or it holds fewer tags.
    lost = !cluster.device("alice").storage().integrity_failures().empty() || Tags(cluster) < 30;
  }
  CHECK(lost);
}

TEST_CASE("device storage: a crash armed at an I/O point strikes inside a write, which rolls back", "[storage]") {
  sim::Cluster cluster(OneDevice(3, {.journal = sim::JournalMode::kRollback}));
  sim::SimDevice& device = cluster.device("alice");
  REQUIRE(device.Start().ok());
  REQUIRE(WriteTags(cluster, 0, 5) == 5);
  // A rollback-journal commit writes the journal, syncs it, writes the
  // database and syncs it: its second I/O is inside the transaction.
  device.Crash(sim::CrashSettings{.power_loss = false, .at_io = 2});
  REQUIRE(device.is_on());  // armed, not struck yet
  CHECK(WriteTags(cluster, 5, 3) == 0);
  CHECK_FALSE(device.is_on());
  CHECK(device.crashes_at_io() == 1);
  CHECK(device.storage().integrity_failures().empty());
  CHECK(Tags(cluster) == 5);
  REQUIRE(device.TurnOn().ok());
  CHECK(Tags(cluster) == 5);
  CHECK(WriteTags(cluster, 5, 3) == 3);
  CHECK(Tags(cluster) == 8);
}

TEST_CASE("device storage: a crash armed but not reached strikes at the restart", "[storage]") {
  sim::Cluster cluster(OneDevice(4, {.journal = sim::JournalMode::kWal}));
  sim::SimDevice& device = cluster.device("alice");
  REQUIRE(device.Start().ok());
  device.Crash(sim::CrashSettings{.power_loss = true, .at_io = 1'000});
  REQUIRE(device.is_on());
  REQUIRE(device.TurnOn().ok());  // strikes, then starts
  CHECK(device.is_on());
  CHECK(device.storage().integrity_checks() == 1);
  CHECK(device.crashes_at_io() == 0);
}

TEST_CASE("device storage: a crash without power loss armed but not reached leaves no power cut armed for the restart",
          "[storage]") {
  // Found by the late_joiner_three_devices swarm sweep (seed 147): the
  // armed countdown survived the crash that replaced it and struck inside
  // the restart, which must always succeed.
  sim::Cluster cluster(OneDevice(7, {.journal = sim::JournalMode::kRollback}, {.io_error_probability = 0.5}));
  sim::SimDevice& device = cluster.device("alice");
  REQUIRE(device.Start().ok());
  device.Crash(sim::CrashSettings{.power_loss = false, .at_io = 1});
  REQUIRE(device.is_on());
  REQUIRE(device.TurnOn().ok());  // strikes (a plain crash), then starts with faults disarmed
  CHECK(device.is_on());
  CHECK(device.crashes_at_io() == 0);
  CHECK_FALSE(device.storage().vfs()->power_is_cut());
}

TEST_CASE("device storage: an I/O error stops the device, which restarts by itself and keeps what committed",
          "[storage]") {
  sim::Cluster cluster(OneDevice(5, {.journal = sim::JournalMode::kWal}, {.io_error_probability = 0.2}));
  sim::SimDevice& device = cluster.device("alice");
  REQUIRE(device.Start().ok());
  int written = 0;
  for (int round = 0; round < 40; ++round) {
    written += WriteTags(cluster, written, 1);
    // Runs the restart timer of a device a storage error stopped.
    cluster.scheduler().RunWhile([&] { return !device.is_on(); }, cluster.scheduler().now_us() + 1'000'000);
    REQUIRE(device.is_on());
  }
  CHECK(device.storage_errors() > 0);
  CHECK(device.storage().integrity_failures().empty());
  CHECK(Tags(cluster) == written);
}

TEST_CASE("device storage: the oracle is told of a shared write only when its transaction committed", "[storage]") {
  sim::Cluster cluster(OneDevice(6, {.journal = sim::JournalMode::kWal}));
  sim::SimDevice& device = cluster.device("alice");
  REQUIRE(device.Start().ok());
  REQUIRE(WriteTags(cluster, 0, 2) == 2);
  REQUIRE(OracleTags(cluster) == 2);
  device.Crash(sim::CrashSettings{.power_loss = false, .at_io = 1});
  CHECK(WriteTags(cluster, 2, 1) == 0);
  CHECK(OracleTags(cluster) == 2);
  REQUIRE(device.TurnOn().ok());
  CHECK(WriteTags(cluster, 2, 1) == 1);
  CHECK(OracleTags(cluster) == 3);
}

}  // namespace
}  // namespace syncsim
