#include "sim/base/json_readers.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "sim/base/assert.h"

namespace syncsim::sim {
namespace {

using core::Status;
using nlohmann::json;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
// Strings longer than this are cut when quoted in an error message.
constexpr size_t kQuotedLengthMax = 80;

std::string IntegerKind(int64_t min) {
  if (min == 0) return "a non-negative integer";
  if (min == 1) return "a positive integer";
  return "an integer";
}

}  // namespace

// ---- Paths and messages ----

std::string MemberPath(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string ElementPath(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

// The root object has the empty path; messages call it "(root)".
std::string ShownPath(const std::string& path) { return path.empty() ? "(root)" : path; }

Status Invalid(const std::string& path, const std::string& problem) {
  return Status::InvalidArgument(ShownPath(path) + ": " + problem);
}

// `text` as a JSON string literal; invalid UTF-8 is replaced, never thrown.
std::string Quoted(std::string_view text) {
  return json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
}

// A value as an error message shows it after "got": scalars as JSON (long
// strings cut), containers by their kind.
std::string Describe(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return value.empty() ? "an empty object" : "an object";
    case json::value_t::array:
      return value.empty() ? "an empty array" : "an array";
    case json::value_t::string: {
      const std::string& text = value.get_ref<const std::string&>();
      if (text.size() <= kQuotedLengthMax) return Quoted(text);
      return Quoted(text.substr(0, kQuotedLengthMax)) + "... (" + std::to_string(text.size()) + " characters)";
    }
    default:
      return value.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

// "a, b or c", each quoted.
std::string QuotedAlternatives(std::span<const std::string_view> names) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += (i + 1 == names.size()) ? " or " : ", ";
    text += Quoted(names[i]);
  }
  return text;
}

// Edit distance between `a` and `b` (insertions, deletions, substitutions).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool IsNameCharacter(char character) {
  return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
         (character >= '0' && character <= '9') || character == '_' || character == '-';
}

// `character` for a message: itself in quotes when printable, else \xNN.
std::string ShownCharacter(char character) {
  const auto byte = static_cast<unsigned char>(character);
  if (byte >= 0x20 && byte < 0x7f) return std::string("'") + character + "'";
  constexpr std::string_view kHex = "0123456789abcdef";
  return std::string("\\x") + kHex[byte >> 4] + kHex[byte & 0xf];
}

// ---- Readers of one value. Each fails naming `path` and leaves *out as is. ----

const json* Find(const json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// Checks that `value` is an object whose keys are all in `allowed` (unknown
// keys first, in key order) and that it has every key of `required`.
// `context` ends the messages (" for action \"index\"").
Status CheckObject(const json& value, const std::string& path, std::span<const std::string_view> allowed,
                   std::span<const std::string_view> required, const std::string& context) {
  if (!value.is_object()) return Invalid(path, "expected an object, got " + Describe(value));
  for (const auto& [key, member] : value.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || name == key;
    if (!known) return Invalid(path, "unknown key " + Quoted(key) + context + Suggestion(key, allowed));
  }
  for (std::string_view key : required) {
    if (!value.contains(key)) return Invalid(path, "missing required key " + Quoted(key) + context);
  }
  return Status::Ok();
}


// An integer in [min, max]. Numbers with a fraction or an exponent (2.5, 2.0,
// 1e3) are not integers.
Status ReadInteger(const json& value, const std::string& path, int64_t min, int64_t max, int64_t* out) {
  SYNCSIM_ASSERT(min <= max);
  if (!value.is_number_integer()) return Invalid(path, "expected " + IntegerKind(min) + ", got " + Describe(value));
  bool in_range = false;
  int64_t number = 0;
  if (value.is_number_unsigned()) {
    const auto unsigned_number = value.get<uint64_t>();
    in_range = max >= 0 && unsigned_number <= static_cast<uint64_t>(max);
    if (in_range) number = static_cast<int64_t>(unsigned_number);
  } else {
    number = value.get<int64_t>();
    in_range = number >= min && number <= max;
  }
  if (in_range && number < min) in_range = false;
  if (!in_range) {
    if (max == kInt64Max) return Invalid(path, "expected " + IntegerKind(min) + ", got " + Describe(value));
    return Invalid(path, "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                             Describe(value));
  }
  *out = number;
  return Status::Ok();
}

Status ReadCount(const json& value, const std::string& path, uint32_t min, uint32_t max, uint32_t* out) {
  int64_t number = 0;
  SYNCSIM_RETURN_IF_ERROR(ReadInteger(value, path, min, max, &number));
  *out = static_cast<uint32_t>(number);
  return Status::Ok();
}

// Any non-negative integer that fits 64 bits (the seed).
Status ReadUnsigned64(const json& value, const std::string& path, uint64_t* out) {
  if (value.is_number_unsigned()) {
    *out = value.get<uint64_t>();
    return Status::Ok();
  }
  if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    *out = static_cast<uint64_t>(value.get<int64_t>());
    return Status::Ok();
  }
  return Invalid(path, "expected a non-negative integer, got " + Describe(value));
}

// A number in [0, 1] (probabilities, ratios).
Status ReadFraction(const json& value, const std::string& path, double* out) {
  const bool ok = value.is_number() && value.get<double>() >= 0 && value.get<double>() <= 1;
  if (!ok) return Invalid(path, "expected a number in [0, 1], got " + Describe(value));
  *out = value.get<double>();
  return Status::Ok();
}

Status ReadBool(const json& value, const std::string& path, bool* out) {
  if (!value.is_boolean()) return Invalid(path, "expected true or false, got " + Describe(value));
  *out = value.get<bool>();
  return Status::Ok();
}

Status ReadString(const json& value, const std::string& path, std::string* out) {
  if (!value.is_string()) return Invalid(path, "expected a string, got " + Describe(value));
  *out = value.get<std::string>();
  return Status::Ok();
}

// An identifier: 1 to kNameLengthMax ASCII letters, digits, '_', '-'.
Status ReadName(const json& value, const std::string& path, std::string* out) {
  if (!value.is_string()) return Invalid(path, "expected a name, got " + Describe(value));
  const std::string& name = value.get_ref<const std::string&>();
  const std::string lengths = "1 to " + std::to_string(kNameLengthMax) + " characters";
  if (name.empty()) return Invalid(path, "expected a name of " + lengths + ", got an empty string");
  if (name.size() > kNameLengthMax) {
    return Invalid(path, "expected a name of " + lengths + ", got " + std::to_string(name.size()) + " characters");
  }
  for (char character : name) {
    if (!IsNameCharacter(character)) {
      return Invalid(path, Quoted(name) + " is not a name: " + ShownCharacter(character) +
                               " is not a letter, digit, '_' or '-'");
    }
  }
  *out = name;
  return Status::Ok();
}

}  // namespace syncsim::sim
