#include "sim/scenario/scenario_runner.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "sim/action/action.h"
#include "sim/action/action_run.h"
#include "sim/base/assert.h"
#include "sim/check/check.h"
#include "sim/check/convergence.h"
#include "sim/check/coverage.h"
#include "sim/check/database_facts.h"
#include "sim/check/hlc_bounds.h"
#include "sim/check/liveness.h"
#include "sim/check/state_fingerprint.h"
#include "sim/cluster/cluster.h"
#include "sim/cluster/host_storage_error.h"
#include "sim/scenario/scenario_storage.h"
#include "sim/snapshot/atomic_file.h"
#include "sim/snapshot/database_backup.h"
#include "sim/snapshot/live_state.h"
#include "sim/snapshot/phase_files.h"
#include "sim/snapshot/phase_summary.h"
#include "sim/snapshot/report_html.h"
#include "sim/snapshot/snapshot_work_folder.h"
#include "sim/workloads/workload.h"

namespace syncsim::sim {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kMicrosecondsPerMillisecond = 1000;

class Runner final : public ActionRun {
 public:
  Runner(const Scenario& scenario, const RunOptions& options, fs::path work_dir)
      : scenario_(scenario),
        options_(options),
        work_dir_(std::move(work_dir)),
        hlc_bounds_(HlcBoundsChecker::ForScenario(scenario)),
        cluster_(MakeSettings()) {}

  core::Status Run(RunResult* result);
  // The phases written, in order, for report.html.
  const std::vector<ReportPhase>& report_phases() const { return report_phases_; }

  // ActionRun: what the steps reach (sim/action/action_run.h).
  Cluster& cluster() override { return cluster_; }
  LinkSettings scenario_link() const override { return ToLinkSettings(scenario_.network); }
  void RunUntilQuiescent(int64_t max_ms) override;
  core::Status WritePhase(const std::string& phase) override;
  Random NewWorkloadStream() override;
  void StartWorkload(std::unique_ptr<Workload> workload) override;
  const std::vector<Workload*>& workloads() const override { return workload_pointers_; }

 private:
  ClusterSettings MakeSettings() const;
  core::Status Execute(size_t index, const ScenarioStep& step);
  // Runs until the workload of the previous step is done (a step without
  // at_ms waits for it), watching for stalls.
  void WaitForWorkloads();
  // Progress: anything applied, repaired or resolved on any device, and
  // every workload step. Compared for change, not size, because a crash
  // resets a device's counters.
  std::vector<uint64_t> ProgressSignature() const;
  void NoteProgress();
  // Closes the liveness window when its deadline is next (and reopens it
  // while a workload still writes). Called before every event.
  void WatchLiveness();
  // Starts a new stall window now, from the current progress signature.
  void RestartStallWindow();
  bool StallWindowPassed();
  void DeclareStall(const std::string& reason);
  ConvergenceResult CheckNow();
  std::vector<PhaseDevice> PhaseDevices();
  nlohmann::json RuntimeOf(SimDevice& device);
  // The facts the checks read (sim/check/check.h), each read once.
  RunFacts GatherFacts(const std::vector<DeviceRows>& rows, bool quiescent);
  // REQUIRES: device.library() != nullptr.
  DeviceRunFacts DeviceFactsOf(SimDevice& device, bool quiescent);
  void Evaluate(RunResult* result);

  const Scenario& scenario_;
  const RunOptions& options_;
  fs::path work_dir_;
  HlcBoundsChecker hlc_bounds_;  // reads the trace as it is recorded
  Cluster cluster_;
  std::vector<std::unique_ptr<Workload>> workloads_;
  std::vector<Workload*> workload_pointers_;
  std::map<std::string, int> workload_ordinals_;  // action -> workload steps of it so far
  std::string current_action_;  // the action of the step running
  std::vector<uint64_t> last_signature_;
  int64_t last_progress_us_ = 0;
  size_t current_step_ = 0;  // index of the step running, for stall reports
  nlohmann::json stall_;
  std::ofstream trace_file_;
  std::vector<ReportPhase> report_phases_;  // every phase written, for report.html
  std::map<std::string, std::string> phase_state_fingerprints_;  // phase -> hex, for RunResult
  // expect.converge_within_ms; empty without it.
  std::optional<LivenessWatch> liveness_;
};

ClusterSettings Runner::MakeSettings() const {
  ClusterSettings settings{.seed = scenario_.seed};
  for (const ScenarioDevice& device : scenario_.devices) {
    SimDeviceSettings device_settings{.name = device.name, .clock = device.clock};
    device_settings.storage = DeviceStorageSettingsFor(scenario_.storage, device, options_.db_dir);
    device_settings.restart_after_error_us = scenario_.storage.restart_after_error_ms * 1000;
    settings.devices.push_back(device_settings);
  }
  settings.link = ToLinkSettings(scenario_.network);
  settings.sync = scenario_.sync;
  settings.observer = options_.observer;
  return settings;
}

std::vector<uint64_t> Runner::ProgressSignature() const {
  std::vector<uint64_t> signature;
  for (const auto& device : cluster_.devices()) {
    if (!device->is_on()) {
      signature.push_back(0);
      continue;
    }
    const core::ApplyCounters& counters = device->engine().apply_counters();
    signature.push_back(counters.applied + counters.links_repaired + counters.parked_resolved);
    // Acknowledgements and pages received are progress too: a device whose
    // batches are being acked, or that pulls pages, is not stuck.
    const core::EngineCounters& engine = device->engine().counters();
    signature.push_back(engine.acks_received + engine.pages_received);
  }
  uint64_t done = 0;
  for (const auto& workload : workloads_) done += workload->done() ? 1 : 0;
  signature.push_back(done);
  return signature;
}

void Runner::WatchLiveness() {
  if (!liveness_.has_value() || !liveness_->open()) return;
  const Scheduler& scheduler = cluster_.scheduler();
  for (const auto& workload : workloads_) {
    if (!workload->done()) {
      liveness_->RestartForWorkload(scheduler.now_us());
      return;
    }
  }
  // The state at the deadline is the state after the last event before it.
  if (scheduler.pending() > 0 && scheduler.next_time_us() <= liveness_->deadline_us()) return;
  const ConvergenceResult convergence = CheckNow();
  liveness_->Close(scheduler.now_us(), convergence.converged, DescribeDifferences(convergence.differences));
}

void Runner::NoteProgress() {
  WatchLiveness();
  std::vector<uint64_t> signature = ProgressSignature();
  if (signature != last_signature_) {
    last_signature_ = std::move(signature);
    last_progress_us_ = cluster_.scheduler().now_us();
  }
}

bool Runner::StallWindowPassed() {
  return cluster_.scheduler().now_us() - last_progress_us_ >= scenario_.stall_window_ms * kMicrosecondsPerMillisecond;
}

ConvergenceResult Runner::CheckNow() {
  std::vector<DeviceRows> rows = ReadDeviceRows(PhaseDevices(), core::ModelRegistry::Default());
  SharedOracle oracle = cluster_.Oracle();
  return CheckConvergence(rows, core::ModelRegistry::Default(), &oracle);
}

nlohmann::json Runner::RuntimeOf(SimDevice& device) {
  nlohmann::json runtime = {{"on", device.is_on()},
                            {"connected_peers", cluster_.network().ConnectedPeers(device.name())},
                            {"clock_offset_ms", device.clock().settings().offset_ms},
                            {"clock_drift_ppm", device.clock().settings().drift_ppm},
                            {"clock_jumps_ms", device.clock().jumps_total_ms()},
                            {"rejected_messages", device.rejected_messages()}};
  if (device.is_on()) {
    runtime["pending_local_writes"] = device.engine().HasPendingWork();
    // Own shared changes each peer has not acknowledged yet.
    nlohmann::json unacked = nlohmann::json::object();
    for (const core::Uuid& peer : device.engine().AckingPeers()) {
      unacked[cluster_.directory().NameOf(peer)] = device.engine().UnackedSharedChanges(peer);
    }
    runtime["unacked_shared_changes"] = unacked;
    nlohmann::json peer_states = nlohmann::json::object();
    for (const core::PeerStatus& status : device.engine().PeerStatuses()) {
      peer_states[cluster_.directory().NameOf(status.peer)] = {{"state", core::ToString(status.state)},
                                                         {"pull_jobs", status.jobs},
                                                         {"request_in_flight", status.request_in_flight},
                                                         {"buffered", status.buffered},
                                                         {"unacked_batches", status.unacked}};
    }
    runtime["peers"] = peer_states;
  }
  runtime["sync"] = core::ToJson(device.counters());
  return runtime;
}

std::vector<PhaseDevice> Runner::PhaseDevices() {
  std::vector<PhaseDevice> devices;
  for (const auto& device : cluster_.devices()) {
    PhaseDevice phase_device;
    phase_device.name = device->name();
    phase_device.database = device->library() != nullptr ? &device->library()->sql() : nullptr;
    devices.push_back(phase_device);
  }
  return devices;
}

void Runner::DeclareStall(const std::string& reason) {
  cluster_.trace().Record(TraceRecord{.time_us = cluster_.scheduler().now_us(),
                                      .kind = "stall",
                                      .source = "",
                                      .target = "",
                                      .detail = reason,
                                      .size_bytes = 0,
                                      .fate = ""});
  if (!stall_.is_null()) {
    // The first stall keeps the diagnosis; later ones are listed by step.
    stall_["later_stalls"].push_back({{"step", current_step_},
                                      {"reason", reason},
                                      {"detected_at_ms", cluster_.scheduler().now_us() / kMicrosecondsPerMillisecond}});
    return;
  }
  ConvergenceResult convergence = CheckNow();
  nlohmann::json devices = nlohmann::json::object();
  std::string parked_headline;
  for (const auto& device : cluster_.devices()) {
    nlohmann::json entry = RuntimeOf(*device);
    if (device->library() != nullptr) {
      DatabaseFacts facts = ReadDatabaseFacts(device->library()->sql(), core::ModelRegistry::Default());
      if (facts.parked_records > 0) {
        parked_headline += fmt::format("; {} has {} record(s) parked waiting for {} missing record(s)",
                                       device->name(), facts.parked_records, facts.parked_groups.size());
      }
      nlohmann::json parked = nlohmann::json::array();
      for (const ParkedGroup& group : facts.parked_groups) {
        parked.push_back({{"waiting_for", group.missing_model + ":" + group.missing_uuid},
                          {"records", group.records},
                          {"sample_records", group.sample_records}});
      }
      entry["parked_by_dependency"] = parked;
      entry["parked_records"] = facts.parked_records;
    }
    nlohmann::json missing = nlohmann::json::array();
    for (const Difference& difference : convergence.differences) {
      if (difference.device != device->name()) continue;
      missing.push_back({{"model", difference.model},
                         {"owner", difference.owner},
                         {"kind", difference.kind},
                         {"count", difference.count},
                         {"sample_uuids", difference.sample_uuids}});
    }
    entry["differences_versus_owner"] = missing;
    devices[device->name()] = entry;
  }
  // One line a person reads first: who lacks what, and what it waits for.
  std::string headline = DescribeDifferences(convergence.differences);
  headline += parked_headline;
  if (headline.rfind("; ", 0) == 0) headline.erase(0, 2);
  if (headline.empty()) headline = "devices hold the same rows but work is still pending";
  stall_ = {{"reason", reason},
            {"step", current_step_},
            {"headline", headline},
            {"detected_at_ms", cluster_.scheduler().now_us() / kMicrosecondsPerMillisecond},
            {"last_progress_at_ms", last_progress_us_ / kMicrosecondsPerMillisecond},
            {"stall_window_ms", scenario_.stall_window_ms},
            {"network", {{"in_flight", cluster_.network().in_flight()}, {"held", cluster_.network().held()}}},
            {"devices", devices},
            {"later_stalls", nlohmann::json::array()}};
}

void Runner::WaitForWorkloads() {
  const int64_t deadline_us = kScenarioTimeMsMax * kMicrosecondsPerMillisecond;
  RestartStallWindow();
  auto busy = [this] {
    for (const auto& workload : workloads_) {
      if (!workload->done()) return true;
    }
    return false;
  };
  cluster_.scheduler().RunWhile(
      [&] {
        NoteProgress();
        return busy() && !StallWindowPassed();
      },
      deadline_us);
  if (busy() && StallWindowPassed()) DeclareStall("a workload made no progress for the stall window");
}

void Runner::RestartStallWindow() {
  last_signature_ = ProgressSignature();
  last_progress_us_ = cluster_.scheduler().now_us();
}

void Runner::RunUntilQuiescent(int64_t max_ms) {
  Scheduler& scheduler = cluster_.scheduler();
  const int64_t deadline_us = std::min(scheduler.now_us() + max_ms * kMicrosecondsPerMillisecond,
                                       kScenarioTimeMsMax * kMicrosecondsPerMillisecond);
  // Each step watches for a stall of its own: an earlier step's stall (or
  // a long wait while devices were apart) must not cut this one short.
  RestartStallWindow();
  // Every pass either returns or saw progress, and progress needs virtual
  // time, so the deadline ends the loop.
  for (;;) {
    scheduler.RunWhile(
        [&] {
          NoteProgress();
          return !cluster_.Quiescent() && !StallWindowPassed();
        },
        deadline_us);
    if (scheduler.budget_exhausted()) return;
    if (!cluster_.Quiescent()) {
      if (StallWindowPassed()) DeclareStall("no progress for the stall window while work is pending");
      return;  // stalled, or max_ms reached
    }
    if (CheckNow().converged) return;
    // Devices that cannot reach each other (partitioned, disconnected or
    // off) disagree by design until a heal, connect or restart: that is
    // quiescence, not a stall.
    if (cluster_.Apart()) return;
    // Quiescent but the devices disagree: give the sync loops the stall
    // window to make progress on their own before calling it a stall.
    const std::vector<uint64_t> before = ProgressSignature();
    const int64_t wait_until_us =
        std::min(deadline_us, scheduler.now_us() + scenario_.stall_window_ms * kMicrosecondsPerMillisecond);
    scheduler.RunWhile(
        [&] {
          WatchLiveness();
          return ProgressSignature() == before;
        },
        wait_until_us);
    if (ProgressSignature() != before) {
      NoteProgress();
      continue;
    }
    if (scheduler.now_us() >= wait_until_us &&
        scheduler.now_us() - last_progress_us_ >= scenario_.stall_window_ms * kMicrosecondsPerMillisecond) {
      DeclareStall("no progress for the stall window while devices disagree");
    }
    return;
  }
}

// Every step runs through its action (sim/action/action.h): the runner
// knows no action by name.
core::Status Runner::Execute(size_t index, const ScenarioStep& step) {
  const Action* action = FindAction(step.action);
  SYNCSIM_ASSERT(action != nullptr && "the loader admits only known actions");
  current_action_ = step.action;
  core::Status status = action->run(step.settings, this);
  if (!status.ok() || !action->records_step) return status;
  cluster_.trace().Record(TraceRecord{.time_us = cluster_.scheduler().now_us(),
                                      .kind = "step",
                                      .source = "",
                                      .target = "",
                                      .detail = fmt::format("{} {}", index, step.action),
                                      .size_bytes = 0,
                                      .fate = ""});
  return core::Status::Ok();
}

Random Runner::NewWorkloadStream() {
  const int ordinal = workload_ordinals_[current_action_]++;
  return cluster_.streams().Stream(fmt::format("workload/{}/{}", current_action_, ordinal));
}

void Runner::StartWorkload(std::unique_ptr<Workload> workload) {
  SYNCSIM_ASSERT(workload != nullptr);
  workload->Setup();
  workload->Run();
  workload_pointers_.push_back(workload.get());
  workloads_.push_back(std::move(workload));
}

core::Status Runner::WritePhase(const std::string& phase) {
  phase_state_fingerprints_[phase] = StateDigestHex(
      StateFingerprint(ReadDeviceRows(PhaseDevices(), core::ModelRegistry::Default()), core::ModelRegistry::Default()));
  // Nothing on disk for a run without an output folder; the phase is still
  // part of the timeline.
  if (work_dir_.empty()) return core::Status::Ok();
  const fs::path phase_dir = work_dir_ / phase;
  std::error_code error;
  fs::create_directories(phase_dir, error);
  if (error) return core::Status::IoError(phase_dir.string() + ": " + error.message());
  for (const auto& device : cluster_.devices()) {
    if (device->library() == nullptr) continue;
    core::Status status = BackupDatabase(device->library()->sql(), (phase_dir / (device->name() + ".db")).string());
    if (!status.ok()) return status;
  }
  std::vector<PhaseDevice> devices = PhaseDevices();
  for (size_t i = 0; i < devices.size(); ++i) devices[i].runtime = RuntimeOf(*cluster_.devices()[i]);
  SharedOracle oracle = cluster_.Oracle();
  PhaseInput input{.scenario = scenario_.name,
                   .seed = scenario_.seed,
                   .engine = scenario_.sync.engine,
                   .phase = phase,
                   .virtual_time_ms = cluster_.scheduler().now_us() / kMicrosecondsPerMillisecond,
                   .devices = devices,
                   .oracle = &oracle,
                   .stall = stall_};
  // What only this live run knows goes beside the databases, so that
  // `syncsim report` can rebuild the same summary from the folder alone.
  core::Status status =
      WriteFileAtomically((phase_dir / "live_state.json").string(), LiveStateToJson(input).dump(2) + "\n");
  if (!status.ok()) return status;
  PhaseFiles files;
  status = WritePhaseFiles(phase_dir, input, core::ModelRegistry::Default(), &files);
  if (!status.ok()) return status;
  report_phases_.push_back({phase, phase_dir, std::move(files.summary), files.svg});
  return core::Status::Ok();
}

DeviceRunFacts Runner::DeviceFactsOf(SimDevice& device, bool quiescent) {
  DeviceRunFacts facts{.name = device.name(),
                       .storage = {.integrity_checks = device.storage().integrity_checks(),
                                   .integrity_failures = device.storage().integrity_failures(),
                                   .acked_changes_verified = device.acked_changes_verified(),
                                   .lost_acked_changes = device.lost_acked_changes()},
                       .database = ReadDatabaseFacts(device.library()->sql(), core::ModelRegistry::Default()),
                       .counters = device.counters(),
                       .newest_change_hlc = device.newest_change_hlc(),
                       .unacked = {}};
  // Acknowledgements are owed only once everything is delivered.
  if (!device.is_on() || !quiescent) return facts;
  for (const std::string& peer : cluster_.network().ConnectedPeers(device.name())) {
    if (!cluster_.Reachable(device.name(), peer)) continue;
    facts.unacked.push_back({peer, device.engine().UnackedSharedChanges(cluster_.directory().UuidOf(peer))});
  }
  return facts;
}

RunFacts Runner::GatherFacts(const std::vector<DeviceRows>& rows, bool quiescent) {
  RunFacts facts;
  facts.expect = scenario_.expect;
  facts.stall = stall_;
  facts.quiescent = quiescent;
  SharedOracle oracle = cluster_.Oracle();
  facts.convergence = CheckConvergence(rows, core::ModelRegistry::Default(), &oracle);
  facts.linkage = ComputeLinkage(rows);
  for (const auto& device : cluster_.devices()) {
    if (device->library() != nullptr) facts.devices.push_back(DeviceFactsOf(*device, quiescent));
    facts.engine_events.push_back({device->name(), device->engine_events()});
  }
  facts.hlc_bounds = {hlc_bounds_.ok(), hlc_bounds_.Detail()};
  if (liveness_.has_value()) {
    liveness_->Finish(cluster_.scheduler().now_us(), facts.convergence.converged,
                      DescribeDifferences(facts.convergence.differences));
    facts.liveness = Verdict{liveness_->ok(), liveness_->detail()};
  }
  for (const auto& workload : workloads_) {
    for (std::string& problem : workload->Check()) facts.workload_problems.push_back(std::move(problem));
  }
  return facts;
}

// Gathers the run's facts, then every registered check judges them
// (sim/check/check.h); expect.must_fail turns the verdicts it names last.
void Runner::Evaluate(RunResult* result) {
  std::vector<DeviceRows> rows = ReadDeviceRows(PhaseDevices(), core::ModelRegistry::Default());
  const RunFacts facts = GatherFacts(rows, result->quiescent);
  result->state_fingerprint = StateDigestHex(StateFingerprint(rows, core::ModelRegistry::Default()));
  result->converged = facts.convergence.converged;
  for (const Difference& difference : facts.convergence.differences) {
    result->difference_keys.push_back(
        fmt::format("{} {} {} of {}", difference.device, difference.kind, difference.model, difference.owner));
  }
  std::sort(result->difference_keys.begin(), result->difference_keys.end());
  result->stall = stall_;
  DescribeDevices(facts, rows, result);
  for (const Check& check : RegisteredChecks()) check.evaluate(facts, &result->expectations);
  ApplyMustFail(facts.expect.must_fail, &result->expectations);
  result->passed = std::all_of(result->expectations.begin(), result->expectations.end(),
                               [](const ExpectationResult& expectation) { return expectation.ok; });
}

core::Status Runner::Run(RunResult* result) {
  const fs::path trace_path = !work_dir_.empty() ? work_dir_ / "trace.jsonl" : fs::path(options_.trace_path);
  if (!trace_path.empty()) {
    trace_file_.open(trace_path);
    if (!trace_file_) return core::Status::IoError(trace_path.string() + ": cannot write");
    cluster_.trace().SetSink(&trace_file_);
  }
  cluster_.trace().SetListener([this](const TraceRecord& record) { hlc_bounds_.OnTraceRecord(record); });
  for (size_t i = 0; i < scenario_.devices.size(); ++i) {
    if (!scenario_.devices[i].start) continue;
    core::Status status = cluster_.device(scenario_.devices[i].name).Start();
    if (!status.ok()) return status;
  }
  // The liveness window opens after the last fault step (or at the start).
  std::optional<size_t> last_fault_step;
  if (scenario_.expect.converge_within_ms.has_value()) {
    liveness_.emplace(*scenario_.expect.converge_within_ms);
    for (size_t index = 0; index < scenario_.steps.size(); ++index) {
      if (FindAction(scenario_.steps[index].action)->kind == ActionKind::kFault) last_fault_step = index;
    }
    if (!last_fault_step.has_value()) liveness_->Open(0, "the run's start");
  }
  NoteProgress();
  for (size_t index = 0; index < scenario_.steps.size(); ++index) {
    const ScenarioStep& step = scenario_.steps[index];
    current_step_ = index;
    if (step.at_ms.has_value()) {
      const int64_t at_us = *step.at_ms * kMicrosecondsPerMillisecond;
      if (at_us > cluster_.scheduler().now_us()) {
        cluster_.scheduler().RunWhile(
            [&] {
              NoteProgress();
              return true;
            },
            at_us);
      }
    } else {
      WaitForWorkloads();
    }
    if (cluster_.scheduler().budget_exhausted()) break;
    core::Status status = Execute(index, step);
    if (!status.ok()) return status;
    if (last_fault_step == index) {
      liveness_->Open(cluster_.scheduler().now_us(), fmt::format("step {} ({})", index, step.action));
    }
  }
  result->quiescent = cluster_.Quiescent();
  Evaluate(result);
  CoverageTotals coverage{.engine = {}, .apply = {}, .messages = cluster_.network().counts()};
  for (const auto& device : cluster_.devices()) {
    coverage.engine += device->counters();
    coverage.apply += device->apply_counters();
  }
  result->coverage = CoverageOf(coverage);
  result->scenario = scenario_.name;
  result->engine = scenario_.sync.engine;
  result->seed = scenario_.seed;
  result->fingerprint = cluster_.trace().FingerprintHex();
  result->phase_state_fingerprints = phase_state_fingerprints_;
  result->virtual_time_ms = cluster_.scheduler().now_us() / kMicrosecondsPerMillisecond;
  result->events = cluster_.scheduler().events_run();
  result->messages = cluster_.network().counts();
  result->bytes_sent = cluster_.network().bytes_sent();
  cluster_.trace().SetSink(nullptr);
  cluster_.trace().SetListener(nullptr);
  trace_file_.close();
  return core::Status::Ok();
}

}  // namespace

core::Status RunScenario(const Scenario& scenario, const nlohmann::json& resolved, const RunOptions& options,
                         RunResult* result) {
  if (core::Status allowed = CheckDbDirAllowsStorage(scenario, options.db_dir); !allowed.ok()) return allowed;
  fs::path final_dir;
  std::error_code error;
  SnapshotWorkFolder work;
  if (!options.out_dir.empty()) {
    final_dir = fs::path(options.out_dir) / scenario.name / fmt::format("seed-{}", scenario.seed);
    if (fs::exists(final_dir) && !options.force) {
      return core::Status::InvalidArgument(final_dir.string() + ": a snapshot exists already (pass --force to replace it)");
    }
    // Build everything in a private folder and rename it into place at the
    // end, so no one ever sees half a snapshot.
    core::Status status = work.Create(final_dir);
    if (!status.ok()) return status;
    std::ofstream scenario_file(work.dir() / "scenario.json");
    scenario_file << resolved.dump(2) << "\n";
    if (!scenario_file) return core::Status::IoError((work.dir() / "scenario.json").string() + ": cannot write");
  }
  if (!options.db_dir.empty()) {
    fs::create_directories(options.db_dir, error);
    for (const ScenarioDevice& device : scenario.devices) fs::remove(fs::path(options.db_dir) / (device.name + ".db"), error);
  }
  // Any exit from here on, an internal error's exception included, removes
  // the work folder unless it was published (~SnapshotWorkFolder).
  Runner runner(scenario, options, work.dir());
  core::Status status;
  try {
    status = runner.Run(result);
  } catch (const HostStorageError& failure) {
    status = core::Status::IoError(failure.what());
  }
  if (status.ok() && !work.dir().empty()) {
    // result.json leaves snapshot_dir empty: the folder may be moved or
    // copied, and two runs of one seed must write the same bytes.
    status = WriteFileAtomically((work.dir() / "result.json").string(), result->ToJson().dump(2) + "\n");
    if (status.ok()) status = WriteRunReport(work.dir(), final_dir.string(), runner.report_phases());
    if (status.ok()) status = work.Publish(final_dir);
    if (status.ok()) result->snapshot_dir = final_dir.string();
  }
  if (!status.ok()) result->snapshot_dir.clear();
  return status;
}

}  // namespace syncsim::sim
