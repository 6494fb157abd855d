// RenderDotToSvg: turns a DOT file into SVG with Graphviz's `dot` program
// (Debian package graphviz), found on PATH or named by the environment
// variable SYNCSIM_DOT. Graphviz is optional at run time: when it is
// missing the DOT file stays, the SVG is not written, and the caller says so
// in the report.
#pragma once

#include <string>

namespace syncsim::sim {

struct SvgRendering {
  bool rendered = false;
  // Empty when rendered; otherwise why not ("Graphviz (dot) is not
  // installed", "dot exited with status 1").
  std::string problem;
};

// Writes `svg_path` (atomically) from `dot_path`. Never throws.
SvgRendering RenderDotToSvg(const std::string& dot_path, const std::string& svg_path);

}  // namespace syncsim::sim
