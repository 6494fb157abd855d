#include "sim/snapshot/phase_summary.h"

#include <fmt/format.h>

#include "core/sync_settings.h"
#include "sim/check/database_facts.h"
#include "sim/check/foreign_key_linkage.h"
#include "sim/check/state_fingerprint.h"

namespace syncsim::sim {

std::vector<DeviceRows> ReadDeviceRows(const std::vector<PhaseDevice>& devices, const core::ModelRegistry& registry) {
  std::vector<DeviceRows> result;
  for (const PhaseDevice& device : devices) {
    if (device.database == nullptr) continue;
    DeviceRows rows;
    rows.name = device.name;
    core::Statement& state = device.database->Prepare("SELECT value FROM sync_state WHERE key = 'device_uuid'");
    if (state.Step()) rows.uuid = state.Text(0);
    state.Reset();
    for (const core::ModelSpec& model : registry.models()) {
      rows.rows[model.name] = ReadSyncedRows(*device.database, model);
    }
    result.push_back(std::move(rows));
  }
  return result;
}

nlohmann::json BuildPhaseSummary(const PhaseInput& input, const std::vector<DeviceRows>& rows,
                                 const core::ModelRegistry& registry) {
  ConvergenceResult convergence = CheckConvergence(rows, registry, input.oracle);
  std::vector<Linkage> linkage = ComputeLinkage(rows);
  std::map<std::string, std::vector<ForeignKeyShare>> foreign_keys = ComputeForeignKeyLinkage(rows, registry, input.oracle);
  const std::map<std::string, uint64_t> state_digests = DeviceStateDigests(rows, registry);

  nlohmann::json devices = nlohmann::json::object();
  for (const PhaseDevice& device : input.devices) {
    nlohmann::json entry;
    if (device.database == nullptr) {
      entry["started"] = false;
      devices[device.name] = entry;
      continue;
    }
    DatabaseFacts facts = ReadDatabaseFacts(*device.database, registry);
    entry = ToJson(facts);
    entry["started"] = true;
    // The device's role: the locations it owns, as recorded in its own
    // database, so no one mixes up source and receiver.
    nlohmann::json owned = nlohmann::json::array();
    for (const DeviceRows& held : rows) {
      if (held.name != device.name) continue;
      for (const auto& [uuid, location] : held.rows.at("location")) {
        if (location.value("device_uuid", nlohmann::json()) == held.uuid) {
          owned.push_back({{"uuid", uuid}, {"name", location.value("name", nlohmann::json())}});
        }
      }
    }
    std::string owned_names;
    for (const nlohmann::json& location : owned) {
      const nlohmann::json name = location["name"];
      owned_names += (owned_names.empty() ? "" : ", ") + (name.is_string() ? name.get<std::string>() : location["uuid"].get<std::string>());
    }
    entry["role"] = {{"owns_locations", owned},
                     {"summary", owned.empty() ? std::string("receiver (owns no location)")
                                               : "owner of " + owned_names + " (indexed here)"}};
    nlohmann::json linkage_entries = nlohmann::json::array();
    for (const Linkage& link : linkage) {
      if (link.receiver == device.name) linkage_entries.push_back(ToJson(link));
    }
    entry["linkage"] = linkage_entries;
    entry["foreign_key_linkage"] = ToJson(foreign_keys[device.name]);
    if (auto digest = state_digests.find(device.name); digest != state_digests.end()) {
      entry["state_digest"] = StateDigestHex(digest->second);
    }
    if (!device.runtime.is_null()) entry["runtime"] = device.runtime;
    devices[device.name] = entry;
  }
  nlohmann::json summary = {{"scenario", input.scenario},
                            {"seed", input.seed},
                            {"engine", input.engine},
                            {"phase", input.phase},
                            {"virtual_time_ms", input.virtual_time_ms},
                            {"devices", devices},
                            {"convergence", ToJson(convergence)},
                            {"oracle_checked", input.oracle != nullptr},
                            {"stall", input.stall},
                            {"state_fingerprint", StateDigestHex(StateFingerprint(rows, registry))}};
  return summary;
}

namespace {

// The sections of summary.md, each read from summary.json alone.

std::string HeadingMarkdown(const nlohmann::json& summary) {
  std::string text = fmt::format("# {} — seed {} — phase {}\n\nEngine: {}\n\nVirtual time: {} ms\n\n",
                                 summary.value("scenario", ""), summary.value("seed", 0), summary.value("phase", ""),
                                 summary.value("engine", std::string(core::kDefaultEngineName)),
                                 summary.value("virtual_time_ms", 0));
  text += fmt::format("State fingerprint: `{}`\n\n", summary.value("state_fingerprint", ""));
  text += summary["convergence"].value("converged", false)
              ? "**Converged**: every device holds the same synced rows.\n\n"
              : "**Not converged**: devices disagree (see Differences).\n\n";
  return text;
}

std::string DevicesMarkdown(const nlohmann::json& summary) {
  std::string text = "## Devices\n\n";
  text += "| device | uuid | role | entries | files | dirs | files with content | orphans | parked | shared log | state digest |\n";
  text += "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& [name, device] : summary["devices"].items()) {
    if (!device.value("started", false)) {
      text += fmt::format("| {} | - | never started | | | | | | | | |\n", name);
      continue;
    }
    text += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | `{}` |\n", name,
                        device.value("device_uuid", ""), device["role"].value("summary", ""),
                        device["counts"].value("entry", 0), device.value("files", 0), device.value("directories", 0),
                        device.value("files_with_content", 0), device.value("orphans", 0),
                        device.value("parked_records", 0), device.value("shared_log_size", 0),
                        device.value("state_digest", ""));
  }
  return text;
}

std::string LinkageMarkdown(const nlohmann::json& summary) {
  std::string text = "\n## Linkage relative to each owner\n\n";
  bool any_linkage = false;
  for (const auto& [name, device] : summary["devices"].items()) {
    if (!device.contains("linkage")) continue;
    for (const nlohmann::json& link : device["linkage"]) {
      any_linkage = true;
      text += fmt::format("- {} ({:.1f}%); parents: {} of {} ({:.1f}%)\n", link.value("text", ""),
                          100.0 * link.value("content_share", 0.0), link.value("receiver_parent_links", 0),
                          link.value("owner_parent_links", 0), 100.0 * link.value("parent_share", 0.0));
    }
  }
  if (!any_linkage) text += "No device owns a location yet.\n";
  return text;
}

std::string ForeignKeysMarkdown(const nlohmann::json& summary) {
  std::string text = "\n## Foreign keys below 100%\n\n";
  bool any_short = false;
  for (const auto& [name, device] : summary["devices"].items()) {
    if (!device.contains("foreign_key_linkage")) continue;
    for (const auto& [field, share] : device["foreign_key_linkage"].items()) {
      if (share.value("resolved", 0) == share.value("expected", 0)) continue;
      any_short = true;
      text += fmt::format("- {}: {} resolves {} of the {} links it should hold ({:.1f}%)\n", name, field,
                          share.value("resolved", 0), share.value("expected", 0), 100.0 * share.value("share", 0.0));
    }
  }
  if (!any_short) text += "None: every device holds every link its owner (or the last writer) holds.\n";
  return text;
}

std::string ParkedMarkdown(const nlohmann::json& summary) {
  std::string text = "\n## Parked records\n\n";
  bool any_parked = false;
  for (const auto& [name, device] : summary["devices"].items()) {
    if (!device.contains("parked_by_dependency")) continue;
    for (const nlohmann::json& group : device["parked_by_dependency"]) {
      any_parked = true;
      text += fmt::format("- {}: {} record(s) wait for {}:{}\n", name, group.value("records", 0),
                          group.value("missing_model", ""), group.value("missing_uuid", ""));
    }
  }
  if (!any_parked) text += "None.\n";
  return text;
}

// Foreign keys and uuid references that name a missing record.
std::string DanglingMarkdown(const nlohmann::json& summary) {
  std::string text = "\n## Dangling references\n\n";
  bool any_dangling = false;
  for (const auto& [name, device] : summary["devices"].items()) {
    for (const char* kind : {"dangling_foreign_keys", "dangling_uuid_references"}) {
      if (!device.contains(kind)) continue;
      const bool by_uuid = std::string_view(kind) == "dangling_uuid_references";
      for (const auto& [field, count] : device[kind].items()) {
        if (count.get<int64_t>() == 0) continue;
        any_dangling = true;
        text += fmt::format("- {}: {} rows of {} point at a missing record{}\n", name, count.get<int64_t>(), field,
                            by_uuid ? " (uuid reference)" : "");
      }
    }
  }
  if (!any_dangling) text += "None.\n";
  return text;
}

// Only when the devices disagree.
std::string DifferencesMarkdown(const nlohmann::json& summary) {
  const nlohmann::json& differences = summary["convergence"]["differences"];
  if (differences.empty()) return "";
  std::string text = "\n## Differences\n\n| model | owner | device | kind | count | sample uuids |\n|---|---|---|---|---|---|\n";
  for (const nlohmann::json& difference : differences) {
    std::string samples;
    for (const nlohmann::json& uuid : difference["sample_uuids"]) samples += (samples.empty() ? "" : ", ") + uuid.get<std::string>();
    text += fmt::format("| {} | {} | {} | {} | {} | {} |\n", difference.value("model", ""),
                        difference.value("owner", ""), difference.value("device", ""), difference.value("kind", ""),
                        difference.value("count", 0), samples);
  }
  return text;
}

// Only when the run stalled.
std::string StallMarkdown(const nlohmann::json& summary) {
  const nlohmann::json& stall = summary["stall"];
  if (stall.is_null()) return "";
  return fmt::format("\n## Stall\n\nStalled at {} ms ({}): **{}**\n\nThe diagnosis, per device:\n\n```\n{}\n```\n",
                     stall.value("detected_at_ms", 0), stall.value("reason", ""), stall.value("headline", ""),
                     stall.dump(2));
}

}  // namespace

std::string RenderSummaryMarkdown(const nlohmann::json& summary) {
  return HeadingMarkdown(summary) + DevicesMarkdown(summary) + LinkageMarkdown(summary) +
         ForeignKeysMarkdown(summary) + ParkedMarkdown(summary) + DanglingMarkdown(summary) +
         DifferencesMarkdown(summary) + StallMarkdown(summary);
}

}  // namespace syncsim::sim
