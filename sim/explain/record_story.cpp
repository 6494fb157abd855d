#include "sim/explain/record_story.h"

#include <sqlite3.h>

#include <algorithm>

#include <fmt/format.h>

#include "core/library_db.h"
#include "core/model_registry.h"
#include "sim/cluster/cluster.h"

namespace syncsim::sim {
namespace {

std::string TimeText(int64_t time_us) { return fmt::format("{:>10.3f} s", static_cast<double>(time_us) / 1e6); }

// The model the uuid belongs to on this database, from the sync tables or
// else the model tables; "" when the database has never heard of it.
std::string FindModel(core::LibraryDb& library, const std::string& uuid) {
  for (const char* sql : {"SELECT model FROM record_versions WHERE uuid = ?1 LIMIT 1",
                          "SELECT model FROM tombstones WHERE uuid = ?1 LIMIT 1",
                          "SELECT model FROM pending_dependencies WHERE record_uuid = ?1 LIMIT 1"}) {
    core::Statement& select = library.sql().Prepare(sql);
    select.Bind(1, uuid);
    std::string model = select.Step() ? select.Text(0) : std::string();
    select.Reset();
    if (!model.empty()) return model;
  }
  for (const core::ModelSpec& spec : library.registry().models()) {
    core::Statement& select = library.sql().Prepare("SELECT 1 FROM " + spec.name + " WHERE uuid = ?1");
    select.Bind(1, uuid);
    const bool found = select.Step();
    select.Reset();
    if (found) return spec.name;
  }
  return "";
}

std::string ReadText(core::LibraryDb& library, const char* sql, const std::string& model, const std::string& uuid) {
  core::Statement& select = library.sql().Prepare(sql);
  select.Bind(1, model).Bind(2, uuid);
  std::string text = select.Step() ? select.Text(0) : std::string();
  select.Reset();
  return text;
}

// The fields whose values differ between two wire forms.
std::string DifferingFields(const nlohmann::json& left, const nlohmann::json& right) {
  std::string fields;
  for (const auto& [field, value] : left.items()) {
    if (!right.contains(field) || right[field] != value) fields += (fields.empty() ? "" : ", ") + field;
  }
  for (const auto& [field, value] : right.items()) {
    if (!left.contains(field)) fields += (fields.empty() ? "" : ", ") + field;
  }
  return fields;
}

std::string Describe(const RecordView& view) {
  if (!view.waiting_for.empty()) {
    std::string waits;
    for (const std::string& wait : view.waiting_for) waits += (waits.empty() ? "" : "; ") + wait;
    return (view.present ? "holds it, with a link waiting for " : "parked it, waiting for ") + waits;
  }
  if (view.present) return fmt::format("holds it (version {})", view.version);
  if (!view.tombstone_version.empty()) return fmt::format("deleted it (tombstone {})", view.tombstone_version);
  return "does not hold it";
}

}  // namespace

RecordStory::RecordStory(const core::Uuid& record, std::string device)
    : record_(record), uuid_text_(record.ToString()), device_(std::move(device)) {}

void RecordStory::OnStart(Cluster& cluster) {
  cluster_ = &cluster;
  for (const auto& device : cluster.devices()) watches_[device->name()];
}

void RecordStory::OnTraceRecord(const TraceRecord& record) {
  if (record.kind == "message") {
    NoteMessage(record);
    return;
  }
  if (record.kind != "event" && record.kind != "step") return;
  ReadAll(/*force=*/false);  // what the previous event or step did
  now_us_ = record.time_us;
  last_label_ = record.kind == "step" ? "step " + record.detail : record.detail;
}

void RecordStory::OnFinish(Cluster& /*cluster*/) {
  ReadAll(/*force=*/true);
  for (const auto& [name, watch] : watches_) final_views_[name] = watch.view;
  TellEnd();
}

void RecordStory::ReadAll(bool force) {
  for (const auto& device : cluster_->devices()) {
    core::LibraryDb* library = device->storage().library();
    if (library == nullptr) continue;
    DeviceWatch& watch = watches_[device->name()];
    const int64_t changes = sqlite3_total_changes64(library->sql().handle());
    if (!force && changes == watch.changes_seen) continue;
    watch.changes_seen = changes;
    std::optional<RecordView> view = Read(*device);
    if (!view.has_value() || *view == watch.view) continue;
    NoteChange(device->name(), watch.view, *view);
    watch.view = std::move(*view);
    watch.deliveries_since_change = 0;
  }
}

std::optional<RecordView> RecordStory::Read(SimDevice& device) {
  core::LibraryDb& library = *device.storage().library();
  if (model_.empty()) model_ = FindModel(library, uuid_text_);
  if (model_.empty()) return RecordView{};
  const core::ModelSpec* spec = library.registry().Find(model_);
  if (spec == nullptr) return std::nullopt;
  RecordView view;
  std::optional<nlohmann::json> data = library.ReadWireData(*spec, record_);
  view.present = data.has_value();
  if (view.present) view.data = std::move(*data);
  view.version = ReadText(library, "SELECT version FROM record_versions WHERE model = ?1 AND uuid = ?2 AND field = ''",
                          model_, uuid_text_);
  view.tombstone_version =
      ReadText(library, "SELECT version FROM tombstones WHERE model = ?1 AND uuid = ?2", model_, uuid_text_);
  core::Statement& waits = library.sql().Prepare(
      "SELECT missing_model, missing_uuid, field FROM pending_dependencies WHERE model = ?1 AND record_uuid = ?2 "
      "ORDER BY missing_model, missing_uuid, field");
  waits.Bind(1, model_).Bind(2, uuid_text_);
  while (waits.Step()) {
    const std::string field = waits.Text(2);
    view.waiting_for.push_back(fmt::format("{} {}{}", waits.Text(0), waits.Text(1), field.empty() ? "" : " (" + field + ")"));
  }
  waits.Reset();
  return view;
}

void RecordStory::NoteChange(const std::string& device, const RecordView& before, const RecordView& after) {
  if (!Concerns(device)) return;
  const DeviceWatch& watch = watches_[device];
  std::string what;
  if (!before.present && after.present && after.waiting_for.empty()) {
    what = fmt::format("the record appears (version {})", after.version);
  } else if (before.present && after.present && before.data != after.data) {
    what = fmt::format("changes to version {}: {} differ", after.version, DifferingFields(before.data, after.data));
  } else if (before.present && !after.present) {
    what = after.tombstone_version.empty() ? "the record is gone"
                                           : fmt::format("deleted (tombstone {})", after.tombstone_version);
  } else {
    what = Describe(after);
  }
  const std::string cause = watch.deliveries_since_change > 0
                                ? fmt::format("applying a message that carried it, in \"{}\"", last_label_)
                                : fmt::format("in \"{}\"", last_label_);
  entries_.push_back(StoryEntry{.time_us = now_us_,
                                .device = device,
                                .kind = "state",
                                .text = fmt::format("{}: {} ({})", device, what, cause),
                                .detail = {{"event", last_label_},
                                           {"present", after.present},
                                           {"version", after.version},
                                           {"tombstone_version", after.tombstone_version},
                                           {"data", after.data},
                                           {"waiting_for", after.waiting_for}}});
}

void RecordStory::NoteMessage(const TraceRecord& record) {
  if (record.payload == nullptr || record.payload->find(uuid_text_) == std::string::npos) return;
  // Every codec names the record a message carries as "uuid" or
  // "record_uuid"; elsewhere the uuid is a reference to it (a foreign key
  // of another record, a cursor).
  const bool carries = record.payload->find("\"uuid\":\"" + uuid_text_) != std::string::npos ||
                       record.payload->find("\"record_uuid\":\"" + uuid_text_) != std::string::npos;
  if (carries) {
    fates_[{record.source, record.target}][record.fate]++;
    if (record.fate == "delivered") {
      ++watches_[record.target].deliveries_since_change;
      ++watches_[record.target].deliveries;
    }
  }
  if (!Concerns(record.source) && !Concerns(record.target)) return;
  entries_.push_back(StoryEntry{
      .time_us = record.time_us,
      .device = record.source,
      .kind = "message",
      .text = fmt::format("{} -> {}: {} {} it, {}", record.source, record.target, record.detail,
                          carries ? "carrying" : "naming", record.fate),
      .detail = {{"from", record.source},
                 {"to", record.target},
                 {"message", record.detail},
                 {"carries", carries},
                 {"fate", record.fate}}});
}

// Why `name` lacks the record that some device holds.
std::string RecordStory::WhyMissing(const std::string& name, const RecordView& view) {
  uint64_t sent = 0;
  std::string lost;
  for (const auto& [pair, fates] : fates_) {
    if (pair.second != name) continue;
    for (const auto& [fate, count] : fates) {
      if (fate == "sent") sent += count;
      if (fate.rfind("dropped", 0) == 0) {
        lost += fmt::format("{}{} {} from {}", lost.empty() ? "" : ", ", count, fate, pair.first);
      }
    }
  }
  const uint64_t deliveries = watches_[name].deliveries;
  if (sent == 0) return "no message carrying it was ever sent to " + name;
  if (deliveries == 0) return fmt::format("{} message(s) carrying it were sent to {}, none arrived ({})", sent, name, lost);
  if (!view.waiting_for.empty()) return "it arrived and waits for a dependency " + name + " lacks";
  return fmt::format("{} message(s) carrying it reached {}, and it does not hold it: its engine dropped or discarded "
                     "it (sync.missing_dependency?) or lost it in a crash",
                     deliveries, name);
}

void RecordStory::TellEnd() {
  // The reference: the newest version any device holds.
  const RecordView* newest = nullptr;
  for (const auto& [name, view] : final_views_) {
    if (view.present && (newest == nullptr || view.version > newest->version)) newest = &view;
  }
  for (const auto& [name, view] : final_views_) {
    if (!Concerns(name)) continue;
    std::string text = Describe(view);
    std::string why;
    if (newest != nullptr && !view.present && view.tombstone_version.empty()) {
      why = WhyMissing(name, view);
    } else if (newest != nullptr && view.present && view.data != newest->data) {
      const uint64_t unchanged_by = watches_[name].deliveries_since_change;
      text = fmt::format("holds version {}, not the newest {}", view.version, newest->version);
      why = fmt::format("{} differ", DifferingFields(view.data, newest->data));
      if (unchanged_by > 0) {
        why += fmt::format("; {} message(s) carrying it reached {} after its last change and changed nothing: its "
                           "engine dropped or ignored them (sync.missing_dependency?)",
                           unchanged_by, name);
      }
    } else if (view.present) {
      text = fmt::format("holds version {}{}", view.version, newest != nullptr && view.version == newest->version ? " (the newest)" : "");
    }
    entries_.push_back(StoryEntry{.time_us = now_us_,
                                  .device = name,
                                  .kind = "end",
                                  .text = fmt::format("{}: at the end {}{}", name, text, why.empty() ? "" : ": " + why),
                                  .detail = {{"present", view.present},
                                             {"version", view.version},
                                             {"tombstone_version", view.tombstone_version},
                                             {"data", view.data},
                                             {"waiting_for", view.waiting_for},
                                             {"why", why}}});
  }
}

std::string FormatStory(const RecordStory& story, const std::string& uuid) {
  std::string text = fmt::format("record        {} ({})\n", uuid, story.model().empty() ? "never seen" : story.model());
  for (const StoryEntry& entry : story.entries()) {
    text += fmt::format("{}  {}\n", TimeText(entry.time_us), entry.text);
  }
  return text;
}

nlohmann::json StoryToJson(const RecordStory& story, const std::string& uuid) {
  nlohmann::json entries = nlohmann::json::array();
  for (const StoryEntry& entry : story.entries()) {
    nlohmann::json item = entry.detail;
    item["time_ms"] = static_cast<double>(entry.time_us) / 1e3;
    item["device"] = entry.device;
    item["kind"] = entry.kind;
    item["text"] = entry.text;
    entries.push_back(std::move(item));
  }
  return {{"record", uuid}, {"model", story.model()}, {"entries", entries}};
}

}  // namespace syncsim::sim
