#include "sim/workloads/mutate_workload.h"

#include <any>
#include <array>

#include <fmt/format.h>

#include "sim/action/action.h"
#include "sim/action/action_bounds.h"
#include "sim/action/action_run.h"
#include "sim/action/step_parse_context.h"
#include "sim/base/assert.h"
#include "sim/base/json_readers.h"
#include "sim/workloads/index_workload.h"

namespace syncsim::sim {
namespace {

// When the device is off, the workload waits and tries again this much later.
constexpr int64_t kOffRetryUs = 100'000;
constexpr int64_t kMicrosecondsPerSecond = 1'000'000;

std::string QueryOne(core::LibraryDb& library, const std::string& sql, const std::vector<std::string>& texts,
                     const std::vector<int64_t>& numbers = {}) {
  core::Statement& statement = library.sql().Prepare(sql);
  int index = 1;
  for (const std::string& text : texts) statement.Bind(index++, text);
  for (int64_t number : numbers) statement.Bind(index++, number);
  std::string result;
  if (statement.Step() && !statement.IsNull(0)) result = statement.Text(0);
  statement.Reset();
  return result;
}

}  // namespace

MutateWorkload::MutateWorkload(Cluster* cluster, MutateSettings settings, Random random, IndexWorkload* index)
    : cluster_(*cluster), settings_(std::move(settings)), random_(random), index_(index) {}

void MutateWorkload::Setup() {
  SYNCSIM_ASSERT(settings_.ops_per_s > 0);
  SYNCSIM_ASSERT(cluster_.directory().Contains(settings_.device));
  operations_.insert(operations_.end(), settings_.renames, Operation::kRename);
  operations_.insert(operations_.end(), settings_.moves, Operation::kMove);
  operations_.insert(operations_.end(), settings_.deletes, Operation::kDelete);
  random_.Shuffle(operations_);
  step_period_us_ = std::max<int64_t>(1, kMicrosecondsPerSecond / settings_.ops_per_s);
}

void MutateWorkload::Run() {
  if (operations_.empty()) {
    done_ = true;
    return;
  }
  cluster_.BeginWork();
  cluster_.scheduler().ScheduleAfter(0, "mutate " + settings_.location, [this] { Step(); });
}

void MutateWorkload::Step() {
  // Wait for the device, and for the indexer to finish the location: it
  // writes below folders this workload could move or delete.
  if (!cluster_.device(settings_.device).is_on() || (index_ != nullptr && !index_->done())) {
    cluster_.scheduler().ScheduleAfter(kOffRetryUs, "mutate " + settings_.location, [this] { Step(); });
    return;
  }
  const Operation operation = operations_[next_operation_++];
  bool applied = false;
  switch (operation) {
    case Operation::kRename:
      applied = Rename();
      break;
    case Operation::kMove:
      applied = Move();
      break;
    case Operation::kDelete:
      applied = Delete();
      break;
  }
  if (storage_failed_) {  // the device is restarting: the same operation once it is back
    storage_failed_ = false;
    --next_operation_;
    cluster_.scheduler().ScheduleAfter(kOffRetryUs, "mutate " + settings_.location, [this] { Step(); });
    return;
  }
  if (!applied) ++skipped_;
  if (next_operation_ >= operations_.size()) {
    done_ = true;
    cluster_.EndWork();
    return;
  }
  cluster_.scheduler().ScheduleAfter(step_period_us_, "mutate " + settings_.location, [this] { Step(); });
}

bool MutateWorkload::Write(const std::function<core::Status(core::Engine&)>& write) {
  if (Written(cluster_.device(settings_.device).Write(write))) return true;
  storage_failed_ = true;
  return false;
}

std::string MutateWorkload::LocationUuid() {
  if (index_ != nullptr) return index_->location_uuid().ToString();
  core::LibraryDb& library = *cluster_.device(settings_.device).library();
  return QueryOne(library,
                  "SELECT l.uuid FROM location l JOIN device d ON d.id = l.device_id WHERE l.name = ?1 AND d.uuid = ?2 "
                  "ORDER BY l.uuid LIMIT 1",
                  {settings_.location, cluster_.device(settings_.device).uuid().ToString()});
}

std::string MutateWorkload::PickEntry(bool directories_only, bool exclude_root) {
  core::LibraryDb& library = *cluster_.device(settings_.device).library();
  const std::string location = LocationUuid();
  if (location.empty()) return {};
  const std::string filter =
      "FROM entry e JOIN location l ON l.id = e.location_id WHERE l.uuid = ?1" +
      std::string(directories_only ? " AND e.kind = 1" : "") + (exclude_root ? " AND e.parent_id IS NOT NULL" : "");
  const std::string count_text = QueryOne(library, "SELECT count(*) " + filter, {location});
  const int64_t count = count_text.empty() ? 0 : std::stoll(count_text);
  if (count == 0) return {};
  const int64_t offset = static_cast<int64_t>(random_.Uniform(static_cast<uint64_t>(count)));
  return QueryOne(library, "SELECT e.uuid " + filter + " ORDER BY e.uuid LIMIT 1 OFFSET ?2", {location}, {offset});
}

bool MutateWorkload::Rename() {
  const std::string uuid = PickEntry(/*directories_only=*/false, /*exclude_root=*/true);
  if (uuid.empty()) return false;
  core::LibraryDb& library = *cluster_.device(settings_.device).library();
  const std::string old_name = QueryOne(library, "SELECT name FROM entry WHERE uuid = ?1", {uuid});
  const std::string new_name = fmt::format("renamed-{}-{}", next_operation_, old_name);
  if (!Write([&](core::Engine& engine) {
        return engine.WriteOwned("entry", core::Uuid::Parse(uuid).value(), {{"name", new_name}});
      })) {
    return false;
  }
  expected_names_[uuid] = new_name;
  NoteChanged(uuid);
  return true;
}

bool MutateWorkload::Move() {
  const std::string uuid = PickEntry(/*directories_only=*/false, /*exclude_root=*/true);
  if (uuid.empty()) return false;
  core::LibraryDb& library = *cluster_.device(settings_.device).library();
  // A folder of the same location that is neither the entry, nor below it,
  // nor its current parent.
  const std::string where =
      "FROM entry d JOIN location l ON l.id = d.location_id, entry e WHERE e.uuid = ?1 AND l.uuid = ?2 "
      "AND d.kind = 1 AND d.id != e.id AND (e.parent_id IS NULL OR d.id != e.parent_id) AND d.id NOT IN "
      "(SELECT descendant_id FROM entry_closure WHERE ancestor_id = e.id)";
  const std::string location = LocationUuid();
  const std::string count_text = QueryOne(library, "SELECT count(*) " + where, {uuid, location});
  const int64_t count = count_text.empty() ? 0 : std::stoll(count_text);
  if (count == 0) return false;
  const int64_t offset = static_cast<int64_t>(random_.Uniform(static_cast<uint64_t>(count)));
  const std::string target =
      QueryOne(library, "SELECT d.uuid " + where + " ORDER BY d.uuid LIMIT 1 OFFSET ?3", {uuid, location}, {offset});
  SYNCSIM_ASSERT(!target.empty());
  if (!Write([&](core::Engine& engine) {
        return engine.WriteOwned("entry", core::Uuid::Parse(uuid).value(), {{"parent_uuid", target}});
      })) {
    return false;
  }
  expected_parents_[uuid] = target;
  NoteChanged(uuid);
  return true;
}

bool MutateWorkload::Delete() {
  const std::string uuid = PickEntry(/*directories_only=*/false, /*exclude_root=*/true);
  if (uuid.empty()) return false;
  core::LibraryDb& library = *cluster_.device(settings_.device).library();
  // The subtree goes with it.
  std::vector<std::string> subtree;
  core::Statement& select = library.sql().Prepare(
      "SELECT d.uuid FROM entry e JOIN entry_closure c ON c.ancestor_id = e.id JOIN entry d ON d.id = c.descendant_id "
      "WHERE e.uuid = ?1 ORDER BY d.uuid");
  select.Bind(1, uuid);
  while (select.Step()) subtree.push_back(select.Text(0));
  select.Reset();
  if (!Write([&](core::Engine& engine) { return engine.DeleteOwned("entry", core::Uuid::Parse(uuid).value()); })) {
    return false;
  }
  for (const std::string& gone : subtree) {
    deleted_.insert(gone);
    expected_names_.erase(gone);
    expected_parents_.erase(gone);
    NoteChanged(gone);
  }
  deleted_.insert(uuid);
  NoteChanged(uuid);
  return true;
}

void MutateWorkload::NoteChanged(const std::string& uuid) {
  if (index_ != nullptr) index_->NoteMutated(core::Uuid::Parse(uuid).value(), this);
}

std::vector<std::string> MutateWorkload::Check() {
  core::LibraryDb* library = cluster_.device(settings_.device).library();
  if (library == nullptr) return {fmt::format("mutate {}: device {} never started", settings_.location, settings_.device)};
  size_t wrong_names = 0;
  size_t wrong_parents = 0;
  size_t resurrected = 0;
  // A later mutate workload of the same location may have changed an entry
  // again; it checks that entry instead.
  auto mine = [&](const std::string& uuid) {
    return index_ == nullptr || index_->LastMutator(core::Uuid::Parse(uuid).value()) == this;
  };
  for (const auto& [uuid, name] : expected_names_) {
    if (!mine(uuid)) continue;
    if (QueryOne(*library, "SELECT name FROM entry WHERE uuid = ?1", {uuid}) != name) ++wrong_names;
  }
  for (const auto& [uuid, parent] : expected_parents_) {
    if (!mine(uuid)) continue;
    const std::string actual =
        QueryOne(*library, "SELECT p.uuid FROM entry e JOIN entry p ON p.id = e.parent_id WHERE e.uuid = ?1", {uuid});
    if (actual != parent) ++wrong_parents;
  }
  for (const std::string& uuid : deleted_) {
    if (!QueryOne(*library, "SELECT uuid FROM entry WHERE uuid = ?1", {uuid}).empty()) ++resurrected;
  }
  if (wrong_names + wrong_parents + resurrected == 0) return {};
  return {fmt::format("mutate {} on {}: {} renamed entries without their new name, {} moved entries under another "
                      "parent, {} deleted entries present",
                      settings_.location, settings_.device, wrong_names, wrong_parents, resurrected)};
}

// ---- The mutate action ----

namespace {

using nlohmann::json;

core::Status ParseMutate(const json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  MutateSettings parsed;
  SYNCSIM_RETURN_IF_ERROR(context->ReadDevice(step["device"], MemberPath(path, "device"), &parsed.device));
  const std::string location_path = MemberPath(path, "location");
  SYNCSIM_RETURN_IF_ERROR(ReadName(step["location"], location_path, &parsed.location));
  if (!context->FirstPathOf(kIndexedLocationTopic, IndexedLocationKey(parsed.device, parsed.location))) {
    return Invalid(location_path, "location " + Quoted(parsed.location) + " is not indexed on device " +
                                      Quoted(parsed.device) + " by an earlier step");
  }
  const std::array<std::pair<std::string_view, uint32_t*>, 3> counts = {
      std::make_pair(std::string_view("renames"), &parsed.renames),
      std::make_pair(std::string_view("moves"), &parsed.moves),
      std::make_pair(std::string_view("deletes"), &parsed.deletes),
  };
  for (const auto& [key, out] : counts) {
    if (const json* count = Find(step, key)) {
      SYNCSIM_RETURN_IF_ERROR(ReadCount(*count, MemberPath(path, key), 0, kScenarioOperationsMax, out));
    }
  }
  if (const json* rate = Find(step, "ops_per_s")) {
    SYNCSIM_RETURN_IF_ERROR(ReadCount(*rate, MemberPath(path, "ops_per_s"), 1, kScenarioOperationsMax, &parsed.ops_per_s));
  }
  context->CountOperations(uint64_t{parsed.renames} + parsed.moves + parsed.deletes);
  *settings = std::move(parsed);
  return core::Status::Ok();
}

core::Status RunMutate(const std::any& any_settings, ActionRun* run) {
  const MutateSettings& settings = std::any_cast<const MutateSettings&>(any_settings);
  // The latest index step of the same location on the same device.
  IndexWorkload* index = nullptr;
  for (Workload* earlier : run->workloads()) {
    auto* candidate = dynamic_cast<IndexWorkload*>(earlier);
    if (candidate != nullptr && candidate->settings().device == settings.device &&
        candidate->settings().location == settings.location) {
      index = candidate;
    }
  }
  run->StartWorkload(std::make_unique<MutateWorkload>(&run->cluster(), settings, run->NewWorkloadStream(), index));
  return core::Status::Ok();
}

const bool kRegistered = RegisterAction(
    {.name = "mutate",
     .kind = ActionKind::kWorkload,
     .listing_order = 110,
     .keys = {{"device", true, "a device name"},
              {"location", true, "a location an earlier index step indexed on the device"},
              {"renames", false, "a count from 0 to 1000000 (default 0)"},
              {"moves", false, "a count from 0 to 1000000 (default 0)"},
              {"deletes", false, "a count from 0 to 1000000 (default 0)"},
              {"ops_per_s", false, "a count from 1 to 1000000 (default 100)"}},
     .parse = ParseMutate,
     .run = RunMutate,
     .shrink = {.size_keys = {{"renames", 0}, {"moves", 0}, {"deletes", 0}}}});

}  // namespace

}  // namespace syncsim::sim
