#include "core/message_object_reader.h"

#include <limits>
#include <optional>

namespace syncsim::core::codec {

using json = nlohmann::json;

std::string Quoted(std::string_view text) {
  return json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
}

ObjectReader::ObjectReader(json* value, std::string path, Status* status)
    : object_(value), path_(std::move(path)), status_(status) {
  if (status_->ok() && !object_->is_object()) {
    Fail(path_.empty() ? std::string("payload") : path_, "expected an object");
  }
}

std::string ObjectReader::FieldPath(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  std::string result = path_;
  result += '.';
  result += key;
  return result;
}

void ObjectReader::Fail(const std::string& path, std::string_view what) {
  if (!status_->ok()) return;
  std::string message = path;
  message += ": ";
  message += what;
  *status_ = Status::Corruption(std::move(message));
}

void ObjectReader::String(const char* key, std::string* out) {
  json* value = Take(key);
  if (value == nullptr) return;
  if (!value->is_string()) return Fail(FieldPath(key), "expected a string");
  *out = value->get_ref<const std::string&>();
}

void ObjectReader::UuidField(const char* key, Uuid* out) {
  json* value = Take(key);
  if (value == nullptr) return;
  std::optional<Uuid> parsed;
  if (value->is_string()) parsed = Uuid::Parse(value->get_ref<const std::string&>());
  if (!parsed.has_value()) return Fail(FieldPath(key), "expected a uuid string");
  *out = *parsed;
}

void ObjectReader::Bool(const char* key, bool* out) {
  json* value = Take(key);
  if (value == nullptr) return;
  if (!value->is_boolean()) return Fail(FieldPath(key), "expected a boolean");
  *out = value->get<bool>();
}

void ObjectReader::TrueIfPresent(const char* key, bool* out) {
  if (!status_->ok() || object_->find(key) == object_->end()) return;
  json* value = Take(key);
  if (value == nullptr) return;
  if (*value != true) return Fail(FieldPath(key), "expected true (the field is omitted when false)");
  *out = true;
}

void ObjectReader::VersionsIfPresent(const char* key, std::map<std::string, std::string>* out) {
  if (!status_->ok() || object_->find(key) == object_->end()) return;
  json* value = Take(key);
  if (value == nullptr) return;
  const std::string path = FieldPath(key);
  if (!value->is_object() || value->empty()) return Fail(path, "expected a non-empty object (omitted when empty)");
  std::map<std::string, std::string> versions;
  for (const auto& item : value->items()) {
    if (!item.value().is_string() || item.value().get_ref<const std::string&>().empty()) {
      return Fail(path + "." + item.key(), "expected a non-empty string");
    }
    versions[item.key()] = item.value().get<std::string>();
  }
  *out = std::move(versions);
}

void ObjectReader::Uint64(const char* key, uint64_t* out) {
  uint64_t result = 0;
  if (Unsigned(key, std::numeric_limits<uint64_t>::max(), "64", &result)) *out = result;
}

void ObjectReader::Uint32(const char* key, uint32_t* out) {
  uint64_t result = 0;
  if (Unsigned(key, std::numeric_limits<uint32_t>::max(), "32", &result)) *out = static_cast<uint32_t>(result);
}

void ObjectReader::Data(const char* key, json* out) {
  json* value = Take(key);
  if (value == nullptr) return;
  if (!value->is_object()) return Fail(FieldPath(key), "expected an object");
  *out = std::move(*value);
}

void ObjectReader::ChangeType(const char* key, SharedChangeEntry::Type* out) {
  json* value = Take(key);
  if (value == nullptr) return;
  if (!value->is_string()) return Fail(FieldPath(key), "expected \"insert\", \"update\" or \"delete\"");
  const std::string& name = value->get_ref<const std::string&>();
  if (name == "insert") {
    *out = SharedChangeEntry::Type::kInsert;
  } else if (name == "update") {
    *out = SharedChangeEntry::Type::kUpdate;
  } else if (name == "delete") {
    *out = SharedChangeEntry::Type::kDelete;
  } else {
    Fail(FieldPath(key), "unknown change type " + Quoted(name) + " (expected \"insert\", \"update\" or \"delete\")");
  }
}

void ObjectReader::Finish() {
  if (!status_->ok()) return;
  if (object_->size() == read_keys_.size()) return;
  for (const auto& item : object_->items()) {
    bool known = false;
    for (std::string_view read_key : read_keys_) {
      if (read_key == item.key()) {
        known = true;
        break;
      }
    }
    if (!known) return Fail(FieldPath(item.key()), "unknown field");
  }
}

ObjectReader::json* ObjectReader::Take(const char* key) {
  if (!status_->ok()) return nullptr;
  auto it = object_->find(key);
  if (it == object_->end()) {
    Fail(FieldPath(key), "missing field");
    return nullptr;
  }
  read_keys_.push_back(key);
  return &*it;
}

// Integers arrive as unsigned, signed (only "-0" and negative numbers) or,
// beyond 2^64 - 1, floating point JSON numbers; each wrong one is named.
bool ObjectReader::Unsigned(const char* key, uint64_t max, const char* bits, uint64_t* out) {
  json* value = Take(key);
  if (value == nullptr) return false;
  std::string expected = std::string("expected an unsigned ") + bits + "-bit integer";
  uint64_t result = 0;
  if (value->is_number_unsigned()) {
    result = value->get<uint64_t>();
  } else if (value->is_number_integer()) {  // Signed: only "-0" and negative numbers parse as such.
    int64_t signed_value = value->get<int64_t>();
    if (signed_value < 0) {
      Fail(FieldPath(key), expected + ", got a negative number");
      return false;
    }
    result = static_cast<uint64_t>(signed_value);
  } else if (value->is_number_float()) {
    // Integers beyond 2^64 - 1 parse as floating point numbers.
    double number = value->get<double>();
    if (number < 0) {
      Fail(FieldPath(key), expected + ", got a negative number");
    } else if (number >= 18446744073709551616.0) {
      Fail(FieldPath(key), expected + ", got a number out of range");
    } else {
      Fail(FieldPath(key), expected + ", got a floating point number");
    }
    return false;
  } else {
    Fail(FieldPath(key), expected);
    return false;
  }
  if (result > max) {
    Fail(FieldPath(key), expected + ", got a number out of range");
    return false;
  }
  *out = result;
  return true;
}

}  // namespace syncsim::core::codec
