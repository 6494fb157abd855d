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

Status Failure(const std::string& key, const std::string& problem) {
  return Status::InvalidArgument("--set " + key + ": " + problem);
}

// `node` (at `walked`) must be an array holding [index].
Status CheckElement(const json& node, const std::string& walked, size_t index, const std::string& key) {
  if (!node.is_array()) return Failure(key, ShownPath(walked) + " is " + KindOf(node) + ", not an array");
  if (index >= node.size()) {
    return Failure(key, ShownPath(walked) + " has " + std::to_string(node.size()) + " elements, so [" +
                            std::to_string(index) + "] does not exist");
  }
  return Status::Ok();
}

// How far a key leads into the document before anything is changed: the
// deepest existing node on the way to the target's parent.
struct Walk {
  json* node = nullptr;
  std::string walked;     // the path of `node`
  size_t part_index = 0;  // the first part not walked
};

// Walks to the parent of the target, stopping early at a key the document
// does not have (the rest is created later). Changes nothing.
Status WalkToParent(json* document, const std::vector<KeyPart>& parts, const std::string& key, Walk* walk) {
  walk->node = document;
  for (; walk->part_index + 1 < parts.size(); ++walk->part_index) {
    const KeyPart& part = parts[walk->part_index];
    if (part.index.has_value()) {
      if (Status status = CheckElement(*walk->node, walk->walked, *part.index, key); !status.ok()) return status;
      walk->node = &(*walk->node)[*part.index];
      walk->walked = ElementPath(walk->walked, *part.index);
      continue;
    }
    if (!walk->node->is_object()) {
      return Failure(key, ShownPath(walk->walked) + " is " + KindOf(*walk->node) + ", not an object");
    }
    auto it = walk->node->find(part.key);
    if (it == walk->node->end()) break;
    walk->node = &*it;
    walk->walked = MemberPath(walk->walked, part.key);
  }
  return Status::Ok();
}

// The existing value the key names (null when it is to be created). Parts
// still to be created become objects, so they must all be keys.
Status FindTarget(const Walk& walk, const std::vector<KeyPart>& parts, const std::string& key, json** target) {
  *target = nullptr;
  const KeyPart& last = parts.back();
  if (walk.part_index + 1 < parts.size()) {
    for (size_t i = walk.part_index; i < parts.size(); ++i) {
      if (parts[i].index.has_value()) {
        return Failure(key, MemberPath(walk.walked, parts[walk.part_index].key) + " does not exist");
      }
    }
    return Status::Ok();
  }
  if (last.index.has_value()) {
    if (Status status = CheckElement(*walk.node, walk.walked, *last.index, key); !status.ok()) return status;
    *target = &(*walk.node)[*last.index];
  } else if (!walk.node->is_object()) {
    return Failure(key, ShownPath(walk.walked) + " is " + KindOf(*walk.node) + ", not an object");
  } else if (auto it = walk.node->find(last.key); it != walk.node->end()) {
    *target = &*it;
  }
  return Status::Ok();
}

// The value: a JSON scalar, else the raw text; a string target stays a
// string and a bare null is the string "null".
json ParseValue(const std::string& raw_value, const json* target) {
  json value = json::parse(raw_value, nullptr, /*allow_exceptions=*/false);
  const bool keep_raw = value.is_discarded() || value.is_structured() || value.is_null() ||
                        (target != nullptr && target->is_string() && !value.is_string());
  if (keep_raw) value = raw_value;
  return value;
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
  std::vector<KeyPart> parts;
  if (!SplitOverrideKey(key, &parts)) {
    return Failure(key, "expected a key such as sync.missing_dependency or steps[1].files");
  }
  if (!IsValidUtf8(raw_value)) return Failure(key, "the value is not valid UTF-8");
  if (!document->is_object()) return Failure(key, "the scenario is " + KindOf(*document) + ", not an object");

  Walk walk;
  json* target = nullptr;
  Status status = WalkToParent(document, parts, key, &walk);
  if (status.ok()) status = FindTarget(walk, parts, key, &target);
  if (!status.ok()) return status;
  // The two lists that switch a negative scenario off can be emptied
  // (`--set sync.defects=[] --set expect.must_fail=[]`).
  if (target != nullptr && target->is_array() && raw_value == "[]" &&
      (key == "sync.defects" || key == "expect.must_fail")) {
    *target = json::array();
    return Status::Ok();
  }
  if (target != nullptr && target->is_structured()) {
    return Failure(key, key + " is " + KindOf(*target) + "; only numbers, strings and booleans can be set");
  }
  json value = ParseValue(raw_value, target);
  if (target != nullptr) {
    *target = std::move(value);
    return Status::Ok();
  }
  json* node = walk.node;
  for (size_t i = walk.part_index; i + 1 < parts.size(); ++i) {
    node = &((*node)[parts[i].key] = json::object());
  }
  (*node)[parts.back().key] = std::move(value);
  return Status::Ok();
}

}  // namespace syncsim::sim
