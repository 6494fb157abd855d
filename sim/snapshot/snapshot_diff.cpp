#include "sim/snapshot/snapshot_diff.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "core/model_registry.h"
#include "core/storage_error.h"
#include "sim/check/database_facts.h"
#include "sim/snapshot/snapshot_reader.h"

namespace fs = std::filesystem;

namespace syncsim::sim {
namespace {

struct LoadedSide {
  std::unique_ptr<LoadedPhase> phase;
  std::vector<DeviceRows> rows;
  nlohmann::json summary;
};

core::Status LoadSide(const fs::path& dir, LoadedSide* side) {
  core::Status status = LoadPhase(dir, &side->phase);
  if (!status.ok()) return status;
  // A read can still fail on a hostile database (report_rebuild.cpp).
  try {
    side->rows = ReadDeviceRows(side->phase->input.devices, core::ModelRegistry::Default());
    side->summary = BuildPhaseSummary(side->phase->input, side->rows, core::ModelRegistry::Default());
  } catch (const core::StorageError& failure) {
    return core::Status::Corruption(dir.string() + ": a device database failed a read: " + failure.what());
  }
  return core::Status::Ok();
}

const DeviceRows* FindDevice(const std::vector<DeviceRows>& rows, const std::string& name) {
  for (const DeviceRows& device : rows) {
    if (device.name == name) return &device;
  }
  return nullptr;
}

std::map<std::string, std::string> LinkageTexts(const nlohmann::json& summary) {
  std::map<std::string, std::string> texts;  // "receiver/owner" -> sentence
  for (const auto& [name, device] : summary["devices"].items()) {
    if (!device.contains("linkage")) continue;
    for (const nlohmann::json& link : device["linkage"]) {
      texts[link.value("receiver", "") + "/" + link.value("owner", "")] = link.value("text", "");
    }
  }
  return texts;
}

void CompareSummaries(const LoadedSide& a, const LoadedSide& b, PhaseDiff* diff) {
  const nlohmann::json& devices_a = a.summary["devices"];
  const nlohmann::json& devices_b = b.summary["devices"];
  for (const auto& [name, device] : devices_a.items()) {
    if (!devices_b.contains(name)) {
      diff->summary_differences.push_back(fmt::format("device {} only in A", name));
      diff->content_differs = true;
      continue;
    }
    const nlohmann::json& other = devices_b[name];
    if (device.value("started", false) != other.value("started", false)) {
      diff->summary_differences.push_back(fmt::format("device {} started in {} only", name,
                                                      device.value("started", false) ? "A" : "B"));
      diff->content_differs = true;
      continue;
    }
    // The state digests say first whether the device's synced rows differ
    // at all; the records below say which.
    const std::string digest_a = device.value("state_digest", "");
    const std::string digest_b = other.value("state_digest", "");
    if (digest_a != digest_b) {
      diff->summary_differences.push_back(fmt::format("{}: state digest {} in A, {} in B", name, digest_a, digest_b));
    }
    if (!device.contains("counts") || !other.contains("counts")) continue;
    for (const auto& [model, count] : device["counts"].items()) {
      const nlohmann::json other_count = other["counts"].value(model, nlohmann::json(0));
      if (count != other_count) {
        diff->summary_differences.push_back(
            fmt::format("{}: {} rows: {} in A, {} in B", name, model, count.dump(), other_count.dump()));
      }
    }
  }
  for (const auto& [name, device] : devices_b.items()) {
    if (!devices_a.contains(name)) {
      diff->summary_differences.push_back(fmt::format("device {} only in B", name));
      diff->content_differs = true;
    }
  }
  std::map<std::string, std::string> links_a = LinkageTexts(a.summary);
  std::map<std::string, std::string> links_b = LinkageTexts(b.summary);
  for (const auto& [pair, text] : links_a) {
    auto other = links_b.find(pair);
    const std::string text_b = other == links_b.end() ? std::string("(no such linkage)") : other->second;
    if (text != text_b) diff->summary_differences.push_back(fmt::format("linkage: A: {}; B: {}", text, text_b));
  }
  for (const auto& [pair, text] : links_b) {
    if (!links_a.contains(pair)) diff->summary_differences.push_back(fmt::format("linkage: A: (none); B: {}", text));
  }
  const bool converged_a = a.summary["convergence"].value("converged", false);
  const bool converged_b = b.summary["convergence"].value("converged", false);
  if (converged_a != converged_b) {
    diff->summary_differences.push_back(fmt::format("convergence: A {}, B {}", converged_a ? "converged" : "NOT converged",
                                                    converged_b ? "converged" : "NOT converged"));
  }
}

void CompareRecords(const LoadedSide& a, const LoadedSide& b, PhaseDiff* diff) {
  std::map<std::tuple<std::string, std::string, std::string>, RecordDifference> found;
  auto note = [&](const std::string& device, const std::string& model, const std::string& kind, const std::string& uuid,
                  std::vector<std::string> fields, std::vector<std::string> changes) {
    RecordDifference& difference = found[{device, model, kind}];
    difference.device = device;
    difference.model = model;
    difference.kind = kind;
    ++difference.count;
    if (difference.sample_uuids.size() < kSampleUuidsMax) difference.sample_uuids.push_back(uuid);
    if (difference.sample_fields.empty()) difference.sample_fields = std::move(fields);
    if (difference.sample_changes.empty()) difference.sample_changes = std::move(changes);
  };
  for (const DeviceRows& device_a : a.rows) {
    const DeviceRows* device_b = FindDevice(b.rows, device_a.name);
    if (device_b == nullptr) continue;  // reported with the devices
    for (const core::ModelSpec& model : core::ModelRegistry::Default().models()) {
      static const std::map<std::string, nlohmann::json> kNone;
      auto rows_a = device_a.rows.find(model.name);
      auto rows_b = device_b->rows.find(model.name);
      const auto& left = rows_a == device_a.rows.end() ? kNone : rows_a->second;
      const auto& right = rows_b == device_b->rows.end() ? kNone : rows_b->second;
      for (const auto& [uuid, data] : left) {
        auto other = right.find(uuid);
        if (other == right.end()) {
          note(device_a.name, model.name, "only_in_a", uuid, {}, {});
        } else if (other->second != data) {
          std::vector<std::string> fields;
          std::vector<std::string> changes;
          for (const auto& [field, value] : data.items()) {
            const nlohmann::json value_b = other->second.value(field, nlohmann::json());
            if (value_b == value) continue;
            fields.push_back(field);
            changes.push_back(fmt::format("{}: {} -> {}", field, value.dump(), value_b.dump()));
          }
          note(device_a.name, model.name, "field_mismatch", uuid, fields, changes);
        }
      }
      for (const auto& [uuid, data] : right) {
        if (!left.contains(uuid)) note(device_a.name, model.name, "only_in_b", uuid, {}, {});
      }
    }
  }
  for (auto& [key, difference] : found) diff->records.push_back(std::move(difference));
  if (!diff->records.empty()) diff->content_differs = true;
}

core::Status DiffPhases(const fs::path& a, const fs::path& b, PhaseDiff* diff) {
  LoadedSide side_a;
  LoadedSide side_b;
  core::Status status = LoadSide(a, &side_a);
  if (status.ok()) status = LoadSide(b, &side_b);
  if (!status.ok()) return status;
  diff->phase_a = a.filename().string();
  diff->phase_b = b.filename().string();
  CompareSummaries(side_a, side_b, diff);
  CompareRecords(side_a, side_b, diff);
  return core::Status::Ok();
}

std::string KindText(const std::string& kind) {
  if (kind == "only_in_a") return "only in A";
  if (kind == "only_in_b") return "only in B";
  return "with other values";
}

}  // namespace

core::Status DiffSnapshots(const fs::path& a, const fs::path& b, SnapshotDiff* diff) {
  diff->a = a.string();
  diff->b = b.string();
  std::error_code error;
  for (const fs::path& side : {a, b}) {
    if (!fs::is_directory(side, error)) return core::Status::NotFound(side.string() + ": no such snapshot folder");
  }
  const bool phase_a = IsPhaseFolder(a);
  const bool phase_b = IsPhaseFolder(b);
  if (phase_a != phase_b) {
    return core::Status::InvalidArgument(fmt::format(
        "{} is a {} folder but {} is a {} folder: compare two phase folders or two run folders", a.string(),
        phase_a ? "phase" : "run", b.string(), phase_b ? "phase" : "run"));
  }
  if (phase_a) {
    PhaseDiff phase;
    core::Status status = DiffPhases(a, b, &phase);
    if (!status.ok()) return status;
    diff->content_differs = phase.content_differs;
    diff->phases.push_back(std::move(phase));
    return core::Status::Ok();
  }
  std::vector<std::string> phases_a;
  std::vector<std::string> phases_b;
  core::Status status = ListPhases(a, &phases_a);
  if (status.ok()) status = ListPhases(b, &phases_b);
  if (!status.ok()) return status;
  for (const std::string& name : phases_a) {
    if (std::find(phases_b.begin(), phases_b.end(), name) == phases_b.end()) {
      diff->phases_only_in_a.push_back(name);
      continue;
    }
    PhaseDiff phase;
    status = DiffPhases(a / name, b / name, &phase);
    if (!status.ok()) return status;
    if (phase.content_differs) diff->content_differs = true;
    diff->phases.push_back(std::move(phase));
  }
  for (const std::string& name : phases_b) {
    if (std::find(phases_a.begin(), phases_a.end(), name) == phases_a.end()) diff->phases_only_in_b.push_back(name);
  }
  if (!diff->phases_only_in_a.empty() || !diff->phases_only_in_b.empty()) diff->content_differs = true;
  return core::Status::Ok();
}

nlohmann::json ToJson(const SnapshotDiff& diff) {
  nlohmann::json phases = nlohmann::json::array();
  for (const PhaseDiff& phase : diff.phases) {
    nlohmann::json records = nlohmann::json::array();
    for (const RecordDifference& record : phase.records) {
      nlohmann::json entry = {{"device", record.device},
                              {"model", record.model},
                              {"kind", record.kind},
                              {"count", record.count},
                              {"sample_uuids", record.sample_uuids}};
      if (!record.sample_fields.empty()) entry["sample_fields"] = record.sample_fields;
      if (!record.sample_changes.empty()) entry["sample_changes"] = record.sample_changes;
      records.push_back(std::move(entry));
    }
    phases.push_back({{"phase_a", phase.phase_a},
                      {"phase_b", phase.phase_b},
                      {"summary_differences", phase.summary_differences},
                      {"records", records},
                      {"content_differs", phase.content_differs}});
  }
  return {{"a", diff.a},
          {"b", diff.b},
          {"phases_only_in_a", diff.phases_only_in_a},
          {"phases_only_in_b", diff.phases_only_in_b},
          {"phases", phases},
          {"content_differs", diff.content_differs}};
}

std::string RenderDiffText(const SnapshotDiff& diff) {
  std::string text = fmt::format("A: {}\nB: {}\n", diff.a, diff.b);
  for (const std::string& phase : diff.phases_only_in_a) text += fmt::format("phase {} only in A\n", phase);
  for (const std::string& phase : diff.phases_only_in_b) text += fmt::format("phase {} only in B\n", phase);
  for (const PhaseDiff& phase : diff.phases) {
    text += phase.phase_a == phase.phase_b ? fmt::format("\nphase {}:", phase.phase_a)
                                           : fmt::format("\nphase {} (A) against {} (B):", phase.phase_a, phase.phase_b);
    if (phase.summary_differences.empty() && phase.records.empty()) {
      text += " no difference\n";
      continue;
    }
    text += "\n";
    for (const std::string& line : phase.summary_differences) text += "  " + line + "\n";
    for (const RecordDifference& record : phase.records) {
      std::string samples;
      for (const std::string& uuid : record.sample_uuids) samples += (samples.empty() ? "" : ", ") + uuid;
      std::string fields;
      for (const std::string& field : record.sample_fields) fields += (fields.empty() ? "" : ", ") + field;
      text += fmt::format("  {}: {} {} record(s) {}{}\n      e.g. {}\n", record.device, record.count, record.model,
                          KindText(record.kind), fields.empty() ? "" : " (" + fields + ")", samples);
      for (const std::string& change : record.sample_changes) {
        text += fmt::format("      first sample: {}\n", change);
      }
    }
  }
  text += diff.content_differs ? "\nverdict: the snapshots differ in synced content\n"
                               : "\nverdict: same synced content\n";
  return text;
}

}  // namespace syncsim::sim
