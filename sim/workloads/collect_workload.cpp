#include "sim/workloads/collect_workload.h"

#include <algorithm>
#include <any>

#include <fmt/format.h>

#include "sim/action/action.h"
#include "sim/action/action_bounds.h"
#include "sim/action/action_run.h"
#include "sim/action/step_parse_context.h"
#include "sim/base/assert.h"
#include "sim/base/json_readers.h"

namespace syncsim::sim {
namespace {

constexpr int64_t kOffRetryUs = 100'000;
constexpr int64_t kStepPeriodUs = 1'000'000 / CollectWorkload::kWritesPerSecond;
// Membership uuids derive from (collection, entry), so adding an entry twice
// writes the same record.
const core::Uuid kMembershipNamespace(0x3c1d5e7f90a2b4c6ULL, 0x8e0f1a2b3c4d5e6fULL);

}  // namespace

CollectWorkload::CollectWorkload(Cluster* cluster, std::string device, std::string owner, uint32_t collections,
                                 uint32_t entries_per_collection, Random random)
    : cluster_(*cluster),
      device_(std::move(device)),
      owner_(std::move(owner)),
      entries_per_collection_(entries_per_collection),
      random_(random),
      collections_(collections),
      members_(collections) {}

void CollectWorkload::Setup() {
  SYNCSIM_ASSERT(cluster_.directory().Contains(device_));
  SYNCSIM_ASSERT(cluster_.directory().Contains(owner_));
  for (core::Uuid& collection : collections_) {
    const uint64_t high = random_.NextU64();
    const uint64_t low = random_.NextU64();
    collection = core::Uuid::FromRandomBits(high, low);
  }
}

void CollectWorkload::Run() {
  if (collections_.empty()) {
    done_ = true;
    return;
  }
  cluster_.BeginWork();
  cluster_.scheduler().ScheduleAfter(0, "collect " + device_, [this] { Step(); });
}

void CollectWorkload::Step() {
  SimDevice& device = cluster_.device(device_);
  if (!device.is_on()) {
    cluster_.scheduler().ScheduleAfter(kOffRetryUs, "collect " + device_, [this] { Step(); });
    return;
  }
  // Write order: each collection, then its members.
  const uint64_t per_collection = 1 + entries_per_collection_;
  const size_t collection_index = static_cast<size_t>(next_write_ / per_collection);
  const uint64_t position = next_write_ % per_collection;
  const core::Uuid& collection = collections_[collection_index];
  bool written = true;
  if (position == 0) {
    written = Written(device.Write([&](core::Engine& engine) {
      return engine.WriteShared("collection", collection,
                                {{"name", fmt::format("collection-{}", collection_index)},
                                 {"description", fmt::format("made by {}", device_)}});
    }));
  } else {
    written = AddMember(collection_index, position);
  }
  if (!written) {
    cluster_.scheduler().ScheduleAfter(kOffRetryUs, "collect " + device_, [this] { Step(); });
    return;
  }
  ++next_write_;
  if (next_write_ >= per_collection * collections_.size()) {
    done_ = true;
    cluster_.EndWork();
    return;
  }
  cluster_.scheduler().ScheduleAfter(kStepPeriodUs, "collect " + device_, [this] { Step(); });
}

bool CollectWorkload::AddMember(size_t collection_index, uint64_t position) {
  SimDevice& device = cluster_.device(device_);
  core::LibraryDb& library = *device.library();
  const std::string owner_uuid = cluster_.directory().UuidOf(owner_).ToString();
  const std::string owned = "FROM entry e JOIN location l ON l.id = e.location_id JOIN device d ON d.id = l.device_id "
                            "WHERE d.uuid = ?1";
  core::Statement& count = library.sql().Prepare("SELECT count(*) " + owned);
  count.Bind(1, owner_uuid);
  count.Step();
  const int64_t entries = count.Int(0);
  count.Reset();
  if (entries == 0) return true;  // none of the owner's entries has reached this device yet
  core::Statement& pick = library.sql().Prepare("SELECT e.uuid " + owned + " ORDER BY e.uuid LIMIT 1 OFFSET ?2");
  pick.Bind(1, owner_uuid);
  pick.Bind(2, static_cast<int64_t>(random_.Uniform(static_cast<uint64_t>(entries))));
  SYNCSIM_ASSERT(pick.Step());
  const std::string entry = pick.Text(0);
  pick.Reset();
  const core::Uuid& collection = collections_[collection_index];
  const core::Uuid membership = core::Uuid::FromName(kMembershipNamespace, collection.ToString() + entry);
  const bool written = Written(device.Write([&](core::Engine& engine) {
    return engine.WriteShared("collection_entry", membership,
                              {{"position", static_cast<int64_t>(position)},
                               {"collection_uuid", collection.ToString()},
                               {"entry_uuid", entry}});
  }));
  if (!written) return false;
  std::vector<std::string>& members = members_[collection_index];
  if (std::find(members.begin(), members.end(), entry) == members.end()) members.push_back(entry);
  return true;
}

std::vector<std::string> CollectWorkload::Check() {
  core::LibraryDb* library = cluster_.device(device_).library();
  if (library == nullptr) return {fmt::format("collect on {}: the device never started", device_)};
  size_t missing_collections = 0;
  size_t wrong_membership = 0;
  for (size_t i = 0; i < collections_.size(); ++i) {
    core::Statement& count = library->sql().Prepare(
        "SELECT (SELECT count(*) FROM collection WHERE uuid = ?1), (SELECT count(*) FROM collection_entry ce "
        "JOIN collection c ON c.id = ce.collection_id WHERE c.uuid = ?1)");
    count.Bind(1, collections_[i].ToString());
    count.Step();
    const int64_t collection_rows = count.Int(0);
    const int64_t member_rows = count.Int(1);
    count.Reset();
    // Members whose entry was deleted since leave with it.
    int64_t expected_members = 0;
    for (const std::string& entry : members_[i]) {
      core::Statement& exists = library->sql().Prepare("SELECT count(*) FROM entry WHERE uuid = ?1");
      exists.Bind(1, entry);
      exists.Step();
      expected_members += exists.Int(0);
      exists.Reset();
    }
    if (collection_rows != 1) ++missing_collections;
    if (member_rows != expected_members) ++wrong_membership;
  }
  if (missing_collections + wrong_membership == 0) return {};
  return {fmt::format("collect on {}: {} collections missing, {} with another number of members", device_,
                      missing_collections, wrong_membership)};
}

// ---- The collect action ----

namespace {

using nlohmann::json;

core::Status ParseCollect(const json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  CollectSettings parsed;
  SYNCSIM_RETURN_IF_ERROR(context->ReadDevice(step["device"], MemberPath(path, "device"), &parsed.device));
  SYNCSIM_RETURN_IF_ERROR(ReadCount(step["collections"], MemberPath(path, "collections"), 0, kScenarioOperationsMax,
                                    &parsed.collections));
  SYNCSIM_RETURN_IF_ERROR(ReadCount(step["entries_per_collection"], MemberPath(path, "entries_per_collection"), 0,
                                    kScenarioOperationsMax, &parsed.entries_per_collection));
  if (const json* owner = Find(step, "owner")) {
    SYNCSIM_RETURN_IF_ERROR(context->ReadDevice(*owner, MemberPath(path, "owner"), &parsed.owner));
  }
  const uint64_t total = uint64_t{parsed.collections} * parsed.entries_per_collection;
  if (total > kScenarioOperationsMax) {
    return Invalid(path, "collections * entries_per_collection is " + std::to_string(total) +
                             " collection entries, the maximum is " + std::to_string(kScenarioOperationsMax));
  }
  context->CountOperations(total);
  *settings = std::move(parsed);
  return core::Status::Ok();
}

core::Status RunCollect(const std::any& any_settings, ActionRun* run) {
  const CollectSettings& settings = std::any_cast<const CollectSettings&>(any_settings);
  run->StartWorkload(std::make_unique<CollectWorkload>(
      &run->cluster(), settings.device, settings.owner.empty() ? settings.device : settings.owner,
      settings.collections, settings.entries_per_collection, run->NewWorkloadStream()));
  return core::Status::Ok();
}

const bool kRegistered =
    RegisterAction({.name = "collect",
                    .kind = ActionKind::kWorkload,
                    .listing_order = 130,
                    .keys = {{"device", true, "a device name"},
                             {"collections", true, "a count from 0 to 1000000"},
                             {"entries_per_collection", true, "a count from 0 to 1000000; the product at most 1000000"},
                             {"owner", false, "a device name: whose entries (default the collecting device)"}},
                    .parse = ParseCollect,
                    .run = RunCollect,
                    .shrink = {.size_keys = {{"collections", 0}, {"entries_per_collection", 0}}}});

}  // namespace

}  // namespace syncsim::sim
