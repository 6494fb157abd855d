#include "sim/scenario/scenario_loader.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core/engine_registry.h"
#include "core/model_registry.h"
#include "sim/base/assert.h"
#include "sim/base/json_readers.h"
#include "sim/base/strict_json.h"
#include "sim/check/check.h"
#include "sim/scenario/scenario_storage.h"
#include "sim/scenario/step_parser.h"
#include "sim/scenario/swarm.h"

namespace syncsim::sim {
namespace {

using core::Status;
using nlohmann::json;

static_assert(kScenarioNameLengthMax == kNameLengthMax, "ReadName reads the names scenario.h bounds");

// Bounds of DESIGN.md 5 that scenario.h does not name.
constexpr int64_t kFlushIntervalMsMax = 60'000;
// Retry timeouts and their backoff cap; attempts of one request.
constexpr int64_t kRetryMsMax = 600'000;
// A measured retry timeout may grow to two hours: twice the longest
// one-way latency allowed, with room for its variation.
constexpr int64_t kRetryTimeoutMsMaxBound = 7'200'000;
constexpr uint32_t kRetryAttemptsMax = 1'000;
constexpr int64_t kStallWindowMsMin = 1'000;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();


constexpr std::array<std::string_view, 10> kRootKeys = {"name",    "description",     "seed",  "devices",
                                                        "network", "sync",            "storage", "stall_window_ms",
                                                        "steps",   "expect"};
constexpr std::array<std::string_view, 3> kRootRequiredKeys = {"name", "devices", "steps"};
constexpr std::array<std::string_view, 4> kDeviceKeys = {"name", "clock", "start", "storage"};
constexpr std::array<std::string_view, 1> kDeviceRequiredKeys = {"name"};
constexpr std::array<std::string_view, 2> kClockKeys = {"offset_ms", "drift_ppm"};
constexpr std::array<std::string_view, 17> kSyncKeys = {
    "missing_dependency",   "batch_size",           "flush_interval_ms",    "shared_merge",
    "defects",              "page_size",            "buffer_max",           "shared_batch_size",
    "retry_timeout_ms",     "retry_timeout_ms_min", "retry_timeout_ms_max", "retry_backoff_ms_max",
    "retry_attempts_max",   "unacked_batches_max",  "engine",               "leader_heartbeat_ms",
    "leader_lease_ms"};
// The leader engine's heartbeat and lease: an hour at most.
constexpr int64_t kLeaderMsMax = 3'600'000;
// From the registries, read on first use (after every check has registered):
// the keys of `expect`, the checks a negative scenario may name in
// `expect.must_fail` (besides "counts.DEVICE.MODEL"), and the models
// `expect.counts` names.
const std::vector<std::string_view>& AcceptedExpectKeys() {
  static const std::vector<std::string_view> keys = ExpectKeys();
  return keys;
}
const std::vector<std::string_view>& MustFailCheckNames() {
  static const std::vector<std::string_view> names = CheckNames();
  return names;
}
const std::vector<std::string_view>& ModelNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> models;
    for (const core::ModelSpec& model : core::ModelRegistry::Default().models()) models.push_back(model.name);
    return models;
  }();
  return names;
}

// Reads the whole file at `path`. Fails with NotFound when it does not exist,
// IoError when it cannot be read or is not a regular file (a FIFO would
// block, /dev/zero never ends), InvalidArgument when it is larger than
// kScenarioFileBytesMax; messages do not repeat the path.
Status ReadFileText(const std::string& path, std::string* text) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) {
    return Status::NotFound("cannot read the scenario file: no such file");
  }
  if (error) return Status::IoError("cannot read the scenario file: " + error.message());
  if (std::filesystem::is_directory(status)) {
    return Status::IoError("cannot read the scenario file: it is a directory");
  }
  if (!std::filesystem::is_regular_file(status)) {
    return Status::IoError("cannot read the scenario file: it is not a regular file");
  }
  const std::string too_large =
      "the scenario file is larger than " + std::to_string(kScenarioFileBytesMax) + " bytes (kScenarioFileBytesMax)";
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return Status::IoError("cannot read the scenario file: " + error.message());
  if (size > kScenarioFileBytesMax) return Status::InvalidArgument(too_large);
  std::ifstream input(path, std::ios::binary);
  if (!input) return Status::IoError("cannot open the scenario file");
  // Read in chunks until the end, and stop past the bound: the file may
  // have grown since its size was read.
  constexpr size_t kChunkBytes = 64 * 1024;
  std::string read;
  read.reserve(static_cast<size_t>(size));
  char chunk[kChunkBytes];
  while (input.read(chunk, kChunkBytes) || input.gcount() > 0) {
    read.append(chunk, static_cast<size_t>(input.gcount()));
    if (read.size() > kScenarioFileBytesMax) return Status::InvalidArgument(too_large);
  }
  if (input.bad()) return Status::IoError("cannot read the scenario file");
  *text = std::move(read);
  return Status::Ok();
}

// `status` with "prefix: " in front of its message, same code.
Status Prefixed(const std::string& prefix, const Status& status) {
  std::string message = prefix + ": " + status.message();
  switch (status.code()) {
    case Status::Code::kOk:
      break;
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case Status::Code::kNotFound:
      return Status::NotFound(std::move(message));
    case Status::Code::kCorruption:
      return Status::Corruption(std::move(message));
    case Status::Code::kIoError:
      return Status::IoError(std::move(message));
  }
  return status;
}

// ---- The scenario ----

// Validates one document into one Scenario. Used once.
class ScenarioParser {
 public:
  Status Parse(const json& document, Scenario* out) {
    SYNCSIM_RETURN_IF_ERROR(CheckObject(document, "", kRootKeys, kRootRequiredKeys));
    SYNCSIM_RETURN_IF_ERROR(ReadName(document["name"], "name", &scenario_.name));
    if (const json* value = Find(document, "description")) {
      SYNCSIM_RETURN_IF_ERROR(ReadString(*value, "description", &scenario_.description));
    }
    if (const json* value = Find(document, "seed")) {
      SYNCSIM_RETURN_IF_ERROR(ReadUnsigned64(*value, "seed", &scenario_.seed));
    }
    SYNCSIM_RETURN_IF_ERROR(ParseDevices(document["devices"], "devices"));
    if (const json* value = Find(document, "network")) {
      SYNCSIM_RETURN_IF_ERROR(CheckObject(*value, "network", kNetworkKeys, {}));
      SYNCSIM_RETURN_IF_ERROR(ParseNetworkSettings(*value, "network", &scenario_.network));
    }
    if (const json* value = Find(document, "sync")) {
      SYNCSIM_RETURN_IF_ERROR(ParseSync(*value, "sync"));
    }
    if (const json* value = Find(document, "storage")) {
      SYNCSIM_RETURN_IF_ERROR(ParseStorageSettings(*value, "storage", &scenario_.storage));
    }
    if (const json* value = Find(document, "stall_window_ms")) {
      SYNCSIM_RETURN_IF_ERROR(
          ReadInteger(*value, "stall_window_ms", kStallWindowMsMin, kScenarioTimeMsMax, &scenario_.stall_window_ms));
    }
    SYNCSIM_RETURN_IF_ERROR(StepParser(DevicePowers()).Parse(document["steps"], "steps", &scenario_.steps));
    SYNCSIM_RETURN_IF_ERROR(CheckStorageCanFault());
    if (const json* value = Find(document, "expect")) {
      SYNCSIM_RETURN_IF_ERROR(ParseExpect(*value, "expect"));
    }
    *out = std::move(scenario_);
    return Status::Ok();
  }

 private:
  // The declared devices with whether each runs from the start, for the
  // step parser's power rules.
  std::vector<std::pair<std::string, bool>> DevicePowers() const {
    std::vector<std::pair<std::string, bool>> devices;
    for (const ScenarioDevice& device : scenario_.devices) devices.emplace_back(device.name, device.start);
    return devices;
  }

  // Without a journal a failed write cannot be undone and a power loss
  // leaves half a transaction: such a run would judge SQLite, not the
  // engine. Storage faults need storage.journal "wal" or "rollback".
  Status CheckStorageCanFault() const {
    if (scenario_.storage.journal != JournalMode::kOff || !ScenarioFaultsStorage(scenario_)) return Status::Ok();
    return Invalid("storage.journal", "\"off\" cannot simulate the storage faults the scenario asks for (an "
                                      "error probability, a crash with power_loss or at_io): use \"wal\" or "
                                      "\"rollback\"");
  }

  Status ParseDevices(const json& value, const std::string& path) {
    if (!value.is_array()) return Invalid(path, "expected an array of devices, got " + Describe(value));
    if (value.empty()) return Invalid(path, "expected at least one device");
    if (value.size() > kScenarioDevicesMax) {
      return Invalid(path, "expected at most " + std::to_string(kScenarioDevicesMax) + " devices, got " +
                               std::to_string(value.size()));
    }
    std::map<std::string, std::string, std::less<>> first_path_of_name;
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string device_path = ElementPath(path, i);
      const json& element = value[i];
      SYNCSIM_RETURN_IF_ERROR(CheckObject(element, device_path, kDeviceKeys, kDeviceRequiredKeys));
      ScenarioDevice device;
      const std::string name_path = MemberPath(device_path, "name");
      SYNCSIM_RETURN_IF_ERROR(ReadName(element["name"], name_path, &device.name));
      if (auto [it, inserted] = first_path_of_name.emplace(device.name, name_path); !inserted) {
        return Invalid(name_path, "duplicate device name " + Quoted(device.name) + " (first at " + it->second + ")");
      }
      if (const json* clock = Find(element, "clock")) {
        const std::string clock_path = MemberPath(device_path, "clock");
        SYNCSIM_RETURN_IF_ERROR(CheckObject(*clock, clock_path, kClockKeys, {}));
        if (const json* offset = Find(*clock, "offset_ms")) {
          SYNCSIM_RETURN_IF_ERROR(ReadInteger(*offset, MemberPath(clock_path, "offset_ms"),
                                                     -kScenarioClockOffsetMsMax, kScenarioClockOffsetMsMax,
                                                     &device.clock.offset_ms));
        }
        if (const json* drift = Find(*clock, "drift_ppm")) {
          SYNCSIM_RETURN_IF_ERROR(ReadInteger(*drift, MemberPath(clock_path, "drift_ppm"),
                                                     -kScenarioDriftPpmMax, kScenarioDriftPpmMax,
                                                     &device.clock.drift_ppm));
        }
      }
      if (const json* start = Find(element, "start")) {
        SYNCSIM_RETURN_IF_ERROR(ReadBool(*start, MemberPath(device_path, "start"), &device.start));
      }
      if (const json* storage = Find(element, "storage")) {
        SYNCSIM_RETURN_IF_ERROR(ParseDeviceStorage(*storage, MemberPath(device_path, "storage"), &device.storage));
      }
      device_names_.insert(device.name);
      scenario_.devices.push_back(std::move(device));
    }
    return Status::Ok();
  }

  // The numeric knobs of the sync section (batching, paging, buffering,
  // retries), each within its bound.
  Status ParseSyncKnobs(const json& value, const std::string& path) {
    core::SyncSettings& sync = scenario_.sync;
    if (const json* batch_size = Find(value, "batch_size")) {
      SYNCSIM_RETURN_IF_ERROR(
          ReadCount(*batch_size, MemberPath(path, "batch_size"), 1, kScenarioBatchSizeMax, &sync.batch_size));
    }
    if (const json* shared_batch_size = Find(value, "shared_batch_size")) {
      SYNCSIM_RETURN_IF_ERROR(ReadCount(*shared_batch_size, MemberPath(path, "shared_batch_size"), 1,
                                               kScenarioBatchSizeMax, &sync.shared_batch_size));
    }
    if (const json* page_size = Find(value, "page_size")) {
      SYNCSIM_RETURN_IF_ERROR(
          ReadCount(*page_size, MemberPath(path, "page_size"), 1, kScenarioBatchSizeMax, &sync.page_size));
    }
    if (const json* buffer_max = Find(value, "buffer_max")) {
      SYNCSIM_RETURN_IF_ERROR(
          ReadCount(*buffer_max, MemberPath(path, "buffer_max"), 1, kScenarioBufferMax, &sync.buffer_max));
    }
    if (const json* flush = Find(value, "flush_interval_ms")) {
      SYNCSIM_RETURN_IF_ERROR(ReadInteger(*flush, MemberPath(path, "flush_interval_ms"), 1,
                                                 kFlushIntervalMsMax, &sync.flush_interval_ms));
    }
    SYNCSIM_RETURN_IF_ERROR(ParseRetryKnobs(value, path));
    if (const json* unacked = Find(value, "unacked_batches_max")) {
      SYNCSIM_RETURN_IF_ERROR(ReadCount(*unacked, MemberPath(path, "unacked_batches_max"), 1,
                                               kScenarioBufferMax, &sync.unacked_batches_max));
    }
    return Status::Ok();
  }

  // The retry schedule: the first wait, the bounds a measured round trip
  // moves the wait within, the backoff cap and the attempts of a request.
  Status ParseRetryKnobs(const json& value, const std::string& path) {
    core::SyncSettings& sync = scenario_.sync;
    if (const json* timeout = Find(value, "retry_timeout_ms")) {
      SYNCSIM_RETURN_IF_ERROR(ReadInteger(*timeout, MemberPath(path, "retry_timeout_ms"), 1,
                                                 kRetryMsMax, &sync.retry_timeout_ms));
    }
    if (const json* minimum = Find(value, "retry_timeout_ms_min")) {
      SYNCSIM_RETURN_IF_ERROR(ReadInteger(*minimum, MemberPath(path, "retry_timeout_ms_min"), 1, kRetryMsMax,
                                          &sync.retry_timeout_ms_min));
    }
    const json* maximum = Find(value, "retry_timeout_ms_max");
    if (maximum != nullptr) {
      SYNCSIM_RETURN_IF_ERROR(ReadInteger(*maximum, MemberPath(path, "retry_timeout_ms_max"), 1,
                                          kRetryTimeoutMsMaxBound, &sync.retry_timeout_ms_max));
    }
    if (sync.retry_timeout_ms_max < sync.retry_timeout_ms_min) {
      return Invalid(MemberPath(path, maximum != nullptr ? "retry_timeout_ms_max" : "retry_timeout_ms_min"),
                     "the longest retry timeout (retry_timeout_ms_max " + std::to_string(sync.retry_timeout_ms_max) +
                         ") is shorter than the shortest (retry_timeout_ms_min " +
                         std::to_string(sync.retry_timeout_ms_min) + ")");
    }
    if (const json* cap = Find(value, "retry_backoff_ms_max")) {
      SYNCSIM_RETURN_IF_ERROR(ReadInteger(*cap, MemberPath(path, "retry_backoff_ms_max"), 1, kRetryMsMax,
                                                 &sync.retry_backoff_ms_max));
    }
    if (const json* attempts = Find(value, "retry_attempts_max")) {
      SYNCSIM_RETURN_IF_ERROR(ReadCount(*attempts, MemberPath(path, "retry_attempts_max"), 1,
                                               kRetryAttemptsMax, &sync.retry_attempts_max));
    }
    return Status::Ok();
  }

  // The leader engine's timers: a heartbeat, and a lease longer than it.
  Status ParseLeaderKnobs(const json& value, const std::string& path) {
    core::SyncSettings& sync = scenario_.sync;
    if (const json* heartbeat = Find(value, "leader_heartbeat_ms")) {
      SYNCSIM_RETURN_IF_ERROR(ReadInteger(*heartbeat, MemberPath(path, "leader_heartbeat_ms"), 1, kLeaderMsMax,
                                          &sync.leader_heartbeat_ms));
    }
    const json* lease = Find(value, "leader_lease_ms");
    if (lease != nullptr) {
      SYNCSIM_RETURN_IF_ERROR(
          ReadInteger(*lease, MemberPath(path, "leader_lease_ms"), 2, kLeaderMsMax, &sync.leader_lease_ms));
    }
    if (sync.leader_lease_ms <= sync.leader_heartbeat_ms) {
      return Invalid(MemberPath(path, lease != nullptr ? "leader_lease_ms" : "leader_heartbeat_ms"),
                     "the lease (leader_lease_ms " + std::to_string(sync.leader_lease_ms) +
                         ") must be longer than the heartbeat (leader_heartbeat_ms " +
                         std::to_string(sync.leader_heartbeat_ms) + ")");
    }
    return Status::Ok();
  }

  // sync.engine: a name of the engine registry (core/engine_registry.h).
  Status ParseEngine(const json& value, const std::string& path) {
    std::string name;
    SYNCSIM_RETURN_IF_ERROR(ReadString(value, path, &name));
    if (core::FindEngine(name) == nullptr) {
      const std::vector<std::string_view> names = core::EngineNames();
      std::string known;
      for (std::string_view engine : names) known += (known.empty() ? "" : ", ") + std::string(engine);
      return Invalid(path, "unknown engine " + Quoted(name) + Suggestion(name, names) + "; known engines: " + known);
    }
    scenario_.sync.engine = std::move(name);
    return Status::Ok();
  }

  Status ParseSync(const json& value, const std::string& path) {
    SYNCSIM_RETURN_IF_ERROR(CheckObject(value, path, kSyncKeys, {}));
    core::SyncSettings& sync = scenario_.sync;
    if (const json* engine = Find(value, "engine")) {
      SYNCSIM_RETURN_IF_ERROR(ParseEngine(*engine, MemberPath(path, "engine")));
    }
    if (const json* policy = Find(value, "missing_dependency")) {
      const std::string policy_path = MemberPath(path, "missing_dependency");
      std::optional<core::MissingDependencyPolicy> parsed;
      if (policy->is_string()) parsed = core::ParseMissingDependencyPolicy(policy->get_ref<const std::string&>());
      if (!parsed.has_value()) {
        return Invalid(policy_path, "expected \"park\", \"drop\" or \"null\", got " + Describe(*policy));
      }
      sync.missing_dependency = *parsed;
    }
    SYNCSIM_RETURN_IF_ERROR(ParseSyncKnobs(value, path));
    SYNCSIM_RETURN_IF_ERROR(ParseLeaderKnobs(value, path));
    if (const json* merge = Find(value, "shared_merge")) {
      const std::string merge_path = MemberPath(path, "shared_merge");
      std::optional<core::SharedMerge> parsed;
      if (merge->is_string()) parsed = core::ParseSharedMerge(merge->get_ref<const std::string&>());
      if (!parsed.has_value()) return Invalid(merge_path, "expected \"record\" or \"field\", got " + Describe(*merge));
      sync.shared_merge = *parsed;
    }
    if (const json* defects = Find(value, "defects")) {
      const std::string defects_path = MemberPath(path, "defects");
      if (!defects->is_array()) {
        return Invalid(defects_path, "expected an array of defect names, got " + Describe(*defects));
      }
      for (size_t i = 0; i < defects->size(); ++i) {
        const std::string defect_path = ElementPath(defects_path, i);
        std::string name;
        SYNCSIM_RETURN_IF_ERROR(ReadString((*defects)[i], defect_path, &name));
        if (!core::IsKnownDefect(name)) {
          std::string known;
          for (std::string_view defect : core::KnownDefects()) known += (known.empty() ? "" : ", ") + std::string(defect);
          return Invalid(defect_path, "unknown defect " + Quoted(name) + Suggestion(name, core::KnownDefects()) +
                                          "; known defects: " + known);
        }
        if (!sync.defects.insert(name).second) {
          return Invalid(defect_path, "defect " + Quoted(name) + " is listed twice");
        }
      }
    }
    return Status::Ok();
  }

  Status ParseMustFail(const json& must_fail, const std::string& path) {
    ScenarioExpect& expect = scenario_.expect;
    if (!must_fail.is_array()) {
      return Invalid(path, "expected an array of check names, got " + Describe(must_fail));
    }
    for (size_t i = 0; i < must_fail.size(); ++i) {
      const std::string check_path = ElementPath(path, i);
      std::string name;
      SYNCSIM_RETURN_IF_ERROR(ReadString(must_fail[i], check_path, &name));
      const std::vector<std::string_view>& check_names = MustFailCheckNames();
      const bool known = std::find(check_names.begin(), check_names.end(), name) != check_names.end() ||
                         name.rfind("counts.", 0) == 0;
      if (!known) {
        std::string names;
        for (std::string_view check : check_names) names += (names.empty() ? "" : ", ") + std::string(check);
        return Invalid(check_path, "unknown check " + Quoted(name) + Suggestion(name, check_names) +
                                       "; checks: " + names + ", counts.DEVICE.MODEL");
      }
      if (!expect.must_fail.insert(name).second) {
        return Invalid(check_path, "check " + Quoted(name) + " is listed twice");
      }
    }
    return Status::Ok();
  }

  // expect.counts: declared device -> known model -> row count.
  Status ParseExpectedCounts(const json& counts, const std::string& path) {
    ScenarioExpect& expect = scenario_.expect;
    if (!counts.is_object()) {
      return Invalid(path, "expected an object of device -> model -> count, got " + Describe(counts));
    }
    for (const auto& [device, models] : counts.items()) {
      if (device_names_.count(device) == 0) {
        return Invalid(path, "unknown device " + Quoted(device) + Suggestion(device, device_names_));
      }
      const std::string device_path = MemberPath(path, device);
      if (!models.is_object()) {
        return Invalid(device_path, "expected an object of model -> count, got " + Describe(models));
      }
      std::map<std::string, int64_t>& device_counts = expect.counts[device];
      for (const auto& [model, count] : models.items()) {
        bool known = false;
        for (std::string_view name : ModelNames()) known = known || name == model;
        if (!known) {
          std::string names;
          for (std::string_view name : ModelNames()) names += (names.empty() ? "" : ", ") + std::string(name);
          return Invalid(device_path, "unknown model " + Quoted(model) + Suggestion(model, ModelNames()) +
                                          "; models: " + names);
        }
        int64_t number = 0;
        SYNCSIM_RETURN_IF_ERROR(ReadInteger(count, MemberPath(device_path, model), 0, kInt64Max, &number));
        device_counts[model] = number;
      }
    }
    return Status::Ok();
  }

  Status ParseExpect(const json& value, const std::string& path) {
    SYNCSIM_RETURN_IF_ERROR(CheckObject(value, path, AcceptedExpectKeys(), {}));
    ScenarioExpect& expect = scenario_.expect;
    if (const json* converged = Find(value, "converged")) {
      bool flag = false;
      SYNCSIM_RETURN_IF_ERROR(ReadBool(*converged, MemberPath(path, "converged"), &flag));
      expect.converged = flag;
    }
    if (const json* stall = Find(value, "stall")) {
      bool flag = false;
      SYNCSIM_RETURN_IF_ERROR(ReadBool(*stall, MemberPath(path, "stall"), &flag));
      expect.stall = flag;
    }
    if (const json* linkage = Find(value, "linkage_min")) {
      double ratio = 0;
      SYNCSIM_RETURN_IF_ERROR(ReadFraction(*linkage, MemberPath(path, "linkage_min"), &ratio));
      expect.linkage_min = ratio;
    }
    if (const json* orphans = Find(value, "orphans_max")) {
      int64_t count = 0;
      SYNCSIM_RETURN_IF_ERROR(ReadInteger(*orphans, MemberPath(path, "orphans_max"), 0, kInt64Max, &count));
      expect.orphans_max = count;
    }
    if (const json* must_fail = Find(value, "must_fail")) {
      SYNCSIM_RETURN_IF_ERROR(ParseMustFail(*must_fail, MemberPath(path, "must_fail")));
    }
    if (const json* resyncs = Find(value, "resyncs_max")) {
      int64_t count = 0;
      SYNCSIM_RETURN_IF_ERROR(ReadInteger(*resyncs, MemberPath(path, "resyncs_max"), 0, kInt64Max, &count));
      expect.resyncs_max = count;
    }
    if (const json* repaired = Find(value, "repaired_max")) {
      int64_t count = 0;
      SYNCSIM_RETURN_IF_ERROR(ReadInteger(*repaired, MemberPath(path, "repaired_max"), 0, kInt64Max, &count));
      expect.repaired_max = count;
    }
    if (const json* within = Find(value, "converge_within_ms")) {
      int64_t bound_ms = 0;
      SYNCSIM_RETURN_IF_ERROR(
          ReadInteger(*within, MemberPath(path, "converge_within_ms"), 1, kScenarioTimeMsMax, &bound_ms));
      expect.converge_within_ms = bound_ms;
    }
    if (const json* counts = Find(value, "counts")) {
      SYNCSIM_RETURN_IF_ERROR(ParseExpectedCounts(*counts, MemberPath(path, "counts")));
    }
    return Status::Ok();
  }

  Scenario scenario_;
  std::set<std::string, std::less<>> device_names_;
};

}  // namespace


Status ParseScenario(const json& document, Scenario* scenario) {
  SYNCSIM_ASSERT(scenario != nullptr);
  ScenarioParser parser;
  return parser.Parse(document, scenario);
}

Status LoadScenarioFile(const std::string& path, const std::vector<std::string>& overrides,
                        std::optional<uint64_t> seed_override, Scenario* scenario, json* resolved, json* swarm) {
  SYNCSIM_ASSERT(scenario != nullptr);
  SYNCSIM_ASSERT(resolved != nullptr);
  std::string text;
  Status status = ReadFileText(path, &text);
  if (!status.ok()) return Prefixed(path, status);
  json document;
  status = ParseStrictJson(text, &document);
  if (!status.ok()) return Prefixed(path, status);
  for (const std::string& assignment : overrides) {
    status = ApplyOverride(&document, assignment);
    if (!status.ok()) return Prefixed(path, status);
  }
  if (seed_override.has_value() && document.is_object()) document["seed"] = *seed_override;
  Scenario parsed;
  status = ParseScenario(document, &parsed);
  if (!status.ok()) return Prefixed(path, status);
  if (swarm != nullptr) {
    // The file is valid (checked above, so its errors name its own paths);
    // what the swarm draws into it must keep it valid.
    *swarm = ApplySwarm(parsed.seed, &document);
    status = ParseScenario(document, &parsed);
    if (!status.ok()) std::fprintf(stderr, "syncsim: the swarm drew an invalid scenario: %s\n", status.message().c_str());
    SYNCSIM_ASSERT(status.ok());
  }
  if (!document.contains("seed")) document["seed"] = parsed.seed;
  *scenario = std::move(parsed);
  *resolved = std::move(document);
  return Status::Ok();
}

}  // namespace syncsim::sim

