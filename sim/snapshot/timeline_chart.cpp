#include "sim/snapshot/timeline_chart.h"

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <vector>

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

// Where everything of the chart goes: the bars' scale and the rows' place.
struct ChartLayout {
  size_t count = 0;     // intervals, one bar each
  double slot = 0;      // the width of an interval's bar, gap included
  int64_t tallest = 1;  // the most messages of any interval: a full bar
  std::vector<std::string> kinds;
  int rows_top = 0;     // where the rows per kind start
  int height = 0;
};

ChartLayout LayOut(const MessageTimeline& timeline) {
  ChartLayout layout;
  layout.count = timeline.intervals.size();
  layout.slot = static_cast<double>(kChartWidth - kLeft - 8) / static_cast<double>(layout.count);
  for (const auto& interval : timeline.intervals) {
    int64_t stacked = 0;
    for (const FateStyle& style : kFates) stacked += Count(interval, style.fate);
    layout.tallest = std::max({layout.tallest, stacked, Count(interval, "sent")});
  }
  for (const auto& [kind, fates] : timeline.totals) layout.kinds.push_back(kind);
  layout.rows_top = kBarsHeight + 40;
  layout.height = layout.rows_top + static_cast<int>(layout.kinds.size()) * kRowHeight + 8;
  return layout;
}

double BarWidth(const ChartLayout& layout) { return std::max(layout.slot - 1.0, 1.0); }

// Axis: messages per interval on the left, virtual time below.
std::string RenderAxes(const MessageTimeline& timeline, const ChartLayout& layout) {
  std::string svg = fmt::format("<text x=\"4\" y=\"12\">{} msgs</text>\n", Grouped(layout.tallest));
  svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#90a4ae\"/>\n", kLeft, kBarsHeight + 4,
                     kChartWidth - 8);
  for (size_t i = 0; i < layout.count; i += std::max<size_t>(1, layout.count / 8)) {
    const double x = kLeft + layout.slot * static_cast<double>(i);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{} ms</text>\n", x, kBarsHeight + 18,
                       Grouped(static_cast<int64_t>(i) * timeline.interval_ms));
  }
  return svg;
}

// Interval i's bar: its fates stacked bottom up, a tick at the number sent,
// and a transparent cover that carries the tooltip over the whole height.
std::string RenderIntervalBar(const MessageTimeline& timeline, const ChartLayout& layout, size_t i) {
  const auto& interval = timeline.intervals[i];
  const double x = kLeft + layout.slot * static_cast<double>(i);
  const int64_t start_ms = static_cast<int64_t>(i) * timeline.interval_ms;
  std::string tooltip = fmt::format("{}–{} ms", Grouped(start_ms), Grouped(start_ms + timeline.interval_ms));
  for (const auto& [kind, fates] : interval) {
    tooltip += "\n" + kind + ":";
    for (const auto& [fate, number] : fates) tooltip += fmt::format(" {} {}", Grouped(number), fate);
  }
  double y = kBarsHeight + 4;
  std::string svg = fmt::format("<g><title>{}</title>", EscapeHtml(tooltip));
  svg += fmt::format("<rect x=\"{:.1f}\" y=\"4\" width=\"{:.1f}\" height=\"{}\" fill=\"#ffffff\" opacity=\"0\"/>", x,
                     BarWidth(layout), kBarsHeight);
  for (const FateStyle& style : kFates) {
    const int64_t number = Count(interval, style.fate);
    if (number == 0) continue;
    const double bar = static_cast<double>(kBarsHeight) * static_cast<double>(number) / static_cast<double>(layout.tallest);
    y -= bar;
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>", x, y,
                       BarWidth(layout), bar, style.colour);
  }
  const int64_t sent = Count(interval, "sent");
  if (sent > 0) {
    const double tick = kBarsHeight + 4 - static_cast<double>(kBarsHeight) * static_cast<double>(sent) /
                                              static_cast<double>(layout.tallest);
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#263238\"/>", x, tick,
                       x + BarWidth(layout), tick);
  }
  return svg + "</g>\n";
}

// The scenario's steps on the time axis.
std::string RenderStepMarks(const MessageTimeline& timeline, const ChartLayout& layout) {
  std::string svg;
  for (const TimelineStep& step : timeline.steps) {
    const double x = kLeft + layout.slot * static_cast<double>(step.time_ms) / static_cast<double>(timeline.interval_ms);
    svg += fmt::format(
        "<g><title>{} ms: step {}</title><line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#37474f\" "
        "stroke-dasharray=\"2,2\"/><circle cx=\"{:.1f}\" cy=\"{}\" r=\"3\" fill=\"#37474f\"/></g>\n",
        Grouped(step.time_ms), EscapeHtml(step.label), x, kBarsHeight + 4, x, kBarsHeight + 24, x, kBarsHeight + 26);
  }
  return svg;
}

int64_t SentOf(const std::map<std::string, int64_t>& fates) { return fates.count("sent") ? fates.at("sent") : 0; }

// The row of one message kind: how many were sent in each interval, shaded
// against the kind's busiest interval, red where some were dropped.
std::string RenderKindRow(const MessageTimeline& timeline, const ChartLayout& layout, size_t row) {
  const std::string& kind = layout.kinds[row];
  const int y = layout.rows_top + static_cast<int>(row) * kRowHeight;
  std::string svg = fmt::format("<text x=\"4\" y=\"{}\" font-size=\"9\">{}</text>\n", y + 11, EscapeHtml(kind));
  int64_t busiest = 1;
  for (const auto& interval : timeline.intervals) {
    auto found = interval.find(kind);
    if (found != interval.end()) busiest = std::max(busiest, SentOf(found->second));
  }
  for (size_t i = 0; i < layout.count; ++i) {
    auto found = timeline.intervals[i].find(kind);
    if (found == timeline.intervals[i].end()) continue;
    int64_t lost = 0;
    for (const auto& [fate, number] : found->second) {
      if (fate.rfind("dropped", 0) == 0) lost += number;
    }
    const double shade = 0.15 + 0.85 * static_cast<double>(SentOf(found->second)) / static_cast<double>(busiest);
    std::string tooltip = fmt::format("{} at {}–{} ms:", kind, Grouped(static_cast<int64_t>(i) * timeline.interval_ms),
                                      Grouped(static_cast<int64_t>(i + 1) * timeline.interval_ms));
    for (const auto& [fate, number] : found->second) tooltip += fmt::format(" {} {}", Grouped(number), fate);
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\" fill-opacity=\"{:.2f}\"><title>{}</title></rect>\n",
        kLeft + layout.slot * static_cast<double>(i), y + 2, BarWidth(layout), kRowHeight - 3,
        lost > 0 ? "#e53935" : "#1565c0", shade, EscapeHtml(tooltip));
  }
  return svg;
}

std::string RenderLegend(const MessageTimeline& timeline) {
  std::string legend = "<p class=\"legend\">";
  for (const FateStyle& style : kFates) {
    legend += fmt::format("<span><i style=\"background:{}\"></i>{}</span> ", style.colour, style.fate);
  }
  legend += fmt::format(
      "<span><i style=\"background:#263238;height:2px\"></i>sent (tick)</span> — one bar per {} ms of virtual time; "
      "dashed marks are the scenario's steps. Rows: messages sent per kind (red: some were dropped). Hover for "
      "counts.</p>\n",
      Grouped(timeline.interval_ms));
  return legend;
}

// Totals by kind and fate: one column per fate any kind had.
std::string RenderTotalsTable(const MessageTimeline& timeline) {
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
  return table + "</table>\n";
}

}  // namespace

std::string RenderTimelineHtml(const MessageTimeline& timeline) {
  if (timeline.messages == 0) return "<p>No message was sent in this run.</p>\n";
  const ChartLayout layout = LayOut(timeline);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"10\">\n",
      kChartWidth, layout.height);
  svg += RenderAxes(timeline, layout);
  for (size_t i = 0; i < layout.count; ++i) svg += RenderIntervalBar(timeline, layout, i);
  svg += RenderStepMarks(timeline, layout);
  for (size_t row = 0; row < layout.kinds.size(); ++row) svg += RenderKindRow(timeline, layout, row);
  svg += "</svg>\n";
  return "<div class=\"scroll\">" + svg + "</div>\n" + RenderLegend(timeline) + RenderTotalsTable(timeline);
}

}  // namespace syncsim::sim
