#include "core/sqlite_db.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "core/storage_error.h"

namespace syncsim::core {

bool IsStorageFailure(int code) {
  switch (code & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_INTERRUPT:  // only a read-only connection's budget interrupts
      return true;
    default:
      return false;
  }
}

namespace {

[[noreturn]] void FailSql(sqlite3* handle, std::string_view what) {
  std::fprintf(stderr, "syncsim: SQLite error in %.*s: %s\n", static_cast<int>(what.size()), what.data(),
               handle != nullptr ? sqlite3_errmsg(handle) : "(no handle)");
  std::abort();
}

// A failed statement: the storage's failure is thrown for the engine's host
// (core/storage_error.h); any other error is a bug of our SQL.
[[noreturn]] void FailStatement(sqlite3* handle, int code, std::string_view what) {
  if (IsStorageFailure(code)) {
    throw StorageError(code, std::string(sqlite3_errstr(code)) + " in: " + std::string(what.substr(0, 200)));
  }
  FailSql(handle, what);
}

}  // namespace

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement& Statement::Bind(int index, int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) FailSql(sqlite3_db_handle(statement_), "bind");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  if (sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK) {
    FailSql(sqlite3_db_handle(statement_), "bind");
  }
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (sqlite3_bind_null(statement_, index) != SQLITE_OK) FailSql(sqlite3_db_handle(statement_), "bind");
  return *this;
}

Statement& Statement::BindJson(int index, const nlohmann::json& value) {
  if (value.is_null()) return BindNull(index);
  if (value.is_boolean()) return Bind(index, static_cast<int64_t>(value.get<bool>() ? 1 : 0));
  if (value.is_number_integer()) return Bind(index, value.get<int64_t>());
  if (value.is_number_float()) {
    if (sqlite3_bind_double(statement_, index, value.get<double>()) != SQLITE_OK) {
      FailSql(sqlite3_db_handle(statement_), "bind");
    }
    return *this;
  }
  if (value.is_string()) return Bind(index, value.get_ref<const std::string&>());
  return Bind(index, value.dump());
}

Statement& Statement::BindOptional(int index, const std::optional<int64_t>& value) {
  return value.has_value() ? Bind(index, *value) : BindNull(index);
}

bool Statement::Step() {
  int result = sqlite3_step(statement_);
  if (result == SQLITE_ROW) return true;
  if (result == SQLITE_DONE) return false;
  FailStatement(sqlite3_db_handle(statement_), sqlite3_extended_errcode(sqlite3_db_handle(statement_)),
                sqlite3_sql(statement_));
}

void Statement::Run() {
  while (Step()) {
  }
}

int Statement::ColumnCount() const { return sqlite3_column_count(statement_); }

bool Statement::IsNull(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
int64_t Statement::Int(int column) const { return sqlite3_column_int64(statement_, column); }
double Statement::Real(int column) const { return sqlite3_column_double(statement_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

nlohmann::json Statement::Json(int column) const {
  switch (sqlite3_column_type(statement_, column)) {
    case SQLITE_NULL:
      return nullptr;
    case SQLITE_INTEGER:
      return Int(column);
    case SQLITE_FLOAT:
      return Real(column);
    default:
      return Text(column);
  }
}

void Statement::Reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

Status SqliteDb::Open(const std::string& path, std::unique_ptr<SqliteDb>* result, const std::string& vfs) {
  sqlite3* handle = nullptr;
  int code = sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                             vfs.empty() ? nullptr : vfs.c_str());
  if (code != SQLITE_OK) {
    std::string message = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(code);
    sqlite3_close(handle);
    return Status::IoError(path + ": cannot open database: " + message);
  }
  result->reset(new SqliteDb(handle));
  return Status::Ok();
}

Status SqliteDb::OpenReadOnly(const std::string& path, int64_t instructions_max, std::unique_ptr<SqliteDb>* result) {
  sqlite3* handle = nullptr;
  int code = sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, nullptr);
  if (code == SQLITE_OK) code = sqlite3_db_config(handle, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  if (code == SQLITE_OK) code = sqlite3_exec(handle, "PRAGMA trusted_schema = OFF", nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) {
    std::string message = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(code);
    sqlite3_close(handle);
    return Status::IoError(path + ": cannot open database: " + message);
  }
  std::unique_ptr<SqliteDb> database(new SqliteDb(handle));
  database->instructions_left_ = instructions_max;
  sqlite3_progress_handler(
      handle, kProgressInstructions,
      [](void* context) {
        int64_t& left = static_cast<SqliteDb*>(context)->instructions_left_;
        left -= kProgressInstructions;
        return left < 0 ? 1 : 0;
      },
      database.get());
  *result = std::move(database);
  return Status::Ok();
}

SqliteDb::~SqliteDb() {
  statements_.clear();
  sqlite3_close(handle_);
}

void SqliteDb::Execute(std::string_view sql) {
  const std::string owned(sql);
  if (sqlite3_exec(handle_, owned.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    FailStatement(handle_, sqlite3_extended_errcode(handle_), owned);
  }
}

Status SqliteDb::TryExecute(std::string_view sql) {
  char* error = nullptr;
  std::string owned(sql);
  if (sqlite3_exec(handle_, owned.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    return Status::Corruption(message + " in: " + owned.substr(0, 200));
  }
  return Status::Ok();
}

Statement& SqliteDb::Prepare(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    sqlite3_stmt* statement = nullptr;
    const std::string text(sql);
    if (sqlite3_prepare_v2(handle_, text.c_str(), static_cast<int>(text.size()), &statement, nullptr) != SQLITE_OK) {
      FailSql(handle_, text);
    }
    found = statements_.emplace(text, std::make_unique<Statement>(statement)).first;
  }
  found->second->Reset();
  return *found->second;
}

void SqliteDb::DisableRollbackJournal() {
  Execute("PRAGMA journal_mode = OFF");
  rollback_journal_ = false;
}

int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(handle_); }
int SqliteDb::Changes() const { return sqlite3_changes(handle_); }

// BEGIN, COMMIT and ROLLBACK go through the statement cache: the core runs
// a transaction per local write and per batch, and sqlite3_exec would parse
// them every time.
SqliteDb::Transaction::Transaction(SqliteDb& db) : db_(db) { db_.Prepare("BEGIN").Run(); }

SqliteDb::Transaction::~Transaction() {
  if (done_) return;
  // SQLite may have rolled the transaction back itself (it does after some
  // I/O errors and a full disk): then there is nothing left to undo.
  if (sqlite3_get_autocommit(db_.handle_) != 0) return;
  if (!db_.rollback_journal_) {
    // Without a journal the transaction's writes stay. When the storage
    // failed under it (a StorageError unwinding: the host's disk is full),
    // the host ends the run and never reads this database again; any other
    // abandoned transaction is a bug: stop rather than go on with half of
    // its writes.
    if (std::uncaught_exceptions() > 0) return;
    std::fprintf(stderr, "syncsim: a transaction was abandoned on a database without a rollback journal\n");
    std::abort();
  }
  // Runs while a StorageError unwinds, so it must not throw: a rollback the
  // storage refuses leaves the journal for the recovery of the next open,
  // and the host reopens the database after any StorageError.
  sqlite3_exec(db_.handle_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteDb::Transaction::Commit() {
  db_.Prepare("COMMIT").Run();
  done_ = true;
}

}  // namespace syncsim::core
