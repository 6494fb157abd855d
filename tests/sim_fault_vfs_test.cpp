// FaultVfs (sim/storage/fault_vfs.h) under SQLite and through its raw io
// methods: writes wait for a sync before they are durable, a power loss
// keeps, drops or tears (sector by sector) each pending write from the
// seed, injected errors fail writes without changing anything, an armed
// power cut strikes at the N-th write or sync, and short reads are
// zero-filled. Each case would fail against a disk that wrote straight
// through, or synced nothing.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
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

bool IsIoError(int code) { return (code & 0xff) == SQLITE_IOERR; }

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

void CreateTable(sqlite3* db) {
  REQUIRE(Execute(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)") == SQLITE_OK);
}

// A file opened through the VFS's own xOpen, for calling its io methods
// directly; closed when it goes out of scope.
class RawFile {
 public:
  RawFile(sim::FaultVfs& vfs, const char* name, int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                                              SQLITE_OPEN_MAIN_DB)
      : vfs_(sqlite3_vfs_find(vfs.Name())) {
    REQUIRE(vfs_ != nullptr);
    storage_.resize(static_cast<size_t>(vfs_->szOsFile));
    int out_flags = 0;
    open_result_ = vfs_->xOpen(vfs_, name, file(), flags, &out_flags);
    if (open_result_ == SQLITE_OK) CHECK(out_flags == flags);
  }
  ~RawFile() {
    if (file()->pMethods != nullptr) file()->pMethods->xClose(file());
  }
  RawFile(const RawFile&) = delete;
  RawFile& operator=(const RawFile&) = delete;

  int open_result() const { return open_result_; }
  sqlite3_file* file() { return reinterpret_cast<sqlite3_file*>(storage_.data()); }
  int Write(const std::vector<uint8_t>& bytes, int64_t offset) {
    return file()->pMethods->xWrite(file(), bytes.data(), static_cast<int>(bytes.size()), offset);
  }
  int Truncate(int64_t size) { return file()->pMethods->xTruncate(file(), size); }
  int Sync() { return file()->pMethods->xSync(file(), SQLITE_SYNC_NORMAL); }
  int Close() { return file()->pMethods->xClose(file()); }

 private:
  sqlite3_vfs* vfs_;
  // Aligned for sqlite3_file: a vector's buffer comes from operator new.
  std::vector<uint64_t> storage_;
  int open_result_ = SQLITE_ERROR;
};

TEST_CASE("fault vfs: committed rows survive close and reopen, and unsynced writes are only pending", "[storage]") {
  for (const char* journal : {"WAL", "DELETE"}) {
    sim::FaultVfs vfs(sim::Random(1), {});
    sqlite3* db = OpenDatabase(vfs, journal, "FULL");
    CreateTable(db);
    InsertRows(db, 0, 5);
    CHECK(vfs.PendingOperations("device.db") == 0);
    CHECK(vfs.DurableBytes("device.db") == vfs.VisibleBytes("device.db"));
    REQUIRE(Execute(db, "PRAGMA synchronous = OFF") == SQLITE_OK);
    InsertRows(db, 5, 5);
    const std::string written = std::string(journal) == "WAL" ? "device.db-wal" : "device.db";
    CHECK(vfs.PendingOperations(written) > 0);
    CHECK(vfs.DurableBytes(written) != vfs.VisibleBytes(written));
    REQUIRE(Execute(db, "PRAGMA synchronous = FULL") == SQLITE_OK);
    InsertRows(db, 10, 5);
    REQUIRE(sqlite3_close(db) == SQLITE_OK);
    CHECK(vfs.counters().writes > 0);
    CHECK(vfs.counters().syncs > 0);

    db = OpenDatabase(vfs, journal, "FULL");
    CHECK(IntegrityCheck(db) == "ok");
    CHECK(Count(db, "SELECT count(*) FROM t") == 15);
    CHECK(Count(db, "SELECT count(*) FROM t WHERE length(data) = 300") == 15);
    REQUIRE(sqlite3_close(db) == SQLITE_OK);
  }
}

TEST_CASE("fault vfs: after a power loss with synchronous full every committed row is there, in WAL and rollback mode",
          "[storage]") {
  sim::PowerLossOutcome total;
  for (const char* journal : {"WAL", "DELETE"}) {
    for (uint64_t seed = 1; seed <= 100; ++seed) {
      sim::FaultVfs vfs(sim::Random(seed), {});
      sqlite3* db = OpenDatabase(vfs, journal, "FULL");
      CreateTable(db);
      InsertRows(db, 0, 20);
      // A transaction big enough to spill pages before its commit, cut off.
      REQUIRE(Execute(db, "PRAGMA cache_size = 2; BEGIN") == SQLITE_OK);
      InsertRows(db, 100, 40);
      vfs.CutPower();
      CHECK(IsIoError(Execute(db, "INSERT INTO t VALUES (1000, 'x'); COMMIT")));
      sqlite3_close(db);  // its rollback and checkpoint fail: the device is dead
      const sim::PowerLossOutcome outcome = vfs.PowerLoss();
      CHECK_FALSE(vfs.power_is_cut());
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
  for (const char* journal : {"WAL", "DELETE"}) {
    bool lost = false;
    for (uint64_t seed = 1; seed <= 40 && !lost; ++seed) {
      sim::FaultVfs vfs(sim::Random(seed), {});
      sqlite3* db = OpenDatabase(vfs, journal, "OFF");
      CreateTable(db);
      InsertRows(db, 0, 20);
      vfs.CutPower();
      sqlite3_close(db);
      vfs.PowerLoss();
      db = OpenDatabase(vfs, journal, "OFF");
      lost = IntegrityCheck(db) != "ok" || Count(db, "SELECT count(*) FROM t") != 20;
      sqlite3_close(db);
    }
    CHECK(lost);
  }
}

TEST_CASE("fault vfs: the same seed and history give the same disk after a power loss", "[storage]") {
  auto durable_after_loss = [](uint64_t seed, const std::string& file) {
    sim::FaultVfs vfs(sim::Random(seed), {});
    sqlite3* db = OpenDatabase(vfs, "WAL", "OFF");
    CreateTable(db);
    InsertRows(db, 0, 10);
    vfs.CutPower();
    sqlite3_close(db);
    vfs.PowerLoss();
    return vfs.DurableBytes(file);
  };
  for (const char* file : {"device.db", "device.db-wal"}) {
    CHECK(durable_after_loss(7, file) == durable_after_loss(7, file));
  }
  bool differs = false;
  for (uint64_t seed = 8; seed < 28 && !differs; ++seed) {
    differs = durable_after_loss(seed, "device.db-wal") != durable_after_loss(7, "device.db-wal");
  }
  CHECK(differs);
}

TEST_CASE("fault vfs: injected errors fail a write while armed and change nothing", "[storage]") {
  sim::FaultVfs failing(sim::Random(2), {.io_error_probability = 1.0});
  sqlite3* db = OpenDatabase(failing, "WAL", "FULL");
  CreateTable(db);  // disarmed: nothing fails
  InsertRows(db, 0, 3);
  const std::vector<uint8_t> wal_before = failing.VisibleBytes("device.db-wal");
  const std::vector<uint8_t> database_before = failing.VisibleBytes("device.db");
  failing.SetFaultsArmed(true);
  CHECK(IsIoError(Execute(db, "INSERT INTO t VALUES (10, 'x')")));
  failing.SetFaultsArmed(false);
  CHECK(failing.counters().io_errors > 0);
  CHECK(failing.counters().disk_full == 0);
  CHECK(failing.VisibleBytes("device.db-wal") == wal_before);
  CHECK(failing.VisibleBytes("device.db") == database_before);
  CHECK(Count(db, "SELECT count(*) FROM t") == 3);
  CHECK(IntegrityCheck(db) == "ok");
  CHECK(Execute(db, "INSERT INTO t VALUES (11, 'x')") == SQLITE_OK);
  CHECK(Count(db, "SELECT count(*) FROM t") == 4);
  sqlite3_close(db);

  sim::FaultVfs full(sim::Random(3), {.disk_full_probability = 1.0});
  db = OpenDatabase(full, "DELETE", "FULL");
  CreateTable(db);
  const std::vector<uint8_t> full_before = full.VisibleBytes("device.db");
  full.SetFaultsArmed(true);
  CHECK(Execute(db, "INSERT INTO t VALUES (10, 'x')") == SQLITE_FULL);
  full.SetFaultsArmed(false);
  CHECK(full.counters().disk_full > 0);
  CHECK(full.counters().io_errors == 0);
  CHECK(full.VisibleBytes("device.db") == full_before);
  CHECK(Count(db, "SELECT count(*) FROM t") == 0);
  CHECK(IntegrityCheck(db) == "ok");
  CHECK(Execute(db, "INSERT INTO t VALUES (11, 'x')") == SQLITE_OK);
  sqlite3_close(db);
}

TEST_CASE("fault vfs: an injected sync failure loses the writes it was to make durable", "[storage]") {
  sim::FaultVfs vfs(sim::Random(6), {.io_error_probability = 1.0});
  RawFile raw(vfs, "raw.bin");
  REQUIRE(raw.open_result() == SQLITE_OK);
  REQUIRE(raw.Write({1, 2, 3, 4}, 0) == SQLITE_OK);
  REQUIRE(raw.Sync() == SQLITE_OK);
  REQUIRE(raw.Write({9, 9}, 4) == SQLITE_OK);
  vfs.SetFaultsArmed(true);
  CHECK(raw.Write({7}, 0) == SQLITE_IOERR_WRITE);
  CHECK(raw.Truncate(0) == SQLITE_IOERR_TRUNCATE);
  CHECK(vfs.VisibleBytes("raw.bin") == std::vector<uint8_t>{1, 2, 3, 4, 9, 9});
  CHECK(vfs.PendingOperations("raw.bin") == 1);
  // Linux drops the dirty pages of a failed fsync: what reads see falls
  // back to the disk, so a commit reported failed is never found later.
  CHECK(raw.Sync() == SQLITE_IOERR_FSYNC);
  CHECK(vfs.VisibleBytes("raw.bin") == std::vector<uint8_t>{1, 2, 3, 4});
  CHECK(vfs.PendingOperations("raw.bin") == 0);
  CHECK(vfs.counters().io_errors == 3);
}

TEST_CASE("fault vfs: an armed power cut strikes once, at the N-th armed write, truncate or sync", "[storage]") {
  sim::FaultVfs vfs(sim::Random(4), {});
  RawFile raw(vfs, "raw.bin");
  REQUIRE(raw.open_result() == SQLITE_OK);
  REQUIRE(raw.Write({1, 1}, 0) == SQLITE_OK);  // disarmed: does not count
  int cuts = 0;
  size_t pending_at_cut = 0;
  vfs.ArmPowerLossAt(3, [&] {
    ++cuts;
    pending_at_cut = vfs.PendingOperations("raw.bin");
  });
  vfs.SetFaultsArmed(true);
  CHECK(raw.Write({2, 2}, 2) == SQLITE_OK);
  CHECK(raw.Truncate(3) == SQLITE_OK);
  CHECK_FALSE(vfs.power_is_cut());
  CHECK(IsIoError(raw.Write({3, 3}, 3)));  // the third armed operation
  CHECK(cuts == 1);
  CHECK(vfs.power_is_cut());
  // The interrupted write was recorded before the callback ran: it may
  // have reached the disk.
  CHECK(pending_at_cut == 4);
  CHECK(vfs.VisibleBytes("raw.bin") == std::vector<uint8_t>{1, 1, 2, 3, 3});
  CHECK(IsIoError(raw.Sync()));
  vfs.SetFaultsArmed(false);  // a dead device writes nothing, armed or not
  CHECK(IsIoError(raw.Write({4}, 0)));
  CHECK(IsIoError(raw.Truncate(0)));
  CHECK(IsIoError(raw.Sync()));
  CHECK(vfs.PendingOperations("raw.bin") == 4);
  CHECK(cuts == 1);
  CHECK(vfs.counters().syncs == 0);
}

TEST_CASE("fault vfs: an armed power cut under SQLite fails the transaction, which a power loss rolls back",
          "[storage]") {
  for (const char* journal : {"WAL", "DELETE"}) {
    sim::FaultVfs vfs(sim::Random(4), {});
    sqlite3* db = OpenDatabase(vfs, journal, "FULL");
    CreateTable(db);
    InsertRows(db, 0, 3);
    int cuts = 0;
    vfs.SetFaultsArmed(true);
    vfs.ArmPowerLossAt(5, [&] { ++cuts; });
    int failed_at = -1;
    for (int row = 10; row < 30 && failed_at < 0; ++row) {
      const int result = Execute(db, "INSERT INTO t VALUES (" + std::to_string(row) + ", 'x')");
      if (result != SQLITE_OK) {
        CHECK(IsIoError(result));
        failed_at = row;
      }
    }
    CHECK(cuts == 1);
    CHECK(vfs.power_is_cut());
    REQUIRE(failed_at >= 10);
    CHECK(IsIoError(Execute(db, "INSERT INTO t VALUES (100, 'x')")));  // dead, armed or not
    sqlite3_close(db);
    vfs.PowerLoss();
    CHECK_FALSE(vfs.power_is_cut());
    vfs.SetFaultsArmed(false);
    db = OpenDatabase(vfs, journal, "FULL");
    CHECK(IntegrityCheck(db) == "ok");
    // Synchronous full: every row committed before the cut is there, and
    // the row the cut struck in is not.
    CHECK(Count(db, "SELECT count(*) FROM t") == 3 + (failed_at - 10));
    CHECK(Count(db, "SELECT count(*) FROM t WHERE id = " + std::to_string(failed_at)) == 0);
    CHECK(cuts == 1);
    sqlite3_close(db);
  }
}

TEST_CASE("fault vfs: a torn write leaves each sector old, new or garbage, never a mix of old and new",
          "[storage]") {
  constexpr int64_t kSector = 512;
  // Old content: two sectors of 'o'; the write covers the second half of
  // sector 0, sector 1, and grows the file over sectors 2 and 3.
  const std::vector<uint8_t> old_bytes(2 * kSector, 'o');
  const int64_t offset = kSector / 2;
  const std::vector<uint8_t> new_bytes(static_cast<size_t>(3 * kSector + kSector / 2), 'n');
  uint64_t old_sectors = 0, new_sectors = 0, garbage_sectors = 0, torn = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    sim::FaultVfs vfs(sim::Random(seed), {});
    {
      RawFile raw(vfs, "raw.bin");
      REQUIRE(raw.open_result() == SQLITE_OK);
      REQUIRE(raw.Write(old_bytes, 0) == SQLITE_OK);
      REQUIRE(raw.Sync() == SQLITE_OK);
      REQUIRE(raw.Write(new_bytes, offset) == SQLITE_OK);
      vfs.CutPower();
    }
    const sim::PowerLossOutcome outcome = vfs.PowerLoss();
    REQUIRE(outcome.kept + outcome.dropped + outcome.torn == 1);
    const std::vector<uint8_t> disk = vfs.DurableBytes("raw.bin");
    CHECK(vfs.VisibleBytes("raw.bin") == disk);
    CHECK(vfs.PendingOperations("raw.bin") == 0);
    // The bytes before the write are never touched.
    REQUIRE(disk.size() >= static_cast<size_t>(offset));
    CHECK(std::all_of(disk.begin(), disk.begin() + offset, [](uint8_t byte) { return byte == 'o'; }));
    if (outcome.dropped == 1) CHECK(disk == old_bytes);
    if (outcome.kept == 1) CHECK(disk.size() == static_cast<size_t>(offset) + new_bytes.size());
    if (outcome.torn == 0) continue;
    ++torn;
    REQUIRE(disk.size() == static_cast<size_t>(offset) + new_bytes.size());
    for (int64_t sector = 0; sector < 4; ++sector) {
      const auto from = disk.begin() + std::max(sector * kSector, offset);
      const auto to = disk.begin() + (sector + 1) * kSector;
      // What the sector held before the write: 'o', or zeros past the end.
      const uint8_t before = sector < 2 ? 'o' : 0;
      const bool all_old = std::all_of(from, to, [&](uint8_t byte) { return byte == before; });
      const bool all_new = std::all_of(from, to, [](uint8_t byte) { return byte == 'n'; });
      const auto old_or_new = std::count_if(from, to, [&](uint8_t byte) { return byte == before || byte == 'n'; });
      if (all_old) {
        ++old_sectors;
      } else if (all_new) {
        ++new_sectors;
      } else {
        // Garbage: random bytes, of which only a few match by chance.
        CHECK(old_or_new < (to - from) / 4);
        ++garbage_sectors;
      }
    }
  }
  CHECK(torn > 0);
  CHECK(old_sectors > 0);
  CHECK(new_sectors > 0);
  CHECK(garbage_sectors > 0);
}

TEST_CASE("fault vfs: temporary files are never faulted, and delete-on-close files go at close", "[storage]") {
  sim::FaultVfs vfs(sim::Random(8), {.io_error_probability = 1.0});
  vfs.SetFaultsArmed(true);
  vfs.CutPower();
  {
    RawFile temporary(vfs, nullptr, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_TEMP_JOURNAL);
    REQUIRE(temporary.open_result() == SQLITE_OK);
    CHECK(temporary.Write({1, 2, 3}, 0) == SQLITE_OK);
    CHECK(temporary.Sync() == SQLITE_OK);
    CHECK(temporary.Truncate(1) == SQLITE_OK);
  }
  vfs.RestorePower();
  vfs.SetFaultsArmed(false);
  sqlite3_vfs* raw_vfs = sqlite3_vfs_find(vfs.Name());
  {
    RawFile scratch(vfs, "scratch", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_DELETEONCLOSE);
    REQUIRE(scratch.open_result() == SQLITE_OK);
    REQUIRE(scratch.Write({5}, 0) == SQLITE_OK);
    int exists = 0;
    REQUIRE(raw_vfs->xAccess(raw_vfs, "scratch", SQLITE_ACCESS_EXISTS, &exists) == SQLITE_OK);
    CHECK(exists == 1);
    REQUIRE(scratch.Close() == SQLITE_OK);
    REQUIRE(raw_vfs->xAccess(raw_vfs, "scratch", SQLITE_ACCESS_EXISTS, &exists) == SQLITE_OK);
    CHECK(exists == 0);
  }
  // Without SQLITE_OPEN_CREATE, a file that does not exist cannot be opened.
  RawFile missing(vfs, "missing", SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_JOURNAL);
  CHECK(missing.open_result() == SQLITE_CANTOPEN);
  CHECK(vfs.counters().io_errors == 0);
}

TEST_CASE("fault vfs: a short read is zero-filled and says so", "[storage]") {
  sim::FaultVfs vfs(sim::Random(5), {});
  RawFile raw(vfs, "short.bin");
  REQUIRE(raw.open_result() == SQLITE_OK);
  REQUIRE(raw.Write({'a', 'b', 'c', 'd'}, 0) == SQLITE_OK);
  char read[8];
  std::fill(std::begin(read), std::end(read), 'z');
  CHECK(raw.file()->pMethods->xRead(raw.file(), read, 8, 2) == SQLITE_IOERR_SHORT_READ);
  CHECK(read[0] == 'c');
  CHECK(read[1] == 'd');
  for (int index = 2; index < 8; ++index) CHECK(read[index] == 0);
  std::fill(std::begin(read), std::end(read), 'z');
  CHECK(raw.file()->pMethods->xRead(raw.file(), read, 4, 100) == SQLITE_IOERR_SHORT_READ);
  for (int index = 0; index < 4; ++index) CHECK(read[index] == 0);
  CHECK(raw.file()->pMethods->xRead(raw.file(), read, 4, 0) == SQLITE_OK);
  CHECK(std::string(read, 4) == "abcd");
}

}  // namespace
}  // namespace syncsim
