// The strict field reader of the message decoder (message_decoder.cpp):
// reads the fields of one JSON object of a payload, each of the type the
// wire form gives it (message_codec.h), and names the path of the first
// field that is missing, mistyped, out of range or unknown. Internal to the
// codec: nothing else reads payloads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/messages.h"
#include "core/status.h"
#include "core/uuid.h"

namespace syncsim::core::codec {

// Quotes `text` as a JSON string, for error messages.
std::string Quoted(std::string_view text);

// Reads the fields of one JSON object. Errors are sticky: the first one is
// stored in *status and every later call does nothing, so a decoder reads
// all its fields in a row and checks the status once. Every field is
// required. Finish() reports a key that no call asked for.
class ObjectReader {
 public:
  using json = nlohmann::json;

  // `value` must outlive the reader; `data` objects are moved out of it.
  // `path` is the object's path in the message ("" for the message itself).
  ObjectReader(json* value, std::string path, Status* status);

  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  bool ok() const { return status_->ok(); }

  std::string FieldPath(std::string_view key) const;

  // Sets *status (if it is still OK) to an error at `path`.
  void Fail(const std::string& path, std::string_view what);

  void String(const char* key, std::string* out);
  void UuidField(const char* key, Uuid* out);
  void Bool(const char* key, bool* out);
  // A flag sent only when set: absent is false; present, it must be true
  // (an encoder never writes false, so a false is a malformed message).
  void TrueIfPresent(const char* key, bool* out);
  // A map of field name -> version sent only when not empty: absent is
  // empty; present, it must be a non-empty object of non-empty strings.
  void VersionsIfPresent(const char* key, std::map<std::string, std::string>* out);
  void Uint64(const char* key, uint64_t* out);
  void Uint32(const char* key, uint32_t* out);
  void Data(const char* key, json* out);
  void ChangeType(const char* key, SharedChangeEntry::Type* out);

  // Reads an object field with `read(value, path, status, out)`.
  template <typename T>
  void Object(const char* key, T* out, void (*read)(json*, std::string, Status*, T*)) {
    json* value = Take(key);
    if (value == nullptr) return;
    read(value, FieldPath(key), status_, out);
  }

  // Reads an array field, each element with `read(value, path, status,
  // element)`; *out is replaced only when every element decodes.
  template <typename T>
  void Array(const char* key, std::vector<T>* out, void (*read)(json*, std::string, Status*, T*)) {
    json* value = Take(key);
    if (value == nullptr) return;
    std::string path = FieldPath(key);
    if (!value->is_array()) return Fail(path, "expected an array");
    std::vector<T> result;
    result.reserve(value->size());
    size_t index = 0;
    for (json& element : *value) {
      T decoded;
      read(&element, path + "[" + std::to_string(index) + "]", status_, &decoded);
      if (!status_->ok()) return;
      result.push_back(std::move(decoded));
      ++index;
    }
    *out = std::move(result);
  }

  // Fails if the object holds a key that was not read.
  void Finish();

 private:
  // Returns the field `key`, or nullptr after an earlier error or (setting
  // the error) when the field is missing.
  json* Take(const char* key);
  bool Unsigned(const char* key, uint64_t max, const char* bits, uint64_t* out);

  json* object_;
  std::string path_;
  Status* status_;
  std::vector<std::string_view> read_keys_;  // Keys are string literals.
};

}  // namespace syncsim::core::codec
