// StorageError: the device's storage failed under a statement (an I/O
// error, a full disk, a database the disk returned damaged). It is thrown,
// not returned: such a failure can arise under any of the hundreds of
// statements an engine runs, and the only sound answer of an engine is the
// same for all of them: abandon the operation (its Transaction rolls back
// as the exception passes) and let its host rebuild the engine from what
// the database durably holds. Nothing the operation was about to report
// (an ack, a watermark, a message) is sent, because the exception skips
// it. Engines never catch it; hosts catch it at each call into an engine
// (sim/cluster/sim_device.cpp). Every other SQLite error is a bug of our
// own SQL and aborts (core/sqlite_db.h).
#pragma once

#include <stdexcept>
#include <string>

namespace syncsim::core {

class StorageError : public std::runtime_error {
 public:
  // `code` is SQLite's extended result code.
  StorageError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// True for the result codes that mean the storage failed rather than our
// SQL: SQLITE_IOERR (every extended form), SQLITE_FULL, SQLITE_CORRUPT,
// SQLITE_NOTADB, SQLITE_CANTOPEN; and SQLITE_INTERRUPT, which only the
// instruction budget of SqliteDb::OpenReadOnly raises (a hostile file).
bool IsStorageFailure(int code);

}  // namespace syncsim::core
