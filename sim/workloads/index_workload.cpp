#include "sim/workloads/index_workload.h"

#include <any>
#include <array>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "sim/action/action.h"
#include "sim/action/action_bounds.h"
#include "sim/action/action_run.h"
#include "sim/action/step_parse_context.h"
#include "sim/base/assert.h"
#include "sim/base/json_readers.h"

namespace syncsim::sim {
namespace {

constexpr std::array<const char*, 8> kExtensions = {"jpg", "png", "txt", "pdf", "mp4", "md", "rs", "zip"};
// A fixed origin for synthetic modification times (virtual, not the host's).
constexpr int64_t kModifiedAtOriginMs = 1'600'000'000'000;
// When the device is off, the indexer waits and tries again this much later.
constexpr int64_t kOffRetryUs = 100'000;

}  // namespace

core::Uuid ContentNamespace() { return core::Uuid(0x6a7b1c2d3e4f5061ULL, 0x8a9bacbdcedf0f1eULL); }

IndexWorkload::IndexWorkload(Cluster* cluster, IndexSettings settings, Random random)
    : cluster_(*cluster), settings_(std::move(settings)), random_(random) {}

void IndexWorkload::Setup() {
  SYNCSIM_ASSERT(plan_.empty());
  SYNCSIM_ASSERT(settings_.dirs >= 1 && settings_.dirs <= kIndexDirsMax);
  SYNCSIM_ASSERT(settings_.files <= kIndexFilesMax);
  SYNCSIM_ASSERT(settings_.files_per_s > 0);
  SYNCSIM_ASSERT(cluster_.directory().Contains(settings_.device));
  auto new_uuid = [this] {
    const uint64_t high = random_.NextU64();
    const uint64_t low = random_.NextU64();
    return core::Uuid::FromRandomBits(high, low);
  };
  location_uuid_ = new_uuid();
  plan_.reserve(settings_.dirs + settings_.files);
  PlannedEntry root;
  root.uuid = new_uuid();
  root.is_directory = true;
  root.name = settings_.location;
  plan_.push_back(root);
  for (uint32_t dir = 1; dir < settings_.dirs; ++dir) {
    PlannedEntry entry;
    entry.uuid = new_uuid();
    entry.parent = static_cast<int64_t>(random_.Uniform(dir));
    entry.is_directory = true;
    entry.name = fmt::format("dir-{}", dir);
    plan_.push_back(entry);
  }
  std::vector<std::string> hashes;
  for (uint32_t file = 0; file < settings_.files; ++file) {
    PlannedEntry entry;
    entry.uuid = new_uuid();
    entry.parent = static_cast<int64_t>(random_.Uniform(settings_.dirs));
    entry.extension = random_.Choice(std::vector<const char*>(kExtensions.begin(), kExtensions.end()));
    entry.name = fmt::format("file-{}.{}", file, entry.extension);
    entry.size = random_.Range(1, 50'000'000);
    std::string hash;
    if (!hashes.empty() && random_.Bernoulli(settings_.duplicate_content)) {
      hash = random_.Choice(hashes);
    } else {
      const uint64_t high = random_.NextU64();
      const uint64_t low = random_.NextU64();
      hash = fmt::format("{:016x}{:016x}", high, low);
      hashes.push_back(hash);
    }
    if (!random_.Bernoulli(settings_.identify_errors)) entry.content_hash = hash;
    plan_.push_back(entry);
  }
  step_period_us_ = std::max<int64_t>(1, 1'000'000 / settings_.files_per_s);
}

uint32_t IndexWorkload::identified_files() const {
  uint32_t count = 0;
  for (const PlannedEntry& entry : plan_) count += entry.content_hash.empty() ? 0 : 1;
  return count;
}

uint32_t IndexWorkload::distinct_contents() const {
  std::set<std::string> hashes;
  for (const PlannedEntry& entry : plan_) {
    if (!entry.content_hash.empty()) hashes.insert(entry.content_hash);
  }
  return static_cast<uint32_t>(hashes.size());
}

void IndexWorkload::Run() {
  SYNCSIM_ASSERT(!plan_.empty());
  cluster_.BeginWork();
  cluster_.scheduler().ScheduleAfter(0, "index " + settings_.location, [this] { Step(); });
}

void IndexWorkload::Step() {
  SimDevice& device = cluster_.device(settings_.device);
  if (!device.is_on()) {
    cluster_.scheduler().ScheduleAfter(kOffRetryUs, "index " + settings_.location, [this] { Step(); });
    return;
  }
  // Steps: 0 writes the location, 1..plan size writes entries, then one
  // step per file identifies it. Steps with nothing to do are skipped.
  const size_t entry_steps = plan_.size() + 1;
  bool wrote = false;
  while (!wrote && next_step_ < entry_steps + plan_.size()) {
    const size_t step = next_step_++;
    wrote = step < entry_steps ? WriteEntry(step) : Identify(step - entry_steps);
    if (storage_failed_) {  // the device is restarting: the same step once it is back
      storage_failed_ = false;
      next_step_ = step;
      cluster_.scheduler().ScheduleAfter(kOffRetryUs, "index " + settings_.location, [this] { Step(); });
      return;
    }
  }
  if (next_step_ >= entry_steps + plan_.size()) {
    done_ = true;
    cluster_.EndWork();
    return;
  }
  cluster_.scheduler().ScheduleAfter(step_period_us_, "index " + settings_.location, [this] { Step(); });
}

bool IndexWorkload::Write(const std::string& model, const core::Uuid& uuid, const nlohmann::json& data, bool shared) {
  const bool written = Written(cluster_.device(settings_.device).Write([&](core::Engine& engine) {
    return shared ? engine.WriteShared(model, uuid, data) : engine.WriteOwned(model, uuid, data);
  }));
  if (!written) storage_failed_ = true;
  return written;
}

bool IndexWorkload::WriteEntry(size_t step) {
  const core::Uuid& device_uuid = cluster_.device(settings_.device).uuid();
  if (step == 0) {
    return Write("location", location_uuid_,
                 {{"name", settings_.location},
                  {"path", "/" + settings_.location},
                  {"total_entries", static_cast<int64_t>(plan_.size())},
                  {"device_uuid", device_uuid.ToString()},
                  {"entry_uuid", nullptr}});
  }
  const PlannedEntry& entry = plan_[step - 1];
  nlohmann::json data = {
      {"name", entry.name},
      {"extension", entry.is_directory ? nlohmann::json(nullptr) : nlohmann::json(entry.extension)},
      {"kind", entry.is_directory ? 1 : 0},
      {"size", entry.size},
      {"modified_at", kModifiedAtOriginMs + static_cast<int64_t>(step) * 1000},
      {"location_uuid", location_uuid_.ToString()},
      {"parent_uuid", entry.parent < 0 ? nlohmann::json(nullptr)
                                       : nlohmann::json(plan_[static_cast<size_t>(entry.parent)].uuid.ToString())},
      {"content_uuid", nullptr},
      {"metadata_uuid", nullptr}};
  if (!Write("entry", entry.uuid, data)) return false;
  if (entry.parent < 0) return Write("location", location_uuid_, {{"entry_uuid", entry.uuid.ToString()}});
  return true;
}

bool IndexWorkload::Identify(size_t index) {
  const PlannedEntry& entry = plan_[index];
  if (entry.is_directory || entry.content_hash.empty()) return false;
  core::LibraryDb& library = *cluster_.device(settings_.device).library();
  const core::Uuid content = core::Uuid::FromName(ContentNamespace(), entry.content_hash);
  const core::ModelSpec* model = library.registry().Find("content_identity");
  // A content identity already known (a duplicate file, or one another
  // device identified first) is linked, not created again.
  if (!library.LocalId(*model, content).has_value()) {
    const bool created = Write("content_identity", content,
                               {{"content_hash", entry.content_hash},
                                {"kind", entry.extension},
                                {"total_size", entry.size},
                                {"integrity_checksum", nullptr}},
                               /*shared=*/true);
    if (!created) return false;
  }
  return Write("entry", entry.uuid, {{"content_uuid", content.ToString()}});
}

std::vector<std::string> IndexWorkload::Check() {
  std::vector<std::string> problems;
  core::LibraryDb* library = cluster_.device(settings_.device).library();
  if (library == nullptr) return {fmt::format("index {}: device {} never started", settings_.location, settings_.device)};
  core::Statement& select = library->sql().Prepare(
      "SELECT p.uuid, c.uuid FROM entry e LEFT JOIN entry p ON p.id = e.parent_id "
      "LEFT JOIN content_identity c ON c.id = e.content_id WHERE e.uuid = ?1");
  size_t missing = 0;
  size_t wrong_parent = 0;
  size_t wrong_content = 0;
  for (const PlannedEntry& entry : plan_) {
    if (last_mutator_.contains(entry.uuid)) continue;
    select.Reset();
    select.Bind(1, entry.uuid.ToString());
    if (!select.Step()) {
      ++missing;
      continue;
    }
    const std::string expected_parent =
        entry.parent < 0 ? std::string() : plan_[static_cast<size_t>(entry.parent)].uuid.ToString();
    if (select.Text(0) != expected_parent) ++wrong_parent;
    const std::string expected_content =
        entry.content_hash.empty() ? std::string()
                                   : core::Uuid::FromName(ContentNamespace(), entry.content_hash).ToString();
    if (select.Text(1) != expected_content) ++wrong_content;
  }
  select.Reset();
  if (missing + wrong_parent + wrong_content > 0) {
    problems.push_back(fmt::format("index {} on {}: {} planned entries missing, {} under the wrong parent, {} with "
                                   "the wrong content link",
                                   settings_.location, settings_.device, missing, wrong_parent, wrong_content));
  }
  return problems;
}

// ---- The index action ----

namespace {

using nlohmann::json;

core::Status ParseIndexSizes(const json& step, const std::string& path, IndexSettings* parsed) {
  SYNCSIM_RETURN_IF_ERROR(ReadCount(step["dirs"], MemberPath(path, "dirs"), 1, kScenarioDirsMax, &parsed->dirs));
  SYNCSIM_RETURN_IF_ERROR(ReadCount(step["files"], MemberPath(path, "files"), 0, kScenarioFilesMax, &parsed->files));
  if (const json* ratio = Find(step, "duplicate_content")) {
    SYNCSIM_RETURN_IF_ERROR(ReadFraction(*ratio, MemberPath(path, "duplicate_content"), &parsed->duplicate_content));
  }
  if (const json* ratio = Find(step, "identify_errors")) {
    SYNCSIM_RETURN_IF_ERROR(ReadFraction(*ratio, MemberPath(path, "identify_errors"), &parsed->identify_errors));
  }
  if (const json* rate = Find(step, "files_per_s")) {
    SYNCSIM_RETURN_IF_ERROR(ReadCount(*rate, MemberPath(path, "files_per_s"), 1, kScenarioFilesMax, &parsed->files_per_s));
  }
  return core::Status::Ok();
}

core::Status ParseIndex(const json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  IndexSettings parsed;
  SYNCSIM_RETURN_IF_ERROR(context->ReadDevice(step["device"], MemberPath(path, "device"), &parsed.device));
  const std::string location_path = MemberPath(path, "location");
  SYNCSIM_RETURN_IF_ERROR(ReadName(step["location"], location_path, &parsed.location));
  const std::string key = IndexedLocationKey(parsed.device, parsed.location);
  if (std::optional<std::string> first = context->FirstPathOf(kIndexedLocationTopic, key)) {
    return Invalid(location_path, "location " + Quoted(parsed.location) + " is already indexed on device " +
                                      Quoted(parsed.device) + " by " + *first);
  }
  context->Record(kIndexedLocationTopic, key, path);
  SYNCSIM_RETURN_IF_ERROR(ParseIndexSizes(step, path, &parsed));
  context->CountFiles(parsed.files);
  *settings = std::move(parsed);
  return core::Status::Ok();
}

core::Status RunIndex(const std::any& settings, ActionRun* run) {
  run->StartWorkload(
      std::make_unique<IndexWorkload>(&run->cluster(), std::any_cast<const IndexSettings&>(settings), run->NewWorkloadStream()));
  return core::Status::Ok();
}

const bool kRegistered = RegisterAction(
    {.name = "index",
     .kind = ActionKind::kWorkload,
     .listing_order = 100,
     .keys = {{"device", true, "a device name"},
              {"location", true, "a name, indexed once per device"},
              {"dirs", true, "a count from 1 to 100000, the root included"},
              {"files", true, "a count from 0 to 1000000"},
              {"duplicate_content", false, "a probability from 0 to 1 (default 0)"},
              {"identify_errors", false, "a probability from 0 to 1 (default 0)"},
              {"files_per_s", false, "a count from 1 to 1000000 (default 300)"}},
     .parse = ParseIndex,
     .run = RunIndex,
     .shrink = {.size_keys = {{"files", 0}, {"dirs", 1, false}},
                .probability_keys = {"duplicate_content", "identify_errors"}}});

}  // namespace

std::string IndexedLocationKey(const std::string& device, const std::string& location) {
  // Names hold no newline (ReadName), so the key is unambiguous.
  return device + "\n" + location;
}

}  // namespace syncsim::sim
