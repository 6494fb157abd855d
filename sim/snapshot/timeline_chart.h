// TimelineChart: the message timeline of a run as inline SVG for the
// report: one stacked bar per interval of virtual time showing the fates of
// that interval's messages (delivered, dropped, duplicated, held, released),
// the run's steps as marks on the time axis, and one row per message kind
// whose cells darken with the number sent. Every bar and cell carries a
// <title>, so hovering shows the exact counts.
#pragma once

#include <string>

#include "sim/snapshot/message_timeline.h"

namespace syncsim::sim {

// The chart and a table of totals by kind and fate, as an HTML fragment.
std::string RenderTimelineHtml(const MessageTimeline& timeline);

}  // namespace syncsim::sim
