// WritePhaseFiles: the files of one phase folder that are derived from its
// device databases (plus its live state): summary.json, summary.md,
// linkage.dot and linkage.svg. The live run and `syncsim report` both call
// it, which is what makes a rebuilt summary.json identical to the run's.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/model_registry.h"
#include "core/status.h"
#include "sim/snapshot/graphviz_render.h"
#include "sim/snapshot/phase_summary.h"

namespace syncsim::sim {

struct PhaseFiles {
  nlohmann::json summary;
  SvgRendering svg;  // whether linkage.svg was rendered, and if not why
};

// Writes the derived files of `phase_dir` (each atomically). Returns IoError
// naming the file that cannot be written.
// REQUIRES: `phase_dir` exists; input's databases are open.
core::Status WritePhaseFiles(const std::filesystem::path& phase_dir, const PhaseInput& input,
                             const core::ModelRegistry& registry, PhaseFiles* files);

}  // namespace syncsim::sim
