// WriteFileAtomically: a file appears whole or not at all. The content goes
// to a fresh temporary beside `path` first and is renamed over `path`, so a
// reader (or a crash) never sees half a summary, report or scenario. The
// temporary is made with O_CREAT | O_EXCL | O_NOFOLLOW under a random name
// (mkstemp), so a planted file or symbolic link there is never written
// through: a snapshot folder from elsewhere cannot redirect a write.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace syncsim::sim {

// Creates an empty temporary file beside `path` ("<path>.partial-XXXXXX",
// exclusively, never following a link) and returns its name and an open
// descriptor that the caller closes. Returns IoError naming the path.
core::Status CreateTemporaryBeside(const std::string& path, std::string* temporary, int* descriptor);

// Renames a temporary of CreateTemporaryBeside over `path` (a link there
// is replaced, not followed), readable as the umask allows. On failure the
// temporary is removed and IoError names the path.
core::Status PublishTemporary(const std::string& temporary, const std::string& path);

// Replaces `path` with `content`. Returns IoError naming the path when the
// temporary cannot be written or renamed; the temporary is removed then.
core::Status WriteFileAtomically(const std::string& path, std::string_view content);

// Reads a whole file. Returns NotFound or IoError naming the path.
core::Status ReadWholeFile(const std::string& path, std::string* content);

}  // namespace syncsim::sim
