// SqliteDb: a thin RAII wrapper over one SQLite connection with a cache of
// prepared statements. Every SQL statement of the core goes through it, so
// errors are turned into Status in one place and statements are prepared once.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <string_view>
#include <unordered_map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace syncsim::core {

// A prepared statement, reset and cleared before each use. Owned by the
// SqliteDb that prepared it; valid until that SqliteDb is destroyed.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds parameters, 1-based. A JSON value binds as NULL, integer, real or
  // text by its type. REQUIRES: index within the statement's parameter count.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& BindNull(int index);
  Statement& BindJson(int index, const nlohmann::json& value);
  Statement& BindOptional(int index, const std::optional<int64_t>& value);

  // Steps once. Returns true when a row is available, false when done.
  // Throws StorageError when the storage fails under the statement
  // (core/storage_error.h). Aborts on any other SQL error: every statement
  // the core runs is its own SQL over its own schema, so an error there is
  // a bug, not bad input.
  bool Step();
  // Steps until done (for statements that return no rows).
  void Run();

  // Columns in the statement's result rows.
  int ColumnCount() const;
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  double Real(int column) const;
  std::string Text(int column) const;
  // The column as JSON: null, integer, real or string.
  nlohmann::json Json(int column) const;

  // Resets the statement for another use and clears its bindings.
  void Reset();

 private:
  sqlite3_stmt* statement_;
};

class SqliteDb {
 public:
  // Opens (creating if needed) the database at `path` through the SQLite VFS
  // named `vfs` (empty: the default one); ":memory:" gives a private
  // in-memory database. On failure returns a Status naming the path.
  static Status Open(const std::string& path, std::unique_ptr<SqliteDb>* result, const std::string& vfs = "");
  // Opens an existing database that may be hostile (a snapshot copied from
  // elsewhere) for reading only: never created or written, a symbolic link
  // refused (SQLITE_OPEN_NOFOLLOW), SQLITE_DBCONFIG_DEFENSIVE on, and
  // `PRAGMA trusted_schema = OFF`, so that its schema (views, triggers,
  // indexes on expressions) cannot call functions with side effects. Every
  // statement of the connection together may run at most
  // `instructions_max` SQLite virtual machine instructions; past that a
  // statement is interrupted and Step throws StorageError (SQLITE_INTERRUPT),
  // so no crafted file can make a reader hang. On failure returns a Status
  // naming the path.
  static Status OpenReadOnly(const std::string& path, int64_t instructions_max, std::unique_ptr<SqliteDb>* result);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without results. Throws StorageError when
  // the storage fails (core/storage_error.h); aborts on any other error
  // (our SQL).
  void Execute(std::string_view sql);
  // Runs one or more statements, reporting errors as Status (for SQL that
  // reads databases the core did not write, such as snapshots).
  Status TryExecute(std::string_view sql);

  // Returns the cached prepared statement for `sql`, reset and ready for
  // binding. Owned by this object. REQUIRES: `sql` is valid SQL.
  Statement& Prepare(std::string_view sql);

  // Turns off the rollback journal (PRAGMA journal_mode = OFF): every page a
  // transaction writes is no longer copied first, which is most of the cost
  // of a small transaction. Only for a database whose writers never abandon
  // a transaction: from then on a Transaction destroyed without Commit()
  // cannot undo its changes and aborts the program (see ~Transaction). The
  // simulator uses it: its databases outlive every simulated crash (the
  // process does not die), and the core commits every transaction it opens
  // (it validates before it writes; an SQL error is a bug and aborts).
  void DisableRollbackJournal();
  bool has_rollback_journal() const { return rollback_journal_; }

  int64_t LastInsertRowId() const;
  int Changes() const;
  sqlite3* handle() { return handle_; }

  // Scoped transaction: BEGIN on construction, COMMIT on Commit(), ROLLBACK
  // if destroyed without Commit() (an abort instead when the rollback journal
  // is off: nothing could be undone; but for an exception unwinding, whose
  // host must then give the database up). Commit() throws StorageError when the
  // storage refuses the commit; the destructor then rolls back and never
  // throws. Not nestable.
  class Transaction {
   public:
    explicit Transaction(SqliteDb& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void Commit();

   private:
    SqliteDb& db_;
    bool done_ = false;
  };

 private:
  explicit SqliteDb(sqlite3* handle) : handle_(handle) {}
  sqlite3* handle_;
  bool rollback_journal_ = true;
  // OpenReadOnly's budget: virtual machine instructions left, counted by a
  // progress handler every kProgressInstructions.
  int64_t instructions_left_ = 0;
  static constexpr int kProgressInstructions = 10'000;
  // A lookup-only cache (never iterated, so its order cannot leak into
  // behaviour); hashed because the SQL texts share long prefixes, and looked
  // up by string_view so that a call with a literal allocates nothing.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> statements_;
};

}  // namespace syncsim::core
