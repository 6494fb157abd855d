// EditTagsWorkload: one device edits one field of the tags it holds, a
// write that names only that field. Two devices editing different fields of
// the same tags at the same time (apart, or while their changes cross) is
// the case that separates the merges of shared records: merged by field
// (`sync.shared_merge: field`) both edits survive; merged whole, the later
// write carries the other field's old value and one edit is lost (which the
// oracle, merging the same way, expects).
#include <any>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "sim/action/action.h"
#include "sim/action/action_bounds.h"
#include "sim/action/action_run.h"
#include "sim/action/step_parse_context.h"
#include "sim/base/assert.h"
#include "sim/base/json_readers.h"
#include "sim/cluster/cluster.h"
#include "sim/workloads/workload.h"

namespace syncsim::sim {
namespace {

constexpr int64_t kOffRetryUs = 100'000;

// The settings of an edit_tags step, as its action parses them.
struct EditTagsSettings {
  std::string device;
  std::string field;  // "name" or "color"
  uint32_t edits = 0;
  uint32_t ops_per_s = 100;
};

class EditTagsWorkload : public Workload {
 public:
  EditTagsWorkload(Cluster* cluster, EditTagsSettings settings)
      : cluster_(*cluster),
        settings_(std::move(settings)),
        step_period_us_(std::max<int64_t>(1, 1'000'000 / std::max<uint32_t>(1, settings_.ops_per_s))) {}

  std::string_view name() const override { return "edit_tags"; }
  void Setup() override {}
  void Run() override {
    cluster_.BeginWork();
    cluster_.scheduler().ScheduleAfter(0, "edit_tags " + settings_.device, [this] { Step(); });
  }
  bool done() const override { return edits_done_ >= settings_.edits; }
  // Shared records converge through the oracle; nothing device-specific.
  std::vector<std::string> Check() override { return {}; }

 private:
  void Step();
  // Edits tag number `edit` modulo the tags the device holds (uuid order);
  // a device that holds none yet edits nothing this time. False when the
  // device's storage failed under the write.
  bool Edit(uint32_t edit);

  Cluster& cluster_;
  EditTagsSettings settings_;
  int64_t step_period_us_;
  uint32_t edits_done_ = 0;
};

void EditTagsWorkload::Step() {
  SimDevice& device = cluster_.device(settings_.device);
  if (!device.is_on()) {
    cluster_.scheduler().ScheduleAfter(kOffRetryUs, "edit_tags " + settings_.device, [this] { Step(); });
    return;
  }
  if (!Edit(edits_done_)) {  // the storage failed: the same edit once the device is back
    cluster_.scheduler().ScheduleAfter(kOffRetryUs, "edit_tags " + settings_.device, [this] { Step(); });
    return;
  }
  ++edits_done_;
  if (done()) {
    cluster_.EndWork();
    return;
  }
  cluster_.scheduler().ScheduleAfter(step_period_us_, "edit_tags " + settings_.device, [this] { Step(); });
}

bool EditTagsWorkload::Edit(uint32_t edit) {
  SimDevice& device = cluster_.device(settings_.device);
  core::LibraryDb& library = *device.library();
  const int64_t tags = library.Count("tag");
  if (tags == 0) return true;
  core::Statement& pick = library.sql().Prepare("SELECT uuid FROM tag ORDER BY uuid LIMIT 1 OFFSET ?1");
  pick.Bind(1, static_cast<int64_t>(edit % static_cast<uint64_t>(tags)));
  SYNCSIM_ASSERT(pick.Step());
  const core::Uuid tag = core::Uuid::Parse(pick.Text(0)).value();
  pick.Reset();
  const std::string value = fmt::format("{} {} by {}", settings_.field, edit, settings_.device);
  return Written(device.Write([&](core::Engine& engine) { return engine.WriteShared("tag", tag, {{settings_.field, value}}); }));
}

// ---- The edit_tags action ----

using nlohmann::json;

core::Status ParseEditTags(const json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  EditTagsSettings parsed;
  SYNCSIM_RETURN_IF_ERROR(context->ReadDevice(step["device"], MemberPath(path, "device"), &parsed.device));
  const std::string field_path = MemberPath(path, "field");
  SYNCSIM_RETURN_IF_ERROR(ReadString(step["field"], field_path, &parsed.field));
  if (parsed.field != "name" && parsed.field != "color") {
    return Invalid(field_path, "expected \"name\" or \"color\", got " + Quoted(parsed.field));
  }
  SYNCSIM_RETURN_IF_ERROR(ReadCount(step["edits"], MemberPath(path, "edits"), 1, kScenarioOperationsMax, &parsed.edits));
  if (const json* rate = Find(step, "ops_per_s")) {
    SYNCSIM_RETURN_IF_ERROR(ReadCount(*rate, MemberPath(path, "ops_per_s"), 1, kScenarioOperationsMax, &parsed.ops_per_s));
  }
  context->CountOperations(parsed.edits);
  *settings = std::move(parsed);
  return core::Status::Ok();
}

core::Status RunEditTags(const std::any& any_settings, ActionRun* run) {
  run->StartWorkload(
      std::make_unique<EditTagsWorkload>(&run->cluster(), std::any_cast<const EditTagsSettings&>(any_settings)));
  return core::Status::Ok();
}

const bool kRegistered = RegisterAction({.name = "edit_tags",
                                         .kind = ActionKind::kWorkload,
                                         .listing_order = 125,
                                         .keys = {{"device", true, "a device name"},
                                                  {"field", true, "\"name\" or \"color\""},
                                                  {"edits", true, "a count from 1 to 1000000"},
                                                  {"ops_per_s", false, "a count from 1 to 1000000 (default 100)"}},
                                         .parse = ParseEditTags,
                                         .run = RunEditTags,
                                         .shrink = {.size_keys = {{"edits", 1}}}});

}  // namespace
}  // namespace syncsim::sim
