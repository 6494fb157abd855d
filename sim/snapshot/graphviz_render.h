// RenderDotToSvg: turns a DOT file into SVG with Graphviz's `dot` program
// (Debian package graphviz), found on PATH or named by the environment
// variable SYNCSIM_DOT. Graphviz is optional at run time: when it is
// missing the DOT file stays, the SVG is not written, and the caller says so
// in the report.
#pragma once

#include <sys/resource.h>

#include <string>

namespace syncsim::sim {

struct SvgRendering {
  bool rendered = false;
  // Empty when rendered; otherwise why not ("Graphviz (dot) is not
  // installed", "dot exited with status 1").
  std::string problem;
};

// What dot may take: CPU seconds and bytes of address space. Far more than
// the graph of a 16-device, million-file run needs.
inline constexpr rlim_t kDotCpuSecondsMax = 60;
inline constexpr rlim_t kDotMemoryBytesMax = rlim_t{4} << 30;

// Writes `svg_path` (atomically) from `dot_path`. dot runs with the limits
// above; past them the SVG is not written and the problem says so. Never
// throws.
SvgRendering RenderDotToSvg(const std::string& dot_path, const std::string& svg_path);

}  // namespace syncsim::sim
