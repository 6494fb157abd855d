// WriteFileAtomically: a file appears whole or not at all. The content goes
// to "<path>.partial" first and is renamed over `path`, so a reader (or a
// crash) never sees half a summary, report or scenario.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace syncsim::sim {

// Replaces `path` with `content`. Returns IoError naming the path when the
// temporary cannot be written or renamed; the temporary is removed then.
core::Status WriteFileAtomically(const std::string& path, std::string_view content);

// Reads a whole file. Returns NotFound or IoError naming the path.
core::Status ReadWholeFile(const std::string& path, std::string* content);

}  // namespace syncsim::sim
