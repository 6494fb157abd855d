#include "sim/snapshot/linkage_graph.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "sim/base/text_format.h"

namespace syncsim::sim {
namespace {

constexpr const char* kRed = "#c62828";
constexpr const char* kGreen = "#2e7d32";
constexpr const char* kOrange = "#ef6c00";

// A DOT string literal.
std::string Quote(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (c == '\n') {
      quoted += "\\n";
      continue;
    }
    quoted += c;
  }
  return quoted + "\"";
}

const std::map<std::string, nlohmann::json>* ModelRows(const DeviceRows& device, const std::string& model) {
  auto found = device.rows.find(model);
  return found == device.rows.end() ? nullptr : &found->second;
}

void AppendDevice(const std::string& name, const nlohmann::json& device, std::string* dot) {
  const std::string prefix = name + "/";
  if (!device.value("started", false)) {
    *dot += fmt::format("  subgraph {} {{ label={}; style=dashed; {} [label=\"never started\", shape=plaintext]; }}\n",
                        Quote("cluster_" + name), Quote(name), Quote(prefix + "off"));
    return;
  }
  const nlohmann::json& role = device["role"];
  *dot += fmt::format("  subgraph {} {{\n    label={};\n    style=rounded; color=\"#90a4ae\";\n",
                      Quote("cluster_" + name),
                      Quote(fmt::format("{} — {}\n{}", name, role.value("summary", ""), device.value("device_uuid", ""))));
  std::set<std::string> drawn;
  const nlohmann::json& shares = device["foreign_key_linkage"];
  for (const auto& [field, share] : shares.items()) {
    if (share.value("expected", 0) == 0) continue;
    drawn.insert(field.substr(0, field.find('.')));
    drawn.insert(share.value("target", ""));
  }
  for (const auto& [model, count] : device["counts"].items()) {
    if (count.get<int64_t>() == 0 && !drawn.contains(model)) continue;
    *dot += fmt::format("    {} [label={}];\n", Quote(prefix + model),
                        Quote(fmt::format("{}\n{} {}", model, Grouped(count.get<int64_t>()), count.get<int64_t>() == 1 ? "row" : "rows")));
  }
  for (const auto& [field, share] : shares.items()) {
    const int64_t expected = share.value("expected", 0);
    if (expected == 0) continue;
    const int64_t resolved = share.value("resolved", 0);
    const bool complete = resolved == expected;
    const std::string model = field.substr(0, field.find('.'));
    const std::string column = field.substr(field.find('.') + 1);
    *dot += fmt::format("    {} -> {} [label={}, color=\"{}\", fontcolor=\"{}\", penwidth={}];\n", Quote(prefix + model),
                        Quote(prefix + share.value("target", "")),
                        Quote(fmt::format("{} {}\n{} of {}", column, Percent(share.value("share", 1.0)), Grouped(resolved),
                                          Grouped(expected))),
                        complete ? kGreen : kRed, complete ? kGreen : kRed, complete ? 1 : 2);
  }
  *dot += "  }\n";
}

// The entry tree of one location as `device` holds it, against the owner's.
void AppendTree(const DeviceRows& device, const DeviceRows& owner, const std::string& location_uuid,
                const std::string& location_name, const std::set<std::string>& roots, size_t* clusters,
                std::string* dot) {
  const std::map<std::string, nlohmann::json>* held = ModelRows(device, "entry");
  const std::map<std::string, nlohmann::json>* reference = ModelRows(owner, "entry");
  auto in_location = [&](const nlohmann::json& data) {
    return data.value("location_uuid", nlohmann::json()) == location_uuid;
  };
  std::set<std::string> uuids;
  if (held != nullptr) {
    for (const auto& [uuid, data] : *held) {
      if (in_location(data)) uuids.insert(uuid);
    }
  }
  if (reference != nullptr) {
    for (const auto& [uuid, data] : *reference) {
      if (in_location(data)) uuids.insert(uuid);
    }
  }
  const std::string prefix = fmt::format("tree{}/", (*clusters)++);
  *dot += fmt::format("  subgraph {} {{\n    label={};\n    style=rounded; color=\"#b0bec5\";\n",
                      Quote("cluster_" + prefix), Quote(fmt::format("{} as {} holds it", location_name, device.name)));
  for (const std::string& uuid : uuids) {
    const nlohmann::json* mine = nullptr;
    const nlohmann::json* theirs = nullptr;
    if (held != nullptr) {
      if (auto found = held->find(uuid); found != held->end()) mine = &found->second;
    }
    if (reference != nullptr) {
      if (auto found = reference->find(uuid); found != reference->end()) theirs = &found->second;
    }
    const nlohmann::json& data = mine != nullptr ? *mine : *theirs;
    const bool is_file = data.value("kind", nlohmann::json()) == 0;
    std::string label = data.value("name", nlohmann::json()).is_string() ? data["name"].get<std::string>() : uuid;
    std::string attributes = is_file ? "shape=note" : "shape=folder";
    const nlohmann::json parent = data.value("parent_uuid", nlohmann::json());
    const bool has_parent = parent.is_string() && held != nullptr && held->contains(parent.get<std::string>());
    if (mine == nullptr) {
      attributes += ", style=dashed, fontcolor=\"#78909c\"";
      label += "\n(missing here)";
    } else if (!roots.contains(uuid) && !has_parent) {
      attributes += fmt::format(", style=filled, fillcolor=\"#ffcdd2\", color=\"{}\"", kRed);
      label += "\n(orphan)";
    } else if (is_file && theirs != nullptr && theirs->value("content_uuid", nlohmann::json()).is_string() &&
               mine->value("content_uuid", nlohmann::json()) != (*theirs)["content_uuid"]) {
      attributes += fmt::format(", style=filled, fillcolor=\"#ffe0b2\", color=\"{}\"", kOrange);
      label += "\n(content not linked)";
    }
    *dot += fmt::format("    {} [label={}, {}];\n", Quote(prefix + uuid), Quote(label), attributes);
  }
  for (const std::string& uuid : uuids) {
    const nlohmann::json* mine = nullptr;
    if (held != nullptr) {
      if (auto found = held->find(uuid); found != held->end()) mine = &found->second;
    }
    const nlohmann::json* source = mine;
    if (source == nullptr && reference != nullptr) source = &reference->at(uuid);
    const nlohmann::json parent = source->value("parent_uuid", nlohmann::json());
    if (!parent.is_string() || !uuids.contains(parent.get<std::string>())) continue;
    *dot += fmt::format("    {} -> {}{};\n", Quote(prefix + parent.get<std::string>()), Quote(prefix + uuid),
                        mine == nullptr ? " [style=dashed, color=\"#90a4ae\"]" : "");
  }
  *dot += "  }\n";
}

}  // namespace

std::string BuildLinkageDot(const nlohmann::json& summary, const std::vector<DeviceRows>& rows) {
  std::string dot = "digraph linkage {\n";
  dot += fmt::format("  graph [label={}, labelloc=t, fontname=\"Helvetica\", fontsize=12, rankdir=LR, newrank=true];\n",
                     Quote(fmt::format("{} — seed {} — phase {} — {}", summary.value("scenario", ""),
                                       summary.value("seed", 0), summary.value("phase", ""),
                                       summary["convergence"].value("converged", false) ? "converged" : "NOT converged")));
  dot += "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f7f8\", fontname=\"Helvetica\", fontsize=10];\n";
  dot += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  for (const auto& [name, device] : summary["devices"].items()) AppendDevice(name, device, &dot);

  // Entry trees, per location, for locations small enough to read.
  size_t clusters = 0;
  std::vector<std::string> omitted;
  for (const DeviceRows& owner : rows) {
    const std::map<std::string, nlohmann::json>* locations = ModelRows(owner, "location");
    const std::map<std::string, nlohmann::json>* entries = ModelRows(owner, "entry");
    if (locations == nullptr) continue;
    std::set<std::string> roots;
    for (const auto& [uuid, data] : *locations) {
      if (data.value("entry_uuid", nlohmann::json()).is_string()) roots.insert(data["entry_uuid"].get<std::string>());
    }
    for (const auto& [uuid, data] : *locations) {
      if (data.value("device_uuid", nlohmann::json()) != owner.uuid) continue;
      const std::string name = data.value("name", nlohmann::json()).is_string() ? data["name"].get<std::string>() : uuid;
      size_t size = 0;
      if (entries != nullptr) {
        for (const auto& [entry_uuid, entry] : *entries) {
          if (entry.value("location_uuid", nlohmann::json()) == uuid) ++size;
        }
      }
      if (size > kTreeEntriesMax) {
        omitted.push_back(fmt::format("{} of {} ({} entries)", name, owner.name, Grouped(static_cast<int64_t>(size))));
        continue;
      }
      for (const DeviceRows& device : rows) AppendTree(device, owner, uuid, name, roots, &clusters, &dot);
    }
  }
  if (!omitted.empty()) {
    std::string text = fmt::format("Entry trees above {} entries are not drawn:", kTreeEntriesMax);
    for (const std::string& line : omitted) text += "\n" + line;
    dot += fmt::format("  omitted_trees [shape=note, style=filled, fillcolor=\"#fffde7\", label={}];\n", Quote(text));
  }
  dot += "}\n";
  return dot;
}

}  // namespace syncsim::sim
