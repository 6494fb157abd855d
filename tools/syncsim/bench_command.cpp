#include "tools/syncsim/bench_command.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/library_db.h"
#include "sim/cluster/cluster.h"
#include "sim/storage/storage_settings.h"
#include "sim/workloads/index_workload.h"
#include "tools/syncsim/commands.h"

namespace syncsim::tools {
namespace {

struct BenchArguments {
  uint32_t files = 2045;
  uint32_t devices = 2;
  bool json = false;
  std::string db_dir;  // empty: databases in memory
  uint32_t repeat = 3;  // runs of each side; the fastest counts
};

// The host's monotonic clock: the tool measures wall time; the simulation it
// measures never sees it.
double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double PeakResidentMegabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports kilobytes
}

// Every row of every table of one database, read up front so that the
// timed part of the baseline is only the inserts.
struct TableRows {
  std::string name;
  int columns = 0;
  std::vector<nlohmann::json> values;  // row-major, `columns` per row
};

std::vector<TableRows> ReadAllRows(core::SqliteDb& source) {
  std::vector<std::string> tables;
  core::Statement& list = source.Prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  while (list.Step()) tables.push_back(list.Text(0));
  list.Reset();
  std::vector<TableRows> result;
  for (const std::string& table : tables) {
    TableRows rows;
    rows.name = table;
    core::Statement& select = source.Prepare("SELECT * FROM " + table);
    rows.columns = select.ColumnCount();
    while (select.Step()) {
      for (int column = 0; column < rows.columns; ++column) rows.values.push_back(select.Json(column));
    }
    select.Reset();
    result.push_back(std::move(rows));
  }
  return result;
}

uint64_t InsertAll(core::SqliteDb& target, const std::vector<TableRows>& tables) {
  uint64_t rows_inserted = 0;
  core::SqliteDb::Transaction transaction(target);
  for (const TableRows& table : tables) {
    if (table.columns == 0) continue;
    std::string placeholders;
    for (int column = 0; column < table.columns; ++column) placeholders += column == 0 ? "?" : ", ?";
    core::Statement& insert = target.Prepare(fmt::format("INSERT INTO {} VALUES ({})", table.name, placeholders));
    for (size_t offset = 0; offset < table.values.size(); offset += static_cast<size_t>(table.columns)) {
      insert.Reset();
      for (int column = 0; column < table.columns; ++column) {
        insert.BindJson(column + 1, table.values[offset + static_cast<size_t>(column)]);
      }
      insert.Run();
      ++rows_inserted;
    }
  }
  transaction.Commit();
  return rows_inserted;
}

// One run of the realtime indexing shape; the cluster is kept for the
// baseline to read its final rows.
struct SimulationRun {
  std::unique_ptr<sim::Cluster> cluster;
  double seconds = 0;
  bool quiescent = false;
};

// `fault_disk`: every device on the simulated disk (sim/storage/
// fault_vfs.h) with a write-ahead log synced at every commit, what a
// scenario runs by default; else without a journal, the faster mode.
SimulationRun RunSimulation(const BenchArguments& arguments, bool fault_disk) {
  sim::ClusterSettings settings;
  settings.seed = 1;
  for (uint32_t device = 0; device < arguments.devices; ++device) {
    sim::SimDeviceSettings device_settings{.name = fmt::format("device{}", device)};
    if (fault_disk) {
      device_settings.storage.fault_vfs = true;
      device_settings.storage.journal = true;
      device_settings.storage.database_path = device_settings.name + ".db";
      device_settings.storage.pragmas = sim::OpenPragmas(sim::ScenarioStorage{});
    } else if (!arguments.db_dir.empty()) {
      device_settings.storage.database_path =
          (std::filesystem::path(arguments.db_dir) / (device_settings.name + ".db")).string();
      std::filesystem::remove(device_settings.storage.database_path);
    }
    settings.devices.push_back(device_settings);
  }
  settings.link = sim::LinkSettings{.latency_us_min = 1'000, .latency_us_max = 40'000};
  // The seed's shape: 46 directories for 2,045 files, scaled with the files.
  const uint32_t dirs = std::max<uint32_t>(1, static_cast<uint32_t>(46ULL * arguments.files / 2045));

  SimulationRun run;
  const auto start = std::chrono::steady_clock::now();
  run.cluster = std::make_unique<sim::Cluster>(settings);
  sim::Cluster& cluster = *run.cluster;
  if (!cluster.StartAll().ok()) return run;
  std::vector<std::string> names;
  for (const auto& device : cluster.devices()) names.push_back(device->name());
  cluster.ConnectAll(names);
  sim::IndexWorkload index(&cluster,
                           sim::IndexSettings{.device = names[0], .location = "Downloads", .dirs = dirs,
                                              .files = arguments.files, .duplicate_content = 0.03,
                                              .files_per_s = 300},
                           cluster.streams().Stream("workload/index/0"));
  index.Setup();
  index.Run();
  run.quiescent = cluster.RunUntilQuiescent(86'400'000'000);
  run.seconds = SecondsSince(start);
  return run;
}

// The fastest of --repeat runs: the simulation is deterministic, so the
// spread is the host's noise, not the work's. *seconds gets that time.
SimulationRun FastestSimulation(const BenchArguments& arguments, bool fault_disk, double* seconds) {
  SimulationRun simulation;
  for (uint32_t repeat = 0; repeat < arguments.repeat; ++repeat) {
    simulation.cluster.reset();
    simulation = RunSimulation(arguments, fault_disk);
    if (simulation.cluster == nullptr || !simulation.quiescent) break;
    *seconds = repeat == 0 ? simulation.seconds : std::min(*seconds, simulation.seconds);
  }
  return simulation;
}

int Bench(const BenchArguments& arguments) {
  const uint32_t dirs = std::max<uint32_t>(1, static_cast<uint32_t>(46ULL * arguments.files / 2045));
  // The simulated disk first (its cluster is dropped), then the fast mode,
  // whose final rows the baseline inserts.
  double fault_disk_seconds = 0;
  bool fault_disk_quiescent = true;
  if (arguments.db_dir.empty()) {
    fault_disk_quiescent = FastestSimulation(arguments, /*fault_disk=*/true, &fault_disk_seconds).quiescent;
  }
  double simulation_seconds = 0;
  SimulationRun simulation = FastestSimulation(arguments, /*fault_disk=*/false, &simulation_seconds);
  if (simulation.cluster == nullptr) return kExitInternal;
  sim::Cluster& cluster = *simulation.cluster;
  const bool quiescent = simulation.quiescent;
  if (!quiescent) simulation_seconds = simulation.seconds;
  const int64_t virtual_ms = cluster.scheduler().now_us() / 1000;
  // The simulation's own peak, before the baseline loads rows into memory.
  const double peak_megabytes = PeakResidentMegabytes();

  // Baseline: the same final rows, straight into fresh databases of the same
  // kind (in memory, or files in --db-dir), one device at a time; only the
  // inserts are timed.
  uint64_t baseline_rows = 0;
  double baseline_seconds = 0;
  for (const auto& device : cluster.devices()) {
    const std::vector<TableRows> tables = ReadAllRows(device->library()->sql());
    std::string path = ":memory:";
    if (!arguments.db_dir.empty()) {
      path = (std::filesystem::path(arguments.db_dir) / ("baseline-" + device->name() + ".db")).string();
    }
    double fastest = 0;
    for (uint32_t repeat = 0; repeat < arguments.repeat; ++repeat) {
      if (path != ":memory:") std::filesystem::remove(path);
      const auto baseline_start = std::chrono::steady_clock::now();
      std::unique_ptr<core::LibraryDb> target;
      if (!core::LibraryDb::Open(path, core::ModelRegistry::Default(), &target).ok()) return kExitInternal;
      const uint64_t rows = InsertAll(target->sql(), tables);
      target.reset();
      const double seconds = SecondsSince(baseline_start);
      fastest = repeat == 0 ? seconds : std::min(fastest, seconds);
      if (repeat == 0) baseline_rows += rows;
    }
    baseline_seconds += fastest;
  }

  const double ratio = simulation_seconds / baseline_seconds;
  const double fault_disk_ratio = fault_disk_seconds / simulation_seconds;
  const double virtual_per_wall = static_cast<double>(virtual_ms) / 1000.0 / simulation_seconds;
  fmt::print(stderr,
             "bench: {} files ({} dirs) on {} devices, quiescent={}\n"
             "  simulation  {:.3f} s wall (fastest of {}) for {:.1f} s virtual ({:.1f} virtual s per wall s), {} events\n"
             "  baseline    {:.3f} s to insert the same {} rows with raw SQLite\n"
             "  ratio       {:.2f}x the baseline\n"
             "  peak memory {:.1f} MiB (the simulation, databases {})\n",
             arguments.files, dirs, arguments.devices, quiescent, simulation_seconds, arguments.repeat, static_cast<double>(virtual_ms) / 1000.0,
             virtual_per_wall, cluster.scheduler().events_run(), baseline_seconds, baseline_rows, ratio,
             peak_megabytes, arguments.db_dir.empty() ? std::string("in memory") : "in " + arguments.db_dir);
  if (arguments.db_dir.empty()) {
    fmt::print(stderr,
               "  fault disk  {:.3f} s wall (fastest of {}) on the simulated disk, WAL synced at every commit "
               "(the scenarios' default), quiescent={}: {:.2f}x the simulation without a journal above\n",
               fault_disk_seconds, arguments.repeat, fault_disk_quiescent, fault_disk_ratio);
  }
  if (arguments.json) {
    nlohmann::json object = {{"sim_s", simulation_seconds},         {"baseline_s", baseline_seconds},
                             {"ratio", ratio},                      {"virtual_per_wall", virtual_per_wall},
                             {"peak_rss_mb", peak_megabytes},       {"files", arguments.files},
                             {"devices", arguments.devices},        {"baseline_rows", baseline_rows},
                             {"quiescent", quiescent}};
    if (arguments.db_dir.empty()) {
      object["fault_disk_s"] = fault_disk_seconds;
      object["fault_disk_ratio"] = fault_disk_ratio;
    }
    fmt::print("{}\n", object.dump());
  }
  return quiescent && fault_disk_quiescent ? kExitOk : kExitExpectationFailed;
}

}  // namespace

std::function<int()> RegisterBenchCommand(CLI::App& app) {
  auto arguments = std::make_shared<BenchArguments>();
  CLI::App* command = app.add_subcommand("bench", "Time the realtime indexing shape against a raw SQLite baseline");
  command->add_option("--files", arguments->files, "Files indexed (default 2045)")->check(CLI::Range(1u, 10'000'000u));
  command->add_option("--devices", arguments->devices, "Devices (default 2)")->check(CLI::Range(2u, 16u));
  command->add_flag("--json", arguments->json, "Print one JSON object on the last line");
  command->add_option("--repeat", arguments->repeat, "Runs of each side, the fastest counts (default 3)")
      ->check(CLI::Range(1u, 100u));
  command->add_option("--db-dir", arguments->db_dir,
                      "Keep the device and baseline databases as files in this folder (default: in memory)")
      ->check(CLI::ExistingDirectory);
  return [arguments] { return Bench(*arguments); };
}

}  // namespace syncsim::tools
