#include "sim/snapshot/timeline_chart.h"

#include <algorithm>
#include <array>
#include <set>

#include <fmt/format.h>

#include "sim/base/text_format.h"

namespace syncsim::sim {
namespace {

struct FateStyle {
  const char* fate;
  const char* colour;
};

// Outcomes stacked in each bar, bottom up; "sent" is drawn as a tick above.
constexpr std::array<FateStyle, 8> kFates = {{{"delivered", "#43a047"},
                                              {"duplicated", "#8e24aa"},
                                              {"held", "#fb8c00"},
                                              {"released", "#1e88e5"},
                                              {"dropped_random", "#e53935"},
                                              {"dropped_disconnected", "#b71c1c"},
                                              {"dropped_down", "#6d4c41"},
                                              {"dropped_held", "#f06292"}}};

constexpr int kChartWidth = 960;
constexpr int kLeft = 140;  // room for the longest message kind
constexpr int kBarsHeight = 180;
constexpr int kRowHeight = 16;

int64_t Count(const std::map<std::string, std::map<std::string, int64_t>>& by_kind, const std::string& fate) {
  int64_t total = 0;
  for (const auto& [kind, fates] : by_kind) {
    auto found = fates.find(fate);
    if (found != fates.end()) total += found->second;
  }
  return total;
}

}  // namespace

std::string RenderTimelineHtml(const MessageTimeline& timeline) {
  if (timeline.messages == 0) return "<p>No message was sent in this run.</p>\n";
  const size_t count = timeline.intervals.size();
  const double slot = static_cast<double>(kChartWidth - kLeft - 8) / static_cast<double>(count);
  int64_t tallest = 1;
  for (const auto& interval : timeline.intervals) {
    int64_t stacked = 0;
    for (const FateStyle& style : kFates) stacked += Count(interval, style.fate);
    tallest = std::max({tallest, stacked, Count(interval, "sent")});
  }
  std::vector<std::string> kinds;
  for (const auto& [kind, fates] : timeline.totals) kinds.push_back(kind);
  const int rows_top = kBarsHeight + 40;
  const int height = rows_top + static_cast<int>(kinds.size()) * kRowHeight + 8;

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"10\">\n",
      kChartWidth, height);
  // Axis: messages per interval on the left, virtual time below.
  svg += fmt::format("<text x=\"4\" y=\"12\">{} msgs</text>\n", Grouped(tallest));
  svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#90a4ae\"/>\n", kLeft, kBarsHeight + 4,
                     kChartWidth - 8);
  for (size_t i = 0; i < count; i += std::max<size_t>(1, count / 8)) {
    const double x = kLeft + slot * static_cast<double>(i);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{} ms</text>\n", x, kBarsHeight + 18,
                       Grouped(static_cast<int64_t>(i) * timeline.interval_ms));
  }
  for (size_t i = 0; i < count; ++i) {
    const auto& interval = timeline.intervals[i];
    const double x = kLeft + slot * static_cast<double>(i);
    const int64_t start_ms = static_cast<int64_t>(i) * timeline.interval_ms;
    std::string tooltip = fmt::format("{}–{} ms", Grouped(start_ms), Grouped(start_ms + timeline.interval_ms));
    for (const auto& [kind, fates] : interval) {
      tooltip += "\n" + kind + ":";
      for (const auto& [fate, number] : fates) tooltip += fmt::format(" {} {}", Grouped(number), fate);
    }
    double y = kBarsHeight + 4;
    svg += fmt::format("<g><title>{}</title>", EscapeHtml(tooltip));
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"4\" width=\"{:.1f}\" height=\"{}\" fill=\"#ffffff\" opacity=\"0\"/>", x,
                       std::max(slot - 1.0, 1.0), kBarsHeight);
    for (const FateStyle& style : kFates) {
      const int64_t number = Count(interval, style.fate);
      if (number == 0) continue;
      const double bar = static_cast<double>(kBarsHeight) * static_cast<double>(number) / static_cast<double>(tallest);
      y -= bar;
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>", x, y,
                         std::max(slot - 1.0, 1.0), bar, style.colour);
    }
    const int64_t sent = Count(interval, "sent");
    if (sent > 0) {
      const double tick = kBarsHeight + 4 - static_cast<double>(kBarsHeight) * static_cast<double>(sent) /
                                                static_cast<double>(tallest);
      svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#263238\"/>", x, tick,
                         x + std::max(slot - 1.0, 1.0), tick);
    }
    svg += "</g>\n";
  }
  // The scenario's steps on the time axis.
  for (const TimelineStep& step : timeline.steps) {
    const double x = kLeft + slot * static_cast<double>(step.time_ms) / static_cast<double>(timeline.interval_ms);
    svg += fmt::format(
        "<g><title>{} ms: step {}</title><line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#37474f\" "
        "stroke-dasharray=\"2,2\"/><circle cx=\"{:.1f}\" cy=\"{}\" r=\"3\" fill=\"#37474f\"/></g>\n",
        Grouped(step.time_ms), EscapeHtml(step.label), x, kBarsHeight + 4, x, kBarsHeight + 24, x, kBarsHeight + 26);
  }
  // One row per kind: how many were sent in each interval.
  for (size_t row = 0; row < kinds.size(); ++row) {
    const int y = rows_top + static_cast<int>(row) * kRowHeight;
    svg += fmt::format("<text x=\"4\" y=\"{}\" font-size=\"9\">{}</text>\n", y + 11,
                       EscapeHtml(kinds[row]));
    int64_t busiest = 1;
    for (const auto& interval : timeline.intervals) {
      auto found = interval.find(kinds[row]);
      if (found != interval.end()) busiest = std::max(busiest, found->second.count("sent") ? found->second.at("sent") : 0);
    }
    for (size_t i = 0; i < count; ++i) {
      auto found = timeline.intervals[i].find(kinds[row]);
      if (found == timeline.intervals[i].end()) continue;
      const int64_t sent = found->second.count("sent") ? found->second.at("sent") : 0;
      int64_t lost = 0;
      for (const auto& [fate, number] : found->second) {
        if (fate.rfind("dropped", 0) == 0) lost += number;
      }
      const double shade = 0.15 + 0.85 * static_cast<double>(sent) / static_cast<double>(busiest);
      std::string tooltip = fmt::format("{} at {}–{} ms:", kinds[row], Grouped(static_cast<int64_t>(i) * timeline.interval_ms),
                                        Grouped(static_cast<int64_t>(i + 1) * timeline.interval_ms));
      for (const auto& [fate, number] : found->second) tooltip += fmt::format(" {} {}", Grouped(number), fate);
      svg += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\" fill-opacity=\"{:.2f}\"><title>{}</title></rect>\n",
          kLeft + slot * static_cast<double>(i), y + 2, std::max(slot - 1.0, 1.0), kRowHeight - 3,
          lost > 0 ? "#e53935" : "#1565c0", shade, EscapeHtml(tooltip));
    }
  }
  svg += "</svg>\n";

  std::string legend = "<p class=\"legend\">";
  for (const FateStyle& style : kFates) {
    legend += fmt::format("<span><i style=\"background:{}\"></i>{}</span> ", style.colour, style.fate);
  }
  legend += fmt::format(
      "<span><i style=\"background:#263238;height:2px\"></i>sent (tick)</span> — one bar per {} ms of virtual time; "
      "dashed marks are the scenario's steps. Rows: messages sent per kind (red: some were dropped). Hover for "
      "counts.</p>\n",
      Grouped(timeline.interval_ms));

  // Totals by kind and fate.
  std::set<std::string> fates;
  for (const auto& [kind, by_fate] : timeline.totals) {
    for (const auto& [fate, number] : by_fate) fates.insert(fate);
  }
  std::string table = "<table class=\"numbers\"><tr><th>kind</th>";
  for (const std::string& fate : fates) table += "<th>" + EscapeHtml(fate) + "</th>";
  table += "</tr>\n";
  for (const auto& [kind, by_fate] : timeline.totals) {
    table += "<tr><td>" + EscapeHtml(kind) + "</td>";
    for (const std::string& fate : fates) {
      auto found = by_fate.find(fate);
      table += "<td>" + (found == by_fate.end() ? std::string() : Grouped(found->second)) + "</td>";
    }
    table += "</tr>\n";
  }
  table += "</table>\n";
  return "<div class=\"scroll\">" + svg + "</div>\n" + legend + table;
}

}  // namespace syncsim::sim
