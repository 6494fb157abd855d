#include "sim/workloads/tag_workload.h"

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

// Namespaces of the derived uuids (metadata of an entry; a tag applied to
// a metadata record).
const core::Uuid kMetadataNamespace(0x51e7a0d2c3b44f10ULL, 0x9a8b7c6d5e4f3a2bULL);
const core::Uuid kApplicationNamespace(0x0ad4c3b2a1904f8eULL, 0x8d7c6b5a49382716ULL);
constexpr int64_t kOffRetryUs = 100'000;
constexpr std::array<const char*, 6> kColors = {"red", "orange", "yellow", "green", "blue", "purple"};

}  // namespace

TagWorkload::TagWorkload(Cluster* cluster, std::vector<std::string> devices, uint32_t tags, uint32_t applications,
                         uint32_t ops_per_s, Random random)
    : cluster_(*cluster),
      tags_(tags),
      applications_(applications),
      step_period_us_(std::max<int64_t>(1, 1'000'000 / std::max<uint32_t>(1, ops_per_s))),
      random_(random) {
  for (size_t i = 0; i < devices.size(); ++i) {
    SYNCSIM_ASSERT(cluster_.directory().Contains(devices[i]));
    progress_.push_back({devices[i], Random(random_.NextU64()), 0});
  }
}

void TagWorkload::Setup() {
  for (uint32_t tag = 0; tag < tags_; ++tag) {
    const uint64_t high = random_.NextU64();
    const uint64_t low = random_.NextU64();
    tag_uuids_.push_back(core::Uuid::FromRandomBits(high, low));
  }
}

void TagWorkload::Run() {
  remaining_devices_ = progress_.size();
  for (size_t i = 0; i < progress_.size(); ++i) {
    cluster_.BeginWork();
    cluster_.scheduler().ScheduleAfter(0, "tag " + progress_[i].device, [this, i] { Step(i); });
  }
}

void TagWorkload::Step(size_t device_index) {
  DeviceProgress& progress = progress_[device_index];
  SimDevice& device = cluster_.device(progress.device);
  if (!device.is_on()) {
    cluster_.scheduler().ScheduleAfter(kOffRetryUs, "tag " + progress.device, [this, device_index] { Step(device_index); });
    return;
  }
  const uint32_t operations = tags_ + applications_;
  bool written = true;
  if (progress.next_operation < tags_) {
    written = WriteTag(progress, progress.next_operation);
  } else if (progress.next_operation < operations) {
    written = ApplyTag(progress);
  }
  if (!written) {  // the storage failed: the device restarts, the same operation after it
    cluster_.scheduler().ScheduleAfter(kOffRetryUs, "tag " + progress.device, [this, device_index] { Step(device_index); });
    return;
  }
  ++progress.next_operation;
  if (progress.next_operation >= operations) {
    --remaining_devices_;
    cluster_.EndWork();
    return;
  }
  cluster_.scheduler().ScheduleAfter(step_period_us_, "tag " + progress.device,
                                     [this, device_index] { Step(device_index); });
}

bool TagWorkload::WriteTag(DeviceProgress& progress, uint32_t tag_index) {
  const std::string color = kColors[progress.random.Uniform(kColors.size())];
  return Written(cluster_.device(progress.device).Write([&](core::Engine& engine) {
    return engine.WriteShared(
        "tag", tag_uuids_[tag_index],
        {{"name", fmt::format("tag-{}", tag_index)}, {"color", fmt::format("{} by {}", color, progress.device)}});
  }));
}

bool TagWorkload::ApplyTag(DeviceProgress& progress) {
  if (tag_uuids_.empty()) return true;
  SimDevice& device = cluster_.device(progress.device);
  core::LibraryDb& library = *device.library();
  const int64_t entries = library.Count("entry");
  if (entries == 0) return true;  // nothing to tag yet on this device
  core::Statement& pick = library.sql().Prepare("SELECT uuid FROM entry ORDER BY uuid LIMIT 1 OFFSET ?1");
  pick.Bind(1, static_cast<int64_t>(progress.random.Uniform(static_cast<uint64_t>(entries))));
  SYNCSIM_ASSERT(pick.Step());
  const std::string entry_uuid = pick.Text(0);
  pick.Reset();
  const core::Uuid tag = tag_uuids_[progress.random.Uniform(tag_uuids_.size())];
  // The tag must exist locally before a local write may reference it; the
  // tag phase wrote every tag on this device.
  const core::Uuid metadata = core::Uuid::FromName(kMetadataNamespace, entry_uuid);
  const core::ModelSpec* metadata_model = library.registry().Find("user_metadata");
  if (!library.LocalId(*metadata_model, metadata).has_value()) {
    const bool created = Written(device.Write([&](core::Engine& engine) {
      return engine.WriteShared(
          "user_metadata", metadata,
          {{"entry_uuid", entry_uuid}, {"content_identity_uuid", nullptr}, {"notes", nullptr}, {"favorite", 0}});
    }));
    if (!created) return false;
  }
  if (!LinkOwnEntry(progress, entry_uuid, metadata)) return false;
  const core::Uuid application = core::Uuid::FromName(kApplicationNamespace, metadata.ToString() + tag.ToString());
  return Written(device.Write([&](core::Engine& engine) {
    return engine.WriteShared("user_metadata_tag", application,
                              {{"applied_at", cluster_.scheduler().now_us() / 1000},
                               {"user_metadata_uuid", metadata.ToString()},
                               {"tag_uuid", tag.ToString()}});
  }));
}

bool TagWorkload::LinkOwnEntry(DeviceProgress& progress, const std::string& entry_uuid, const core::Uuid& metadata) {
  SimDevice& device = cluster_.device(progress.device);
  core::LibraryDb& library = *device.library();
  // The entry's owner, and the metadata it links now: entry is device-owned,
  // so a tagger that does not own it leaves the link to the owner.
  core::Statement& owner = library.sql().Prepare(
      "SELECT d.uuid, (SELECT m.uuid FROM user_metadata m WHERE m.id = e.metadata_id) FROM entry e "
      "JOIN location l ON l.id = e.location_id JOIN device d ON d.id = l.device_id WHERE e.uuid = ?1");
  owner.Bind(1, entry_uuid);
  SYNCSIM_ASSERT(owner.Step());
  const bool owned = owner.Text(0) == device.uuid().ToString();
  const bool linked = !owner.IsNull(1) && owner.Text(1) == metadata.ToString();
  owner.Reset();
  if (!owned || linked) return true;
  return Written(device.Write([&](core::Engine& engine) {
    return engine.WriteOwned("entry", core::Uuid::Parse(entry_uuid).value(), {{"metadata_uuid", metadata.ToString()}});
  }));
}

// ---- The tag action ----

namespace {

using nlohmann::json;

core::Status ParseTag(const json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  TagSettings parsed;
  SYNCSIM_RETURN_IF_ERROR(context->ReadDeviceList(step["devices"], MemberPath(path, "devices"), 1, &parsed.devices));
  SYNCSIM_RETURN_IF_ERROR(ReadCount(step["tags"], MemberPath(path, "tags"), 1, kScenarioOperationsMax, &parsed.tags));
  SYNCSIM_RETURN_IF_ERROR(ReadCount(step["applications"], MemberPath(path, "applications"), 0, kScenarioOperationsMax,
                                    &parsed.applications));
  if (const json* rate = Find(step, "ops_per_s")) {
    SYNCSIM_RETURN_IF_ERROR(ReadCount(*rate, MemberPath(path, "ops_per_s"), 1, kScenarioOperationsMax, &parsed.ops_per_s));
  }
  context->CountOperations(uint64_t{parsed.tags} + parsed.applications);
  *settings = std::move(parsed);
  return core::Status::Ok();
}

core::Status RunTag(const std::any& any_settings, ActionRun* run) {
  const TagSettings& settings = std::any_cast<const TagSettings&>(any_settings);
  run->StartWorkload(std::make_unique<TagWorkload>(&run->cluster(), settings.devices, settings.tags,
                                                   settings.applications, settings.ops_per_s, run->NewWorkloadStream()));
  return core::Status::Ok();
}

const bool kRegistered = RegisterAction({.name = "tag",
                                         .kind = ActionKind::kWorkload,
                                         .listing_order = 120,
                                         .keys = {{"devices", true, "one or more distinct device names"},
                                                  {"tags", true, "a count from 1 to 1000000"},
                                                  {"applications", true, "a count from 0 to 1000000"},
                                                  {"ops_per_s", false, "a count from 1 to 1000000 (default 100)"}},
                                         .parse = ParseTag,
                                         .run = RunTag,
                                         .shrink = {.size_keys = {{"tags", 1}, {"applications", 0}}}});

}  // namespace

}  // namespace syncsim::sim
