// ScenarioOverrides: the command line's `--set KEY=VALUE`, applied to a
// scenario document before it is validated, so that one file can be re-run
// with one knob changed (`--set network.drop=0.2`, `--set steps[3].files=10`)
// and the resolved scenario.json of the run shows the value used.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace syncsim::sim {

// Sets one scalar of `document` from a `--set` assignment `KEY=VALUE`.
//
// KEY is a dotted path whose parts may carry array indexes:
// `sync.missing_dependency`, `network.drop`, `steps[1].files`, `seed`,
// `devices[1].clock.offset_ms`, `steps[2].groups[0][1]`. Every array index
// must exist. A missing object key is created (with missing objects on the
// way, so `devices[1].clock.offset_ms` works on a device without a clock);
// ParseScenario then rejects keys that do not belong. An existing target must
// be a scalar: objects and arrays cannot be replaced.
//
// VALUE is taken as JSON when it is a JSON scalar (`0.2`, `-3`, `true`,
// `"quoted"`), else as a plain string (`drop`). Two exceptions keep the
// obvious meaning: a string target stays a string (`--set name=2024` gives
// "2024"), and a bare `null` is the string "null", since no scenario key
// takes JSON null (`--set sync.missing_dependency=null`).
//
// Fails (InvalidArgument, `--set KEY: <problem>`, document unchanged) when
// the assignment has no `=`, KEY is malformed, a path part does not exist or
// has the wrong kind (a name on an array, an index on an object, a path
// through a scalar), or the target is an object or an array.
//
// REQUIRES: document != nullptr.
core::Status ApplyOverride(nlohmann::json* document, std::string_view assignment);

}  // namespace syncsim::sim
