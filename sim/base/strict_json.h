// StrictJson: parses JSON text that a person typed, refusing what
// nlohmann::json would silently accept.
//
// A duplicate object key is an error naming its path (nlohmann::json keeps
// the last one, so `"files": 10, "files": 1000` would run the second value
// unseen). Syntax errors name the byte offset, line and column. Used for
// scenario files; deterministic; no I/O.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace syncsim::sim {

// Parses `text` into `*document`. Fails (InvalidArgument, *document
// unspecified) on a syntax error, naming the byte offset, line and column, or
// on a duplicate key, naming its path.
// REQUIRES: document != nullptr.
core::Status ParseStrictJson(const std::string& text, nlohmann::json* document);

}  // namespace syncsim::sim
