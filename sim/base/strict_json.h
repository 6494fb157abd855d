// StrictJson: parses JSON text that a person typed, refusing what
// nlohmann::json would silently accept.
//
// A duplicate object key is an error naming its path (nlohmann::json keeps
// the last one, so `"files": 10, "files": 1000` would run the second value
// unseen). Syntax errors name the byte offset, line and column. Used for
// scenario files; deterministic; no I/O.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace syncsim::sim {

// The deepest nesting of objects and arrays a document may have. A scenario
// needs about six levels; the bound keeps a crafted file of a million
// nested brackets from exhausting the stack or the memory of whoever
// prints it.
inline constexpr size_t kStrictJsonDepthMax = 100;
static_assert(kStrictJsonDepthMax >= 2, "errors name the member of the root they are in");

// Parses `text` into `*document`. Fails (InvalidArgument, *document
// unspecified) on a syntax error, naming the byte offset, line and column, or
// on a duplicate key, naming its path, or on nesting deeper than
// kStrictJsonDepthMax. Takes time linear in the text.
// REQUIRES: document != nullptr.
core::Status ParseStrictJson(const std::string& text, nlohmann::json* document);

}  // namespace syncsim::sim
