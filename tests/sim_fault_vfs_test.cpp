// FaultVfs (sim/storage/fault_vfs.h) under SQLite: writes wait for a sync
// before they are durable, a power loss keeps, drops or tears each pending
// write from the seed, injected errors fail writes without changing
// anything, an armed power cut strikes at the N-th write or sync, and short
// reads are zero-filled. Each case would pass against a disk that wrote
// straight through only if the case were wrong.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <string>
#include <vector>

#include "sim/storage/fault_vfs.h"

namespace syncsim {
namespace {

// One connection to "device.db" on `vfs` in exclusive locking mode, with the
// given journal mode and synchronous level.
sqlite3* OpenDatabase(sim::FaultVfs& vfs, const std::string& journal, const std::string& synchronous) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2("device.db", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs.Name()) == SQLITE_OK);
  const std::string pragmas = "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = " + journal +
                              "; PRAGMA synchronous = " + synchronous + ";";
  REQUIRE(sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  return db;
}

int Execute(sqlite3* db, const std::string& sql) { return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr); }

// The first column of the first row, or -1 when the query fails (a
// damaged database).
int64_t Count(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) return -1;
  const int64_t value = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
  sqlite3_finalize(statement);
  return value;
}

std::string IntegrityCheck(sqlite3* db) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr) != SQLITE_OK) return "cannot prepare";
  std::string result = sqlite3_step(statement) == SQLITE_ROW
                           ? std::string(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)))
                           : std::string(sqlite3_errmsg(db));
  sqlite3_finalize(statement);
  return result;
}

// Commits `rows` rows, one transaction each, numbered from `first`.
void InsertRows(sqlite3* db, int first, int rows) {
  for (int row = first; row < first + rows; ++row) {
    REQUIRE(Execute(db, "INSERT INTO t VALUES (" + std::to_string(row) + ", randomblob(300))") == SQLITE_OK);
  }
}

TEST_CASE("fault vfs: a commit synced in full is durable, and unsynced writes are only pending", "[storage]") {
  sim::FaultVfs vfs(sim::Random(1), {});
  sqlite3* db = OpenDatabase(vfs, "DELETE", "FULL");
  REQUIRE(Execute(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)") == SQLITE_OK);
  InsertRows(db, 0, 5);
  CHECK(vfs.PendingOperations("device.db") == 0);
  CHECK(vfs.DurableBytes("device.db") == vfs.VisibleBytes("device.db"));
  REQUIRE(Execute(db, "PRAGMA synchronous = OFF") == SQLITE_OK);
  InsertRows(db, 5, 5);
  CHECK(vfs.PendingOperations("device.db") > 0);
  CHECK(vfs.DurableBytes("device.db") != vfs.VisibleBytes("device.db"));
  sqlite3_close(db);
}

TEST_CASE("fault vfs: after a power loss with synchronous full every committed row is there, in WAL and rollback mode",
          "[storage]") {
  sim::PowerLossOutcome total;
  for (const char* journal : {"WAL", "DELETE"}) {
    for (uint64_t seed = 1; seed <= 40; ++seed) {
      sim::FaultVfs vfs(sim::Random(seed), {});
      sqlite3* db = OpenDatabase(vfs, journal, "FULL");
      REQUIRE(Execute(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)") == SQLITE_OK);
      InsertRows(db, 0, 20);
      // A transaction big enough to spill pages before its commit, cut off.
      REQUIRE(Execute(db, "PRAGMA cache_size = 2; BEGIN") == SQLITE_OK);
      InsertRows(db, 100, 40);
      vfs.CutPower();
      sqlite3_close(db);  // its rollback and checkpoint fail: the device is dead
      const sim::PowerLossOutcome outcome = vfs.PowerLoss();
      total.kept += outcome.kept;
      total.dropped += outcome.dropped;
      total.torn += outcome.torn;
      db = OpenDatabase(vfs, journal, "FULL");
      CHECK(IntegrityCheck(db) == "ok");
      CHECK(Count(db, "SELECT count(*) FROM t WHERE id < 100") == 20);
      CHECK(Count(db, "SELECT count(*) FROM t WHERE id >= 100") == 0);
      sqlite3_close(db);
    }
  }
  CHECK(total.kept > 0);
  CHECK(total.dropped > 0);
  CHECK(total.torn > 0);
}

TEST_CASE("fault vfs: with synchronous off a power loss takes back committed rows on some seed", "[storage]") {
  bool lost = false;
  for (uint64_t seed = 1; seed <= 40 && !lost; ++seed) {
    sim::FaultVfs vfs(sim::Random(seed), {});
    sqlite3* db = OpenDatabase(vfs, "WAL", "OFF");
    REQUIRE(Execute(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)") == SQLITE_OK);
    InsertRows(db, 0, 20);
    vfs.CutPower();
    sqlite3_close(db);
    vfs.PowerLoss();
    db = OpenDatabase(vfs, "WAL", "OFF");
    lost = IntegrityCheck(db) != "ok" || Count(db, "SELECT count(*) FROM t") != 20;
    sqlite3_close(db);
  }
  CHECK(lost);
}

TEST_CASE("fault vfs: the same seed and history give the same disk after a power loss", "[storage]") {
  auto durable_after_loss = [](uint64_t seed) {
    sim::FaultVfs vfs(sim::Random(seed), {});
    sqlite3* db = OpenDatabase(vfs, "WAL", "OFF");
    REQUIRE(Execute(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)") == SQLITE_OK);
    InsertRows(db, 0, 10);
    vfs.CutPower();
    sqlite3_close(db);
    vfs.PowerLoss();
    return vfs.DurableBytes("device.db-wal");
  };
  CHECK(durable_after_loss(7) == durable_after_loss(7));
  bool differs = false;
  for (uint64_t seed = 8; seed < 28 && !differs; ++seed) differs = durable_after_loss(seed) != durable_after_loss(7);
  CHECK(differs);
}

TEST_CASE("fault vfs: injected errors fail a write while armed and change nothing", "[storage]") {
  sim::FaultVfs failing(sim::Random(2), {.io_error_probability = 1.0});
  sqlite3* db = OpenDatabase(failing, "WAL", "FULL");
  REQUIRE(Execute(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)") == SQLITE_OK);  // disarmed
  InsertRows(db, 0, 3);
  failing.SetFaultsArmed(true);
  CHECK((Execute(db, "INSERT INTO t VALUES (10, 'x')") & 0xff) == SQLITE_IOERR);
  failing.SetFaultsArmed(false);
  CHECK(failing.counters().io_errors > 0);
  CHECK(Count(db, "SELECT count(*) FROM t") == 3);
  CHECK(IntegrityCheck(db) == "ok");
  sqlite3_close(db);

  sim::FaultVfs full(sim::Random(3), {.disk_full_probability = 1.0});
  db = OpenDatabase(full, "DELETE", "FULL");
  REQUIRE(Execute(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)") == SQLITE_OK);
  full.SetFaultsArmed(true);
  CHECK(Execute(db, "INSERT INTO t VALUES (10, 'x')") == SQLITE_FULL);
  full.SetFaultsArmed(false);
  CHECK(Count(db, "SELECT count(*) FROM t") == 0);
  CHECK(IntegrityCheck(db) == "ok");
  sqlite3_close(db);
}

TEST_CASE("fault vfs: an armed power cut strikes once, at the N-th armed write or sync", "[storage]") {
  sim::FaultVfs vfs(sim::Random(4), {});
  sqlite3* db = OpenDatabase(vfs, "WAL", "FULL");
  REQUIRE(Execute(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)") == SQLITE_OK);
  int cuts = 0;
  vfs.SetFaultsArmed(true);
  // A WAL commit of one small row writes a frame or two and syncs once.
  vfs.ArmPowerLossAt(5, [&] { ++cuts; });
  const uint64_t writes_before = vfs.counters().writes + vfs.counters().syncs;
  int failed_at = -1;
  for (int row = 0; row < 10 && failed_at < 0; ++row) {
    if (Execute(db, "INSERT INTO t VALUES (" + std::to_string(row) + ", 'x')") != SQLITE_OK) failed_at = row;
  }
  CHECK(cuts == 1);
  CHECK(vfs.power_is_cut());
  CHECK(failed_at >= 0);
  CHECK(vfs.counters().writes + vfs.counters().syncs - writes_before == 4);
  CHECK(Execute(db, "INSERT INTO t VALUES (100, 'x')") != SQLITE_OK);  // dead, armed or not
  sqlite3_close(db);
  vfs.PowerLoss();
  CHECK_FALSE(vfs.power_is_cut());
  db = OpenDatabase(vfs, "WAL", "FULL");
  CHECK(IntegrityCheck(db) == "ok");
  CHECK(Count(db, "SELECT count(*) FROM t") == failed_at);
  CHECK(cuts == 1);
  sqlite3_close(db);
}

TEST_CASE("fault vfs: a short read is zero-filled and says so", "[storage]") {
  sim::FaultVfs vfs(sim::Random(5), {});
  sqlite3_vfs* handle = sqlite3_vfs_find(vfs.Name());
  REQUIRE(handle != nullptr);
  std::vector<char> storage(static_cast<size_t>(handle->szOsFile));
  auto* file = reinterpret_cast<sqlite3_file*>(storage.data());
  int flags = 0;
  REQUIRE(handle->xOpen(handle, "short.bin", file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB,
                        &flags) == SQLITE_OK);
  const char written[4] = {'a', 'b', 'c', 'd'};
  REQUIRE(file->pMethods->xWrite(file, written, 4, 0) == SQLITE_OK);
  char read[8];
  std::fill(std::begin(read), std::end(read), 'z');
  CHECK(file->pMethods->xRead(file, read, 8, 2) == SQLITE_IOERR_SHORT_READ);
  CHECK(read[0] == 'c');
  CHECK(read[1] == 'd');
  for (int index = 2; index < 8; ++index) CHECK(read[index] == 0);
  REQUIRE(file->pMethods->xClose(file) == SQLITE_OK);
}

}  // namespace
}  // namespace syncsim
