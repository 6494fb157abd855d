// JsonReaders: the typed readers every part of a scenario file is read with.
//
// A scenario is typed by hand, so each reader checks one value's type and
// range and, on failure, returns InvalidArgument naming the value's JSON path
// (`steps[3].files: expected a non-negative integer, got "abc"`), leaving the
// output untouched. The loader, and every action and check that reads its
// own settings, use these so that all messages read alike. Deterministic;
// no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

// Returns the Status of `expression` from the enclosing function unless it
// is ok.
#define SYNCSIM_RETURN_IF_ERROR(expression)          \
  do {                                               \
    ::syncsim::core::Status status_ = (expression);  \
    if (!status_.ok()) return status_;               \
  } while (false)

namespace syncsim::sim {

// The longest identifier (device names, locations, phases, tags) a file may
// use.
inline constexpr size_t kNameLengthMax = 64;

// ---- Paths and messages ----

// "parent.key"; the root (empty parent) gives "key".
std::string MemberPath(const std::string& parent, std::string_view key);
// "parent[index]".
std::string ElementPath(const std::string& parent, size_t index);
// The root object has the empty path; messages call it "(root)".
std::string ShownPath(const std::string& path);
// InvalidArgument "<shown path>: <problem>".
core::Status Invalid(const std::string& path, const std::string& problem);
// `text` as a JSON string literal; invalid UTF-8 is replaced, never thrown.
std::string Quoted(std::string_view text);
// A value as an error message shows it after "got": scalars as JSON (long
// strings cut), containers by their kind.
std::string Describe(const nlohmann::json& value);
// "a, b or c", each quoted.
std::string QuotedAlternatives(std::span<const std::string_view> names);
// Edit distance between `a` and `b` (insertions, deletions, substitutions).
size_t EditDistance(std::string_view a, std::string_view b);

// " (did you mean "x"?)" for the first candidate within two edits of `given`,
// else "".
template <typename Range>
std::string Suggestion(std::string_view given, const Range& candidates) {
  size_t best_distance = 3;
  std::string_view best;
  for (std::string_view candidate : candidates) {
    const size_t distance = EditDistance(given, candidate);
    if (distance < best_distance && distance < candidate.size()) {
      best_distance = distance;
      best = candidate;
    }
  }
  if (best.empty()) return "";
  return " (did you mean " + Quoted(best) + "?)";
}

// A letter, digit, '_' or '-': the characters of an identifier.
bool IsNameCharacter(char character);
// `character` for a message: itself in quotes when printable, else \xNN.
std::string ShownCharacter(char character);

// ---- Readers of one value. Each fails naming `path` and leaves *out as is. ----

// The member `key` of `object`, or nullptr. REQUIRES: object is an object.
const nlohmann::json* Find(const nlohmann::json& object, std::string_view key);

// Checks that `value` is an object whose keys are all in `allowed` (unknown
// keys first, in key order) and that it has every key of `required`.
// `context` ends the messages (" for action \"index\"").
core::Status CheckObject(const nlohmann::json& value, const std::string& path,
                         std::span<const std::string_view> allowed, std::span<const std::string_view> required,
                         const std::string& context = "");

// An integer in [min, max]. Numbers with a fraction or an exponent (2.5, 2.0,
// 1e3) are not integers. REQUIRES: min <= max.
core::Status ReadInteger(const nlohmann::json& value, const std::string& path, int64_t min, int64_t max,
                         int64_t* out);
// An integer in [min, max] that fits 32 bits.
core::Status ReadCount(const nlohmann::json& value, const std::string& path, uint32_t min, uint32_t max,
                       uint32_t* out);
// Any non-negative integer that fits 64 bits (the seed).
core::Status ReadUnsigned64(const nlohmann::json& value, const std::string& path, uint64_t* out);
// A number in [0, 1] (probabilities, ratios).
core::Status ReadFraction(const nlohmann::json& value, const std::string& path, double* out);
core::Status ReadBool(const nlohmann::json& value, const std::string& path, bool* out);
core::Status ReadString(const nlohmann::json& value, const std::string& path, std::string* out);
// An identifier: 1 to kNameLengthMax ASCII letters, digits, '_', '-'.
core::Status ReadName(const nlohmann::json& value, const std::string& path, std::string* out);

}  // namespace syncsim::sim
