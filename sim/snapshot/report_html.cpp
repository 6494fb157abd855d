#include "sim/snapshot/report_html.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/base/strict_json.h"
#include "sim/snapshot/atomic_file.h"
#include "sim/snapshot/message_timeline.h"
#include "sim/snapshot/timeline_chart.h"
#include "sim/base/text_format.h"

namespace fs = std::filesystem;

namespace syncsim::sim {
namespace {

constexpr const char* kStyle = R"css(
body { font-family: Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1100px; padding: 16px 24px; color: #263238; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; border-bottom: 1px solid #cfd8dc; padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 15px; margin-top: 20px; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #fff; font-weight: bold; }
.pass { background: #2e7d32; } .fail { background: #c62828; } .unknown { background: #78909c; }
.glance { background: #f5f7f8; border-left: 4px solid #546e7a; padding: 8px 16px; margin: 12px 0; }
.glance li { margin: 4px 0; } .bad { color: #c62828; font-weight: bold; } .good { color: #2e7d32; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #cfd8dc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eceff1; } table.numbers td { text-align: right; } table.numbers td:first-child, table.numbers td.text { text-align: left; }
td.bad { background: #ffebee; }
.bar { display: inline-block; width: 120px; height: 10px; background: #ffcdd2; vertical-align: middle; margin-right: 6px; }
.bar span { display: block; height: 10px; background: #43a047; }
.scroll { overflow: auto; max-height: 900px; border: 1px solid #eceff1; margin: 8px 0; }
.legend span { margin-right: 10px; font-size: 12px; white-space: nowrap; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 3px; vertical-align: middle; }
pre { background: #f5f7f8; padding: 8px; overflow: auto; font-size: 12px; max-height: 480px; }
code { background: #eceff1; padding: 0 3px; } nav a { margin-right: 12px; }
.note { color: #546e7a; font-size: 13px; }
)css";

std::string Text(const nlohmann::json& object, const char* key) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return "";
  return found->is_string() ? found->get<std::string>() : found->dump();
}

int64_t Number(const nlohmann::json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_number_integer() ? found->get<int64_t>() : 0;
}

std::string ShareBar(double share) {
  return fmt::format("<span class=\"bar\"><span style=\"width:{:.0f}%\"></span></span>", 100.0 * share);
}

// The graph, inline: the SVG file without its XML prologue.
std::string InlineSvg(const fs::path& svg_path) {
  std::string svg;
  if (!ReadWholeFile(svg_path.string(), &svg).ok()) return "";
  const size_t start = svg.find("<svg");
  return start == std::string::npos ? std::string() : svg.substr(start);
}

std::string DifferenceSentence(const nlohmann::json& difference) {
  const std::string kind = Text(difference, "kind");
  const std::string what = fmt::format("{} {} record(s) of {}", Grouped(Number(difference, "count")),
                                       Text(difference, "model"), Text(difference, "owner"));
  if (kind == "missing") return fmt::format("{} lacks {}", Text(difference, "device"), what);
  if (kind == "extra") return fmt::format("{} holds {} that should not exist", Text(difference, "device"), what);
  std::string fields;
  if (difference.contains("sample_fields")) {
    for (const nlohmann::json& field : difference["sample_fields"]) fields += (fields.empty() ? "" : ", ") + field.get<std::string>();
  }
  return fmt::format("{} holds {} with other values ({})", Text(difference, "device"), what, fields);
}

// What a person reads first: the verdict and the few sentences that say
// whether the replicas agree and who links how much of whose files.
std::string RenderGlance(const nlohmann::json& result, const std::vector<ReportPhase>& phases) {
  std::string html = "<div class=\"glance\"><ul>\n";
  if (result.is_object() && result.value("passed", false)) {
    std::string expected;
    for (const nlohmann::json& expectation : result.value("expectations", nlohmann::json::array())) {
      const std::string detail = Text(expectation, "detail");
      if (Text(expectation, "name") == "stall" && detail.rfind("stalled", 0) == 0) expected = "it expects this stall";
    }
    html += fmt::format("<li class=\"good\">Every expectation of the scenario held{}.</li>\n",
                        expected.empty() ? "" : " (" + expected + ": a regression scenario for a known failure)");
  }
  if (result.is_object()) {
    for (const nlohmann::json& expectation : result.value("expectations", nlohmann::json::array())) {
      if (expectation.value("ok", true)) continue;
      html += fmt::format("<li class=\"bad\">Expectation <code>{}</code> failed: {}</li>\n",
                          EscapeHtml(Text(expectation, "name")), EscapeHtml(Text(expectation, "detail")));
    }
  }
  if (phases.empty()) {
    html += "<li>No snapshot phase was written.</li>\n";
  } else {
    const ReportPhase& last = phases.back();
    const nlohmann::json& summary = last.summary;
    const nlohmann::json& convergence = summary["convergence"];
    if (convergence.value("converged", false)) {
      html += fmt::format("<li class=\"good\">Converged at phase <code>{}</code>: every device holds the same synced "
                          "rows{}.</li>\n",
                          EscapeHtml(last.name),
                          summary.value("oracle_checked", false) ? ", and shared records hold the last writer's value" : "");
    } else {
      html += fmt::format("<li class=\"bad\">Not converged at phase <code>{}</code>:</li><ul>\n", EscapeHtml(last.name));
      for (const nlohmann::json& difference : convergence["differences"]) {
        html += "<li>" + EscapeHtml(DifferenceSentence(difference)) + "</li>\n";
      }
      html += "</ul>\n";
    }
    for (const auto& [name, device] : summary["devices"].items()) {
      if (!device.contains("linkage")) continue;
      for (const nlohmann::json& link : device["linkage"]) {
        const double share = link.value("content_share", 1.0);
        html += fmt::format("<li>{}<span class=\"{}\">{}</span> ({})</li>\n", ShareBar(share),
                            share < 1.0 ? "bad" : "good", EscapeHtml(Text(link, "text")), Percent(share));
      }
      if (Number(device, "orphans") > 0) {
        html += fmt::format("<li class=\"bad\">{} has {} orphan entries (no parent row)</li>\n", EscapeHtml(name),
                            Grouped(Number(device, "orphans")));
      }
      if (Number(device, "parked_records") > 0) {
        html += fmt::format("<li class=\"bad\">{} has {} record(s) parked waiting for a missing record</li>\n",
                            EscapeHtml(name), Grouped(Number(device, "parked_records")));
      }
    }
    if (!summary["stall"].is_null()) {
      html += fmt::format("<li class=\"bad\">Stalled at {} ms ({}): {}</li>\n", Grouped(Number(summary["stall"], "detected_at_ms")),
                          EscapeHtml(Text(summary["stall"], "reason")), EscapeHtml(Text(summary["stall"], "headline")));
    }
  }
  return html + "</ul></div>\n";
}

std::string RenderDevices(const nlohmann::json& summary) {
  std::string html =
      "<table class=\"numbers\"><tr><th>device</th><th>uuid</th><th>role</th><th>entries</th><th>files</th>"
      "<th>dirs</th><th>files with content</th><th>orphans</th><th>parked</th><th>closure rows</th>"
      "<th>closure errors</th><th>path errors</th><th>shared log</th><th>tombstones</th><th>state digest</th>"
      "<th>peers (state, unacked)</th></tr>\n";
  for (const auto& [name, device] : summary["devices"].items()) {
    if (!device.value("started", false)) {
      html += fmt::format("<tr><td>{}</td><td colspan=\"15\">never started</td></tr>\n", EscapeHtml(name));
      continue;
    }
    std::string peers;
    const nlohmann::json runtime = device.value("runtime", nlohmann::json());
    if (runtime.is_object() && runtime.contains("peers")) {
      for (const auto& [peer, state] : runtime["peers"].items()) {
        peers += fmt::format("{}{}: {}, {} unacked", peers.empty() ? "" : "<br>", EscapeHtml(peer),
                             EscapeHtml(Text(state, "state")), Number(state, "unacked_batches"));
      }
    }
    if (runtime.is_object() && !runtime.value("on", true)) peers = "device is off (crashed)";
    // An init-capture: Clang 14 cannot capture a structured binding.
    auto cell = [&row = device](const char* key) {
      const int64_t value = Number(row, key);
      const bool bad = value > 0 && (std::string(key) == "orphans" || std::string(key) == "parked_records" ||
                                     std::string(key) == "closure_errors" || std::string(key) == "directory_path_errors");
      return fmt::format("<td{}>{}</td>", bad ? " class=\"bad\"" : "", Grouped(value));
    };
    html += fmt::format("<tr><td>{}</td><td class=\"text\"><code>{}</code></td><td class=\"text\">{}</td><td>{}</td>{}{}{}{}{}{}{}{}{}{}<td class=\"text\"><code>{}</code></td><td class=\"text\">{}</td></tr>\n",
                        EscapeHtml(name), EscapeHtml(Text(device, "device_uuid")),
                        EscapeHtml(Text(device["role"], "summary")), Grouped(Number(device["counts"], "entry")),
                        cell("files"), cell("directories"), cell("files_with_content"), cell("orphans"),
                        cell("parked_records"), cell("closure_rows"), cell("closure_errors"),
                        cell("directory_path_errors"), cell("shared_log_size"), cell("tombstones"),
                        EscapeHtml(Text(device, "state_digest")), peers.empty() ? "-" : peers);
  }
  return html + "</table>\n";
}

std::string RenderCounts(const nlohmann::json& summary) {
  std::vector<std::string> models;
  for (const auto& [name, device] : summary["devices"].items()) {
    if (!device.contains("counts")) continue;
    for (const auto& [model, count] : device["counts"].items()) {
      if (std::find(models.begin(), models.end(), model) == models.end()) models.push_back(model);
    }
  }
  std::string html = "<table class=\"numbers\"><tr><th>device</th>";
  for (const std::string& model : models) html += "<th>" + EscapeHtml(model) + "</th>";
  html += "</tr>\n";
  for (const auto& [name, device] : summary["devices"].items()) {
    if (!device.contains("counts")) continue;
    html += "<tr><td>" + EscapeHtml(name) + "</td>";
    for (const std::string& model : models) html += "<td>" + Grouped(Number(device["counts"], model.c_str())) + "</td>";
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

std::string RenderForeignKeys(const nlohmann::json& summary) {
  std::string html =
      "<table class=\"numbers\"><tr><th>device</th><th>foreign key</th><th>target</th><th>links it should hold</th>"
      "<th>resolved</th><th>share</th><th>dangling (names a missing row)</th></tr>\n";
  for (const auto& [name, device] : summary["devices"].items()) {
    if (!device.contains("foreign_key_linkage")) continue;
    for (const auto& [field, share] : device["foreign_key_linkage"].items()) {
      const int64_t dangling = Number(device["dangling_foreign_keys"], field.c_str());
      if (Number(share, "expected") == 0 && dangling == 0) continue;
      const double value = share.value("share", 1.0);
      html += fmt::format("<tr><td>{}</td><td class=\"text\"><code>{}</code></td><td class=\"text\">{}</td><td>{}</td><td>{}</td><td{}>{}{}</td>"
                          "<td{}>{}</td></tr>\n",
                          EscapeHtml(name), EscapeHtml(field), EscapeHtml(Text(share, "target")),
                          Grouped(Number(share, "expected")), Grouped(Number(share, "resolved")),
                          value < 1.0 ? " class=\"bad\"" : "", ShareBar(value), Percent(value),
                          dangling > 0 ? " class=\"bad\"" : "", Grouped(dangling));
    }
    // A uuid reference has no link share to show (it is never resolved to
    // a local id); it appears when it dangles.
    if (!device.contains("dangling_uuid_references")) continue;
    for (const auto& [field, count] : device["dangling_uuid_references"].items()) {
      if (count.get<int64_t>() == 0) continue;
      html += fmt::format("<tr><td>{}</td><td class=\"text\"><code>{}</code> (uuid reference)</td><td class=\"text\">"
                          "</td><td></td><td></td><td></td><td class=\"bad\">{}</td></tr>\n",
                          EscapeHtml(name), EscapeHtml(field), Grouped(count.get<int64_t>()));
    }
  }
  return html + "</table>\n";
}

std::string RenderDifferences(const nlohmann::json& convergence) {
  if (convergence["differences"].empty()) return "<p class=\"good\">None: the devices hold the same synced rows.</p>\n";
  // A sample's story is one command away (syncsim explain replays the run
  // from this folder); each uuid carries it as its tooltip.
  std::string html =
      "<p>The story of a sample uuid (who wrote it, each message that carried it and its fate, why this device "
      "lacks or differs): <code>syncsim explain RUN_FOLDER --record UUID --device DEVICE</code>, RUN_FOLDER being "
      "this report's folder; hover a uuid for its command.</p>\n"
      "<table><tr><th>model</th><th>owner</th><th>device</th><th>kind</th><th>count</th><th>fields</th>"
      "<th>sample uuids</th></tr>\n";
  for (const nlohmann::json& difference : convergence["differences"]) {
    std::string samples;
    for (const nlohmann::json& uuid : difference["sample_uuids"]) {
      const std::string text = EscapeHtml(uuid.get<std::string>());
      samples += fmt::format("<code title=\"syncsim explain . --record {} --device {}\">{}</code><br>", text,
                             EscapeHtml(Text(difference, "device")), text);
    }
    std::string fields;
    if (difference.contains("sample_fields")) {
      for (const nlohmann::json& field : difference["sample_fields"]) fields += EscapeHtml(field.get<std::string>()) + " ";
    }
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"bad\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        EscapeHtml(Text(difference, "model")), EscapeHtml(Text(difference, "owner")),
                        EscapeHtml(Text(difference, "device")), EscapeHtml(Text(difference, "kind")),
                        Grouped(Number(difference, "count")), fields, samples);
  }
  return html + "</table>\n";
}

std::string RenderParked(const nlohmann::json& summary) {
  std::string html;
  for (const auto& [name, device] : summary["devices"].items()) {
    if (!device.contains("parked_by_dependency")) continue;
    for (const nlohmann::json& group : device["parked_by_dependency"]) {
      std::string samples;
      for (const nlohmann::json& record : group["sample_records"]) samples += "<code>" + EscapeHtml(record.get<std::string>()) + "</code> ";
      html += fmt::format("<tr><td>{}</td><td><code>{}:{}</code></td><td>{}</td><td>{}</td></tr>\n", EscapeHtml(name),
                          EscapeHtml(Text(group, "missing_model")), EscapeHtml(Text(group, "missing_uuid")),
                          Grouped(Number(group, "records")), samples);
    }
  }
  if (html.empty()) return "<p>No record is parked.</p>\n";
  return "<table><tr><th>device</th><th>waiting for</th><th>records</th><th>sample records</th></tr>\n" + html +
         "</table>\n";
}

std::string RenderPhase(const ReportPhase& phase) {
  const nlohmann::json& summary = phase.summary;
  std::string html = fmt::format("<section id=\"phase-{0}\"><h2>Phase <code>{0}</code> at {1} ms of virtual time</h2>\n"
                                 "<p>State fingerprint <code>{2}</code></p>\n",
                                 EscapeHtml(phase.name), Grouped(Number(summary, "virtual_time_ms")),
                                 EscapeHtml(Text(summary, "state_fingerprint")));
  html += "<h3>Devices</h3>\n" + RenderDevices(summary);
  html += "<h3>Rows per model</h3>\n" + RenderCounts(summary);
  html += "<h3>Linkage relative to each owner</h3>\n<ul>\n";
  bool any = false;
  for (const auto& [name, device] : summary["devices"].items()) {
    if (!device.contains("linkage")) continue;
    for (const nlohmann::json& link : device["linkage"]) {
      any = true;
      html += fmt::format("<li>{}{} ({}); entries: {} of {}; parent links: {} of {} ({})</li>\n",
                          ShareBar(link.value("content_share", 1.0)), EscapeHtml(Text(link, "text")),
                          Percent(link.value("content_share", 1.0)), Grouped(Number(link, "receiver_entries")),
                          Grouped(Number(link, "owner_entries")), Grouped(Number(link, "receiver_parent_links")),
                          Grouped(Number(link, "owner_parent_links")), Percent(link.value("parent_share", 1.0)));
    }
  }
  if (!any) html += "<li>No device owns a location in this phase.</li>\n";
  html += "</ul>\n<h3>Foreign keys</h3>\n" + RenderForeignKeys(summary);
  html += "<h3>Convergence</h3>\n" + RenderDifferences(summary["convergence"]);
  html += "<h3>Parked records</h3>\n" + RenderParked(summary);
  html += "<h3>Linkage graph</h3>\n";
  if (phase.svg.rendered) {
    html += "<div class=\"scroll\">" + InlineSvg(phase.dir / "linkage.svg") + "</div>\n";
  } else {
    html += fmt::format("<p class=\"note\">No picture: {}. The graph is in <code>{}/linkage.dot</code> (render it with "
                        "<code>dot -Tsvg</code>).</p>\n",
                        EscapeHtml(phase.svg.problem), EscapeHtml(phase.name));
  }
  if (!summary["stall"].is_null()) {
    html += "<h3>Stall diagnosis</h3>\n<p class=\"bad\">" + EscapeHtml(Text(summary["stall"], "headline")) + "</p>\n";
    html += "<pre>" + EscapeHtml(summary["stall"].dump(2)) + "</pre>\n";
  }
  html += "<details><summary>Watermarks, acknowledgements and engine state per device</summary>\n";
  for (const auto& [name, device] : summary["devices"].items()) {
    nlohmann::json state = {{"watermarks", device.value("watermarks", nlohmann::json())},
                            {"peer_acks", device.value("peer_acks", nlohmann::json())},
                            {"hlc", device.value("hlc", nlohmann::json())},
                            {"runtime", device.value("runtime", nlohmann::json())}};
    html += fmt::format("<h4>{}</h4><pre>{}</pre>\n", EscapeHtml(name), EscapeHtml(state.dump(2)));
  }
  html += "</details>\n</section>\n";
  return html;
}

// A JSON file of the run folder; a missing one leaves `json` null (the page
// says what is absent), one that does not parse is an error.
core::Status ReadOptionalJson(const fs::path& path, nlohmann::json* json) {
  std::string text;
  if (!ReadWholeFile(path.string(), &text).ok()) return core::Status::Ok();
  // Strict: linear time, and nesting bounded (a 200,000-level file would
  // exhaust the stack when the page prints it).
  core::Status status = ParseStrictJson(text, json);
  if (!status.ok()) return core::Status::Corruption(path.string() + ": " + status.message());
  return core::Status::Ok();
}

// result.json as the page reads it: the keys it uses have their types, so
// that a file from elsewhere is refused (exit 2) rather than thrown on.
core::Status CheckResultShape(const nlohmann::json& result, const fs::path& path) {
  auto bad = [&](const std::string& where, const char* expected) {
    return core::Status::Corruption(fmt::format("{}: {}: expected {}", path.string(), where, expected));
  };
  if (result.is_null()) return core::Status::Ok();
  if (!result.is_object()) return bad("(root)", "an object");
  if (result.contains("passed") && !result["passed"].is_boolean()) return bad("passed", "true or false");
  if (result.contains("messages") && !result["messages"].is_object()) return bad("messages", "an object");
  if (!result.contains("expectations")) return core::Status::Ok();
  if (!result["expectations"].is_array()) return bad("expectations", "an array");
  for (size_t i = 0; i < result["expectations"].size(); ++i) {
    const nlohmann::json& expectation = result["expectations"][i];
    const std::string where = fmt::format("expectations[{}]", i);
    if (!expectation.is_object()) return bad(where, "an object");
    if (expectation.contains("ok") && !expectation["ok"].is_boolean()) return bad(where + ".ok", "true or false");
  }
  return core::Status::Ok();
}

// The message timeline from trace.jsonl, or a note when the snapshot has none.
core::Status RenderTimelineSection(const fs::path& run_dir, std::string* html) {
  MessageTimeline timeline;
  core::Status status = ReadMessageTimeline(run_dir / "trace.jsonl", &timeline);
  if (status.ok()) {
    *html = RenderTimelineHtml(timeline);
  } else if (status.code() == core::Status::Code::kNotFound) {
    *html = "<p class=\"note\">No trace.jsonl in this snapshot, so no message timeline.</p>\n";
  } else {
    return status;
  }
  return core::Status::Ok();
}

// The page's head and title, the description, the glance and the links to
// each part.
std::string RenderPageTop(const nlohmann::json& scenario, const nlohmann::json& result, const std::string& display_dir,
                          const std::vector<ReportPhase>& phases) {
  const std::string name = scenario.is_object() ? Text(scenario, "name") : fs::path(display_dir).parent_path().filename().string();
  const std::string seed = scenario.is_object() ? Text(scenario, "seed") : "?";
  std::string verdict = "<span class=\"verdict unknown\">no result.json</span>";
  if (result.is_object()) {
    verdict = result.value("passed", false) ? "<span class=\"verdict pass\">PASS</span>"
                                            : "<span class=\"verdict fail\">FAIL</span>";
  }
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>syncsim: {0} seed {1}</title>\n"
      "<style>{2}</style></head>\n<body>\n<h1>{3} {0} — seed {1}</h1>\n",
      EscapeHtml(name), EscapeHtml(seed), kStyle, verdict);
  if (scenario.is_object() && scenario.contains("description")) {
    html += "<p>" + EscapeHtml(Text(scenario, "description")) + "</p>\n";
  }
  if (result.is_object() && result.contains("engine")) {
    html += "<p>Engine: <code>" + EscapeHtml(Text(result, "engine")) + "</code></p>\n";
  }
  html += RenderGlance(result, phases);
  html += "<nav>";
  for (const ReportPhase& phase : phases) {
    html += fmt::format("<a href=\"#phase-{0}\">phase {0}</a>", EscapeHtml(phase.name));
  }
  return html + "<a href=\"#timeline\">message timeline</a><a href=\"#run\">run</a></nav>\n";
}

// Every expectation of result.json with its verdict (nothing without one).
std::string RenderExpectations(const nlohmann::json& result) {
  if (!result.is_object()) return "";
  std::string html = "<h2>Expectations</h2>\n<table><tr><th></th><th>check</th><th>detail</th></tr>\n";
  for (const nlohmann::json& expectation : result.value("expectations", nlohmann::json::array())) {
    const bool ok = expectation.value("ok", false);
    html += fmt::format("<tr><td class=\"{}\">{}</td><td><code>{}</code></td><td>{}</td></tr>\n", ok ? "good" : "bad",
                        ok ? "ok" : "FAIL", EscapeHtml(Text(expectation, "name")), EscapeHtml(Text(expectation, "detail")));
  }
  return html + "</table>\n";
}

// The run as a whole: fingerprints and message totals, how to replay and
// rebuild it, and the resolved scenario.
std::string RenderRunSection(const nlohmann::json& scenario, const nlohmann::json& result,
                             const std::string& display_dir) {
  std::string html = "<section id=\"run\"><h2>Run</h2>\n";
  if (result.is_object()) {
    const nlohmann::json messages = result.value("messages", nlohmann::json::object());
    html += fmt::format(
        "<p>Fingerprint <code>{}</code>, state fingerprint <code>{}</code>; {} ms of virtual time, {} events; "
        "messages: {} sent, {} delivered, {} dropped, {} duplicated.</p>\n",
        EscapeHtml(Text(result, "fingerprint")), EscapeHtml(Text(result, "state_fingerprint")),
        Grouped(Number(result, "virtual_time_ms")),
        Grouped(Number(result, "events")), Grouped(Number(messages, "sent")), Grouped(Number(messages, "delivered")),
        Grouped(Number(messages, "dropped")), Grouped(Number(messages, "duplicated")));
  }
  html += fmt::format(
      "<p class=\"note\">Replay: <code>syncsim run {0}/scenario.json</code>. Rebuild this page from the databases: "
      "<code>syncsim report {0}</code>.</p>\n",
      EscapeHtml(display_dir));
  if (scenario.is_object()) {
    html += "<details><summary>The resolved scenario</summary><pre>" + EscapeHtml(scenario.dump(2)) + "</pre></details>\n";
  }
  return html + "</section>\n";
}

}  // namespace

core::Status WriteRunReport(const fs::path& run_dir, const std::string& display_dir,
                            const std::vector<ReportPhase>& phases) {
  nlohmann::json scenario;
  nlohmann::json result;
  std::string timeline_html;
  core::Status status = ReadOptionalJson(run_dir / "scenario.json", &scenario);
  if (status.ok()) status = ReadOptionalJson(run_dir / "result.json", &result);
  if (status.ok()) status = CheckResultShape(result, run_dir / "result.json");
  if (status.ok()) status = RenderTimelineSection(run_dir, &timeline_html);
  if (!status.ok()) return status;
  std::string html = RenderPageTop(scenario, result, display_dir, phases);
  html += RenderExpectations(result);
  for (const ReportPhase& phase : phases) html += RenderPhase(phase);
  html += "<section id=\"timeline\"><h2>Messages over virtual time</h2>\n" + timeline_html + "</section>\n";
  html += RenderRunSection(scenario, result, display_dir);
  html += "</body></html>\n";
  return WriteFileAtomically((run_dir / "report.html").string(), html);
}

}  // namespace syncsim::sim
