// `syncsim explain RUN_DIR --record UUID [--device NAME] [--json]`: the
// story of one record across a run (sim/explain/record_story.h), told by
// replaying the run from RUN_DIR/scenario.json (a run is a pure function of
// scenario, seed and build) with an observer that changes nothing: who
// wrote it and when, each message that carried it and its fate, where it
// appeared, changed, was parked and on what, or was deleted, and at the end
// what each device holds and why a device lacks it or differs. The replay's
// fingerprint is compared with RUN_DIR/result.json's: a different build
// may replay another run, and the story says so. Exit 0 with the story; 2
// for a bad folder, uuid or device name.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

std::function<int()> RegisterExplainCommand(CLI::App& app);

}  // namespace syncsim::tools
