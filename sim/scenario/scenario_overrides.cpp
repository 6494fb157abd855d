#include "sim/scenario/scenario_overrides.h"

#include <optional>
#include <string>
#include <vector>

#include "sim/base/assert.h"
#include "sim/base/json_readers.h"

namespace syncsim::sim {
namespace {

using core::Status;
using nlohmann::json;

// One part of a `--set` key: an object key or an array index.
struct KeyPart {
  std::string key;
  std::optional<size_t> index;
};

// Splits `key` ("steps[1].files") into parts. Returns false when it is not
// names joined by dots, each followed by zero or more [index].
bool SplitOverrideKey(std::string_view key, std::vector<KeyPart>* parts) {
  constexpr size_t kIndexDigitsMax = 9;
  size_t position = 0;
  while (true) {
    const size_t name_start = position;
    while (position < key.size() && IsNameCharacter(key[position])) ++position;
    if (position == name_start) return false;
    parts->push_back(KeyPart{std::string(key.substr(name_start, position - name_start)), std::nullopt});
    while (position < key.size() && key[position] == '[') {
      ++position;
      const size_t digits_start = position;
      size_t index = 0;
      while (position < key.size() && key[position] >= '0' && key[position] <= '9') {
        index = index * 10 + static_cast<size_t>(key[position] - '0');
        ++position;
      }
      const size_t digits = position - digits_start;
      if (digits == 0 || digits > kIndexDigitsMax || position >= key.size() || key[position] != ']') return false;
      ++position;
      parts->push_back(KeyPart{"", index});
    }
    if (position == key.size()) return true;
    if (key[position] != '.') return false;
    ++position;
  }
}

std::string KindOf(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::null:
      return "null";
    default:
      return "a number";
  }
}

bool IsValidUtf8(const std::string& text) {
  try {
    (void)json(text).dump();
  } catch (const json::type_error&) {
    return false;
  }
  return true;
}

}  // namespace

Status ApplyOverride(json* document, std::string_view assignment) {
  SYNCSIM_ASSERT(document != nullptr);
  const size_t equals = assignment.find('=');
  if (equals == std::string_view::npos) {
    return Status::InvalidArgument("--set " + std::string(assignment) + ": expected KEY=VALUE");
  }
  const std::string key(assignment.substr(0, equals));
  const std::string raw_value(assignment.substr(equals + 1));
  auto fail = [&key](const std::string& problem) { return Status::InvalidArgument("--set " + key + ": " + problem); };

  std::vector<KeyPart> parts;
  if (!SplitOverrideKey(key, &parts)) {
    return fail("expected a key such as sync.missing_dependency or steps[1].files");
  }
  if (!IsValidUtf8(raw_value)) return fail("the value is not valid UTF-8");
  if (!document->is_object()) return fail("the scenario is " + KindOf(*document) + ", not an object");

  // Walk to the parent of the target without changing anything.
  json* node = document;
  std::string walked;  // the path of `node`
  size_t part_index = 0;
  for (; part_index + 1 < parts.size(); ++part_index) {
    const KeyPart& part = parts[part_index];
    if (part.index.has_value()) {
      if (!node->is_array()) return fail(ShownPath(walked) + " is " + KindOf(*node) + ", not an array");
      if (*part.index >= node->size()) {
        return fail(ShownPath(walked) + " has " + std::to_string(node->size()) + " elements, so [" +
                    std::to_string(*part.index) + "] does not exist");
      }
      node = &(*node)[*part.index];
      walked = ElementPath(walked, *part.index);
      continue;
    }
    if (!node->is_object()) return fail(ShownPath(walked) + " is " + KindOf(*node) + ", not an object");
    auto it = node->find(part.key);
    if (it == node->end()) break;  // the rest is created below
    node = &*it;
    walked = MemberPath(walked, part.key);
  }

  // Parts from part_index on that do not exist yet are created as objects,
  // so they must all be keys.
  const bool creating = part_index + 1 < parts.size();
  if (creating) {
    for (size_t i = part_index; i < parts.size(); ++i) {
      if (parts[i].index.has_value()) {
        return fail(MemberPath(walked, parts[part_index].key) + " does not exist");
      }
    }
  }
  const KeyPart& last = parts.back();
  if (!creating) {
    if (last.index.has_value()) {
      if (!node->is_array()) return fail(ShownPath(walked) + " is " + KindOf(*node) + ", not an array");
      if (*last.index >= node->size()) {
        return fail(ShownPath(walked) + " has " + std::to_string(node->size()) + " elements, so [" +
                    std::to_string(*last.index) + "] does not exist");
      }
    } else if (!node->is_object()) {
      return fail(ShownPath(walked) + " is " + KindOf(*node) + ", not an object");
    }
  }
  json* target = nullptr;
  if (!creating) {
    if (last.index.has_value()) {
      target = &(*node)[*last.index];
    } else if (auto it = node->find(last.key); it != node->end()) {
      target = &*it;
    }
  }
  // The two lists that switch a negative scenario off can be emptied
  // (`--set sync.defects=[] --set expect.must_fail=[]`).
  if (target != nullptr && target->is_array() && raw_value == "[]" &&
      (key == "sync.defects" || key == "expect.must_fail")) {
    *target = json::array();
    return Status::Ok();
  }
  if (target != nullptr && target->is_structured()) {
    return fail(key + " is " + KindOf(*target) + "; only numbers, strings and booleans can be set");
  }

  // The value: a JSON scalar, else the raw text; a string target stays a
  // string and a bare null is the string "null".
  json value = json::parse(raw_value, nullptr, /*allow_exceptions=*/false);
  const bool keep_raw = value.is_discarded() || value.is_structured() || value.is_null() ||
                        (target != nullptr && target->is_string() && !value.is_string());
  if (keep_raw) value = raw_value;

  if (target != nullptr) {
    *target = std::move(value);
    return Status::Ok();
  }
  for (size_t i = part_index; i + 1 < parts.size(); ++i) {
    node = &((*node)[parts[i].key] = json::object());
  }
  (*node)[last.key] = std::move(value);
  return Status::Ok();
}

}  // namespace syncsim::sim
