#include "sim/snapshot/snapshot_reader.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/library_db.h"
#include "core/model_registry.h"
#include "sim/base/assert.h"
#include "sim/snapshot/atomic_file.h"

namespace fs = std::filesystem;

namespace syncsim::sim {
namespace {

// The SQLite instructions all reads of one snapshot database may take
// together: far more than a report of a million-file library needs, and a
// bound on what a crafted file can make a reader do (about a minute).
constexpr int64_t kSnapshotInstructionsMax = 20'000'000'000;

// Rows of a one-column text query, through the raw API so that a damaged
// file yields an error message instead of an assertion.
core::Status QueryTexts(sqlite3* handle, const std::string& sql, std::vector<std::string>* texts) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    std::string message = sqlite3_errmsg(handle);
    sqlite3_finalize(statement);
    return core::Status::Corruption(message);
  }
  int code = SQLITE_ROW;
  while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(statement, 0);
    texts->push_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
  }
  std::string message = sqlite3_errmsg(handle);
  sqlite3_finalize(statement);
  if (code != SQLITE_DONE) return core::Status::Corruption(message);
  return core::Status::Ok();
}

// Table -> columns of the library schema, read once from a fresh in-memory
// library database so that it always matches what the core creates.
const std::map<std::string, std::set<std::string>>& ExpectedSchema() {
  static const std::map<std::string, std::set<std::string>> schema = [] {
    std::map<std::string, std::set<std::string>> tables;
    std::unique_ptr<core::LibraryDb> library;
    core::Status status = core::LibraryDb::Open(":memory:", core::ModelRegistry::Default(), &library);
    SYNCSIM_ASSERT(status.ok());
    std::vector<std::string> names;
    status = QueryTexts(library->sql().handle(),
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                        &names);
    SYNCSIM_ASSERT(status.ok());
    for (const std::string& name : names) {
      std::vector<std::string> columns;
      status = QueryTexts(library->sql().handle(), fmt::format("SELECT name FROM pragma_table_info('{}')", name), &columns);
      SYNCSIM_ASSERT(status.ok());
      tables[name] = std::set<std::string>(columns.begin(), columns.end());
    }
    return tables;
  }();
  return schema;
}

core::Status ReadJsonFile(const fs::path& path, nlohmann::json* document) {
  std::string text;
  core::Status status = ReadWholeFile(path.string(), &text);
  if (!status.ok()) return status;
  *document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document->is_discarded()) return core::Status::Corruption(path.string() + ": not valid JSON");
  return core::Status::Ok();
}

}  // namespace

core::Status OpenSnapshotDatabase(const fs::path& path, std::unique_ptr<core::SqliteDb>* database) {
  std::error_code error;
  if (fs::is_symlink(path, error)) return core::Status::Corruption(path.string() + ": a symbolic link, not a database");
  if (!fs::is_regular_file(path, error)) return core::Status::NotFound(path.string() + ": no such database file");
  // A snapshot may come from elsewhere: read-only, its schema untrusted,
  // its work bounded (core/sqlite_db.h).
  std::unique_ptr<core::SqliteDb> opened;
  core::Status status = core::SqliteDb::OpenReadOnly(path.string(), kSnapshotInstructionsMax, &opened);
  if (!status.ok()) return core::Status::Corruption(status.message());
  sqlite3* handle = opened->handle();
  // integrity_check, not quick_check: only it compares indexes with their
  // tables, and a flipped index byte would otherwise read as "no difference".
  std::vector<std::string> check;
  status = QueryTexts(handle, "PRAGMA integrity_check", &check);
  if (status.ok() && (check.size() != 1 || check[0] != "ok")) {
    status = core::Status::Corruption(check.empty() ? std::string("integrity check failed") : check[0]);
  }
  for (const auto& [table, columns] : ExpectedSchema()) {
    if (!status.ok()) break;
    // A view (or a virtual table) under a library table's name would run
    // its own SQL whenever the table is read.
    std::vector<std::string> kind;
    status = QueryTexts(handle,
                        fmt::format("SELECT CASE WHEN type <> 'table' THEN type WHEN sql LIKE 'CREATE VIRTUAL%' "
                                    "THEN 'virtual table' ELSE 'table' END FROM sqlite_schema WHERE name = '{}'",
                                    table),
                        &kind);
    if (!status.ok()) break;
    if (!kind.empty() && kind[0] != "table") {
      status = core::Status::Corruption(fmt::format("not a library database: {} is a {}, not a table", table, kind[0]));
      break;
    }
    std::vector<std::string> present;
    status = QueryTexts(handle, fmt::format("SELECT name FROM pragma_table_info('{}')", table), &present);
    if (!status.ok()) break;
    if (present.empty()) {
      status = core::Status::Corruption(fmt::format("not a library database: table {} is missing", table));
      break;
    }
    for (const std::string& column : columns) {
      if (std::find(present.begin(), present.end(), column) == present.end()) {
        status = core::Status::Corruption(fmt::format("not a library database: column {}.{} is missing", table, column));
        break;
      }
    }
  }
  if (!status.ok()) return core::Status::Corruption(path.string() + ": " + status.message());
  *database = std::move(opened);
  return core::Status::Ok();
}

bool IsPhaseFolder(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return false;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    const fs::path name = entry.path().filename();
    if (name.extension() == ".db" || name == "summary.json" || name == "live_state.json") return true;
  }
  return false;
}

core::Status LoadPhase(const fs::path& phase_dir, std::unique_ptr<LoadedPhase>* result) {
  std::error_code error;
  // report writes summaries into the phase folder: a link would send them
  // elsewhere.
  if (fs::is_symlink(phase_dir, error)) {
    return core::Status::Corruption(phase_dir.string() + ": a symbolic link, not a phase folder");
  }
  if (!fs::is_directory(phase_dir, error)) return core::Status::NotFound(phase_dir.string() + ": no such phase folder");
  auto phase = std::make_unique<LoadedPhase>();
  phase->dir = phase_dir;
  PhaseInput& input = phase->input;
  input.phase = phase_dir.filename().string();
  const fs::path live_path = phase_dir / "live_state.json";
  std::vector<LiveDevice> devices;
  if (fs::exists(live_path, error)) {
    nlohmann::json document;
    core::Status status = ReadJsonFile(live_path, &document);
    if (!status.ok()) return status;
    LiveState live;
    status = LiveStateFromJson(document, live_path.string(), &live);
    if (!status.ok()) return status;
    phase->has_live_state = true;
    input.scenario = live.scenario;
    input.seed = live.seed;
    input.engine = live.engine;
    input.phase = live.phase;
    input.virtual_time_ms = live.virtual_time_ms;
    input.stall = live.stall;
    devices = live.devices;
    if (live.oracle.has_value()) {
      phase->oracle = std::move(*live.oracle);
      input.oracle = &phase->oracle;
    }
  } else {
    // Databases alone: one device per .db file, in name order.
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(phase_dir, error)) {
      if (entry.path().extension() == ".db") names.push_back(entry.path().stem().string());
    }
    std::sort(names.begin(), names.end());
    if (names.empty()) return core::Status::NotFound(phase_dir.string() + ": no device database (*.db) in the folder");
    for (const std::string& name : names) devices.push_back({name, true, nlohmann::json()});
    nlohmann::json scenario;
    if (ReadJsonFile(phase_dir.parent_path() / "scenario.json", &scenario).ok() && scenario.is_object()) {
      if (scenario.contains("name") && scenario["name"].is_string()) input.scenario = scenario["name"].get<std::string>();
      if (scenario.contains("seed") && scenario["seed"].is_number_unsigned()) input.seed = scenario["seed"].get<uint64_t>();
    }
  }
  for (const LiveDevice& device : devices) {
    PhaseDevice phase_device;
    phase_device.name = device.name;
    phase_device.runtime = device.runtime;
    if (device.started) {
      std::unique_ptr<core::SqliteDb> database;
      core::Status status = OpenSnapshotDatabase(phase_dir / (device.name + ".db"), &database);
      if (!status.ok()) return status;
      phase_device.database = database.get();
      phase->databases.push_back(std::move(database));
    }
    input.devices.push_back(std::move(phase_device));
  }
  *result = std::move(phase);
  return core::Status::Ok();
}

core::Status ListPhases(const fs::path& run_dir, std::vector<std::string>* phases) {
  std::error_code error;
  if (!fs::is_directory(run_dir, error)) return core::Status::NotFound(run_dir.string() + ": no such snapshot folder");
  std::vector<std::string> found;
  for (const fs::directory_entry& entry : fs::directory_iterator(run_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.empty() && name[0] != '.' && IsPhaseFolder(entry.path())) found.push_back(name);
  }
  std::sort(found.begin(), found.end());
  // The order the scenario wrote them in, when its file says.
  std::vector<std::string> ordered;
  nlohmann::json scenario;
  if (ReadJsonFile(run_dir / "scenario.json", &scenario).ok() && scenario.is_object() && scenario.contains("steps") &&
      scenario["steps"].is_array()) {
    for (const nlohmann::json& step : scenario["steps"]) {
      if (!step.is_object() || step.value("action", nlohmann::json()) != "snapshot") continue;
      const nlohmann::json phase = step.value("phase", nlohmann::json());
      if (!phase.is_string()) continue;
      const std::string name = phase.get<std::string>();
      if (std::find(found.begin(), found.end(), name) != found.end() &&
          std::find(ordered.begin(), ordered.end(), name) == ordered.end()) {
        ordered.push_back(name);
      }
    }
  }
  for (const std::string& name : found) {
    if (std::find(ordered.begin(), ordered.end(), name) == ordered.end()) ordered.push_back(name);
  }
  if (ordered.empty()) {
    return core::Status::NotFound(run_dir.string() + ": no phase folder (a folder with <device>.db files) inside");
  }
  *phases = std::move(ordered);
  return core::Status::Ok();
}

}  // namespace syncsim::sim
