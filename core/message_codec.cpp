#include "core/message_codec.h"

#include <cstdint>
#include <exception>
#include <limits>
#include <set>
#include <type_traits>
#include <utility>
#include <vector>

namespace syncsim::core {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------
// Encoding

const char* ChangeTypeName(SharedChangeEntry::Type type) {
  switch (type) {
    case SharedChangeEntry::Type::kInsert:
      return "insert";
    case SharedChangeEntry::Type::kUpdate:
      return "update";
    case SharedChangeEntry::Type::kDelete:
      return "delete";
  }
  return "insert";  // Unreachable for a valid enumerator.
}

json EncodeRecord(const WireRecord& record) {
  json out = json::object();
  out["model"] = record.model;
  out["uuid"] = record.uuid.ToString();
  out["data"] = record.data;
  out["version"] = record.version;
  out["deleted"] = record.deleted;
  return out;
}

json EncodeRecords(const std::vector<WireRecord>& records) {
  json out = json::array();
  for (const WireRecord& record : records) out.push_back(EncodeRecord(record));
  return out;
}

json EncodeChanges(const std::vector<SharedChangeEntry>& changes) {
  json out = json::array();
  for (const SharedChangeEntry& change : changes) {
    json entry = json::object();
    entry["hlc"] = change.hlc;
    entry["model"] = change.model;
    entry["record_uuid"] = change.record_uuid.ToString();
    entry["type"] = ChangeTypeName(change.type);
    entry["data"] = change.data;
    out.push_back(std::move(entry));
  }
  return out;
}

json EncodeCursor(const StateCursor& cursor) {
  json out = json::object();
  out["version"] = cursor.version;
  out["uuid"] = cursor.uuid.ToString();
  return out;
}

json EncodeWatermarks(const std::vector<ModelWatermark>& watermarks) {
  json out = json::array();
  for (const ModelWatermark& watermark : watermarks) {
    json entry = json::object();
    entry["owner"] = watermark.owner.ToString();
    entry["model"] = watermark.model;
    entry["watermark"] = watermark.watermark;
    entry["count"] = watermark.count;
    entry["digest"] = watermark.digest;
    entry["buckets"] = watermark.buckets;
    out.push_back(std::move(entry));
  }
  return out;
}

// EncodeBody(m, out) adds the fields of `m` other than "kind" and "library".
void EncodeBody(const StateBatch& m, json* out) {
  (*out)["owner"] = m.owner.ToString();
  (*out)["records"] = EncodeRecords(m.records);
  (*out)["batch_id"] = m.batch_id;
  (*out)["previous_batch_id"] = m.previous_batch_id;
  if (m.catch_up_requested) (*out)["catch_up_requested"] = true;
}

void EncodeBody(const SharedChangeBatch& m, json* out) {
  (*out)["changes"] = EncodeChanges(m.changes);
  (*out)["batch_id"] = m.batch_id;
  if (m.catch_up_requested) (*out)["catch_up_requested"] = true;
}

void EncodeBody(const AckSharedChanges& m, json* out) {
  (*out)["up_to_hlc"] = m.up_to_hlc;
  (*out)["batch_id"] = m.batch_id;
}

void EncodeBody(const AckStateBatch& m, json* out) { (*out)["batch_id"] = m.batch_id; }

void EncodeBody(const StateRequest& m, json* out) {
  (*out)["request_id"] = m.request_id;
  (*out)["owner"] = m.owner.ToString();
  (*out)["model"] = m.model;
  (*out)["after"] = EncodeCursor(m.after);
  (*out)["limit"] = m.limit;
  (*out)["buckets"] = m.buckets;
  (*out)["before"] = m.before;
}

void EncodeBody(const StateResponse& m, json* out) {
  (*out)["request_id"] = m.request_id;
  (*out)["owner"] = m.owner.ToString();
  (*out)["model"] = m.model;
  (*out)["records"] = EncodeRecords(m.records);
  (*out)["has_more"] = m.has_more;
  (*out)["next"] = EncodeCursor(m.next);
}

void EncodeBody(const SharedChangeRequest& m, json* out) {
  (*out)["request_id"] = m.request_id;
  (*out)["since_hlc"] = m.since_hlc;
  (*out)["limit"] = m.limit;
}

void EncodeBody(const SharedChangeResponse& m, json* out) {
  (*out)["request_id"] = m.request_id;
  (*out)["changes"] = EncodeChanges(m.changes);
  (*out)["current_state"] = EncodeRecords(m.current_state);
  (*out)["has_more"] = m.has_more;
  (*out)["next_since_hlc"] = m.next_since_hlc;
}

void EncodeBody(const WatermarkExchangeRequest& m, json* out) {
  (*out)["request_id"] = m.request_id;
  (*out)["watermarks"] = EncodeWatermarks(m.watermarks);
}

void EncodeBody(const WatermarkExchangeResponse& m, json* out) {
  (*out)["request_id"] = m.request_id;
  (*out)["watermarks"] = EncodeWatermarks(m.watermarks);
  (*out)["hlc"] = m.hlc;
  (*out)["next_batch_id"] = m.next_batch_id;
  (*out)["previous_batch_id"] = m.previous_batch_id;
}

void EncodeBody(const Heartbeat& m, json* out) { (*out)["hlc"] = m.hlc; }

// ---------------------------------------------------------------------------
// Decoding

// Quotes `text` as a JSON string, for error messages.
std::string Quoted(std::string_view text) {
  return json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Reads the fields of one JSON object. Errors are sticky: the first one is
// stored in *status and every later call does nothing, so a decoder reads
// all its fields in a row and checks the status once. Every field is
// required. Finish() reports a key that no call asked for.
class ObjectReader {
 public:
  // `value` must outlive the reader; `data` objects are moved out of it.
  // `path` is the object's path in the message ("" for the message itself).
  ObjectReader(json* value, std::string path, Status* status)
      : object_(value), path_(std::move(path)), status_(status) {
    if (status_->ok() && !object_->is_object()) {
      Fail(path_.empty() ? std::string("payload") : path_, "expected an object");
    }
  }

  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  bool ok() const { return status_->ok(); }

  std::string FieldPath(std::string_view key) const {
    if (path_.empty()) return std::string(key);
    std::string result = path_;
    result += '.';
    result += key;
    return result;
  }

  // Sets *status (if it is still OK) to an error at `path`.
  void Fail(const std::string& path, std::string_view what) {
    if (!status_->ok()) return;
    std::string message = path;
    message += ": ";
    message += what;
    *status_ = Status::Corruption(std::move(message));
  }

  void String(const char* key, std::string* out) {
    json* value = Take(key);
    if (value == nullptr) return;
    if (!value->is_string()) return Fail(FieldPath(key), "expected a string");
    *out = value->get_ref<const std::string&>();
  }

  void UuidField(const char* key, Uuid* out) {
    json* value = Take(key);
    if (value == nullptr) return;
    std::optional<Uuid> parsed;
    if (value->is_string()) parsed = Uuid::Parse(value->get_ref<const std::string&>());
    if (!parsed.has_value()) return Fail(FieldPath(key), "expected a uuid string");
    *out = *parsed;
  }

  void Bool(const char* key, bool* out) {
    json* value = Take(key);
    if (value == nullptr) return;
    if (!value->is_boolean()) return Fail(FieldPath(key), "expected a boolean");
    *out = value->get<bool>();
  }

  // A flag sent only when set: absent is false; present, it must be true
  // (an encoder never writes false, so a false is a malformed message).
  void TrueIfPresent(const char* key, bool* out) {
    if (!status_->ok() || object_->find(key) == object_->end()) return;
    json* value = Take(key);
    if (value == nullptr) return;
    if (*value != true) return Fail(FieldPath(key), "expected true (the field is omitted when false)");
    *out = true;
  }

  void Uint64(const char* key, uint64_t* out) {
    uint64_t result = 0;
    if (Unsigned(key, std::numeric_limits<uint64_t>::max(), "64", &result)) *out = result;
  }

  void Uint32(const char* key, uint32_t* out) {
    uint64_t result = 0;
    if (Unsigned(key, std::numeric_limits<uint32_t>::max(), "32", &result)) *out = static_cast<uint32_t>(result);
  }

  void Data(const char* key, json* out) {
    json* value = Take(key);
    if (value == nullptr) return;
    if (!value->is_object()) return Fail(FieldPath(key), "expected an object");
    *out = std::move(*value);
  }

  void ChangeType(const char* key, SharedChangeEntry::Type* out) {
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
  void Finish() {
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

 private:
  // Returns the field `key`, or nullptr after an earlier error or (setting
  // the error) when the field is missing.
  json* Take(const char* key) {
    if (!status_->ok()) return nullptr;
    auto it = object_->find(key);
    if (it == object_->end()) {
      Fail(FieldPath(key), "missing field");
      return nullptr;
    }
    read_keys_.push_back(key);
    return &*it;
  }

  bool Unsigned(const char* key, uint64_t max, const char* bits, uint64_t* out) {
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

  json* object_;
  std::string path_;
  Status* status_;
  std::vector<std::string_view> read_keys_;  // Keys are string literals.
};

void ReadRecord(json* value, std::string path, Status* status, WireRecord* record) {
  ObjectReader reader(value, std::move(path), status);
  reader.String("model", &record->model);
  reader.UuidField("uuid", &record->uuid);
  reader.Data("data", &record->data);
  reader.String("version", &record->version);
  reader.Bool("deleted", &record->deleted);
  reader.Finish();
}

void ReadChange(json* value, std::string path, Status* status, SharedChangeEntry* change) {
  ObjectReader reader(value, std::move(path), status);
  reader.String("hlc", &change->hlc);
  reader.String("model", &change->model);
  reader.UuidField("record_uuid", &change->record_uuid);
  reader.ChangeType("type", &change->type);
  reader.Data("data", &change->data);
  reader.Finish();
}

void ReadCursor(json* value, std::string path, Status* status, StateCursor* cursor) {
  ObjectReader reader(value, std::move(path), status);
  reader.String("version", &cursor->version);
  reader.UuidField("uuid", &cursor->uuid);
  reader.Finish();
}

void ReadDigest(json* value, std::string path, Status* status, uint64_t* digest) {
  if (!value->is_number_unsigned()) {
    if (status->ok()) *status = Status::Corruption(path + ": expected an unsigned integer");
    return;
  }
  *digest = value->get<uint64_t>();
}

void ReadWatermark(json* value, std::string path, Status* status, ModelWatermark* watermark) {
  ObjectReader reader(value, std::move(path), status);
  reader.UuidField("owner", &watermark->owner);
  reader.String("model", &watermark->model);
  reader.String("watermark", &watermark->watermark);
  reader.Uint64("count", &watermark->count);
  reader.Uint64("digest", &watermark->digest);
  reader.Array("buckets", &watermark->buckets, ReadDigest);
  if (reader.ok() && !watermark->buckets.empty() && watermark->buckets.size() != kDigestBucketCount) {
    reader.Fail(reader.FieldPath("buckets"), "expected " + std::to_string(kDigestBucketCount) + " digests, got " +
                                                 std::to_string(watermark->buckets.size()));
  }
  reader.Finish();
}

// ReadBody(reader, m) reads the fields of `m` other than "kind" and
// "library".
void ReadBody(ObjectReader* reader, StateBatch* m) {
  reader->UuidField("owner", &m->owner);
  reader->Array("records", &m->records, ReadRecord);
  reader->Uint64("batch_id", &m->batch_id);
  reader->Uint64("previous_batch_id", &m->previous_batch_id);
  reader->TrueIfPresent("catch_up_requested", &m->catch_up_requested);
}

void ReadBody(ObjectReader* reader, SharedChangeBatch* m) {
  reader->Array("changes", &m->changes, ReadChange);
  reader->Uint64("batch_id", &m->batch_id);
  reader->TrueIfPresent("catch_up_requested", &m->catch_up_requested);
}

void ReadBody(ObjectReader* reader, AckSharedChanges* m) {
  reader->String("up_to_hlc", &m->up_to_hlc);
  reader->Uint64("batch_id", &m->batch_id);
}

void ReadBody(ObjectReader* reader, AckStateBatch* m) { reader->Uint64("batch_id", &m->batch_id); }

void ReadBody(ObjectReader* reader, StateRequest* m) {
  reader->Uint64("request_id", &m->request_id);
  reader->UuidField("owner", &m->owner);
  reader->String("model", &m->model);
  reader->Object("after", &m->after, ReadCursor);
  reader->Uint32("limit", &m->limit);
  reader->Uint32("buckets", &m->buckets);
  reader->String("before", &m->before);
  if (reader->ok() && m->buckets > kAllDigestBuckets) {
    reader->Fail(reader->FieldPath("buckets"), "expected a mask of " + std::to_string(kDigestBucketCount) + " bits");
  }
}

void ReadBody(ObjectReader* reader, StateResponse* m) {
  reader->Uint64("request_id", &m->request_id);
  reader->UuidField("owner", &m->owner);
  reader->String("model", &m->model);
  reader->Array("records", &m->records, ReadRecord);
  reader->Bool("has_more", &m->has_more);
  reader->Object("next", &m->next, ReadCursor);
}

void ReadBody(ObjectReader* reader, SharedChangeRequest* m) {
  reader->Uint64("request_id", &m->request_id);
  reader->String("since_hlc", &m->since_hlc);
  reader->Uint32("limit", &m->limit);
}

void ReadBody(ObjectReader* reader, SharedChangeResponse* m) {
  reader->Uint64("request_id", &m->request_id);
  reader->Array("changes", &m->changes, ReadChange);
  reader->Array("current_state", &m->current_state, ReadRecord);
  reader->Bool("has_more", &m->has_more);
  reader->String("next_since_hlc", &m->next_since_hlc);
}

void ReadBody(ObjectReader* reader, WatermarkExchangeRequest* m) {
  reader->Uint64("request_id", &m->request_id);
  reader->Array("watermarks", &m->watermarks, ReadWatermark);
}

void ReadBody(ObjectReader* reader, WatermarkExchangeResponse* m) {
  reader->Uint64("request_id", &m->request_id);
  reader->Array("watermarks", &m->watermarks, ReadWatermark);
  reader->String("hlc", &m->hlc);
  reader->Uint64("next_batch_id", &m->next_batch_id);
  reader->Uint64("previous_batch_id", &m->previous_batch_id);
}

void ReadBody(ObjectReader* reader, Heartbeat* m) { reader->String("hlc", &m->hlc); }

// Reads a message of type T (its kind already read) from `reader` into
// *out; leaves *out alone on failure. `single` is set for the kinds
// "StateChange" and "SharedChange", which must hold exactly one item.
template <typename T>
void ReadMessage(ObjectReader* reader, Status* status, bool single, Message* out) {
  T m;
  reader->UuidField("library", &m.library);
  ReadBody(reader, &m);
  if constexpr (std::is_same_v<T, StateBatch>) {
    if (status->ok() && single && m.records.size() != 1) {
      reader->Fail(reader->FieldPath("records"), "a StateChange holds exactly one record, got " +
                                                     std::to_string(m.records.size()));
    }
  } else if constexpr (std::is_same_v<T, SharedChangeBatch>) {
    if (status->ok() && single && m.changes.size() != 1) {
      reader->Fail(reader->FieldPath("changes"), "a SharedChange holds exactly one change, got " +
                                                     std::to_string(m.changes.size()));
    }
  }
  reader->Finish();
  if (status->ok()) *out = std::move(m);
}

// Watches the parser: notes the deepest nesting and duplicate object keys.
// Containers nested too deep are discarded so that the tree stays shallow.
class ParseWatcher {
 public:
  bool OnEvent(int depth, json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        // `depth` counts the enclosing containers.
        if (depth + 1 > kMaxMessageNestingDepth) {
          too_deep_ = true;
          return false;
        }
        if (event == json::parse_event_t::object_start) {
          // The keys of the object at `depth`; deeper sets are stale.
          keys_.resize(static_cast<size_t>(depth) + 1);
          keys_[static_cast<size_t>(depth)].clear();
        }
        return true;
      case json::parse_event_t::key: {
        // `depth` counts the open containers, the innermost being the object.
        if (depth < 1 || static_cast<size_t>(depth) > keys_.size() || !parsed.is_string()) return true;
        const std::string& key = parsed.get_ref<const std::string&>();
        if (!keys_[static_cast<size_t>(depth) - 1].insert(key).second && !duplicate_key_.has_value()) {
          duplicate_key_ = key;
        }
        return true;
      }
      default:
        return true;
    }
  }

  bool too_deep() const { return too_deep_; }
  const std::optional<std::string>& duplicate_key() const { return duplicate_key_; }

 private:
  bool too_deep_ = false;
  std::optional<std::string> duplicate_key_;
  std::vector<std::set<std::string>> keys_;
};

Status DecodeMessageOrThrow(std::string_view payload, Message* message) {
  ParseWatcher watcher;
  json root;
  try {
    root = json::parse(
        payload.begin(), payload.end(),
        [&watcher](int depth, json::parse_event_t event, json& parsed) { return watcher.OnEvent(depth, event, parsed); },
        /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("payload: invalid JSON: ") + e.what());
  }
  if (watcher.too_deep()) {
    return Status::Corruption("payload: nested deeper than " + std::to_string(kMaxMessageNestingDepth) + " levels");
  }
  if (watcher.duplicate_key().has_value()) {
    return Status::Corruption("payload: duplicate key " + Quoted(*watcher.duplicate_key()));
  }
  if (!root.is_object()) return Status::Corruption("payload: expected a JSON object");

  Status status;
  ObjectReader reader(&root, "", &status);
  std::string kind;
  reader.String("kind", &kind);
  if (!status.ok()) return status;

  Message decoded;
  if (kind == "StateChange" || kind == "StateBatch") {
    ReadMessage<StateBatch>(&reader, &status, kind == "StateChange", &decoded);
  } else if (kind == "SharedChange" || kind == "SharedChangeBatch") {
    ReadMessage<SharedChangeBatch>(&reader, &status, kind == "SharedChange", &decoded);
  } else if (kind == "AckSharedChanges") {
    ReadMessage<AckSharedChanges>(&reader, &status, false, &decoded);
  } else if (kind == "AckStateBatch") {
    ReadMessage<AckStateBatch>(&reader, &status, false, &decoded);
  } else if (kind == "StateRequest") {
    ReadMessage<StateRequest>(&reader, &status, false, &decoded);
  } else if (kind == "StateResponse") {
    ReadMessage<StateResponse>(&reader, &status, false, &decoded);
  } else if (kind == "SharedChangeRequest") {
    ReadMessage<SharedChangeRequest>(&reader, &status, false, &decoded);
  } else if (kind == "SharedChangeResponse") {
    ReadMessage<SharedChangeResponse>(&reader, &status, false, &decoded);
  } else if (kind == "WatermarkExchangeRequest") {
    ReadMessage<WatermarkExchangeRequest>(&reader, &status, false, &decoded);
  } else if (kind == "WatermarkExchangeResponse") {
    ReadMessage<WatermarkExchangeResponse>(&reader, &status, false, &decoded);
  } else if (kind == "Heartbeat") {
    ReadMessage<Heartbeat>(&reader, &status, false, &decoded);
  } else {
    return Status::Corruption("kind: unknown message kind " + Quoted(kind));
  }
  if (!status.ok()) return status;
  *message = std::move(decoded);
  return Status::Ok();
}

}  // namespace

std::string_view MessageKind(const Message& message) {
  struct Namer {
    std::string_view operator()(const StateBatch& m) const {
      return m.records.size() == 1 ? "StateChange" : "StateBatch";
    }
    std::string_view operator()(const SharedChangeBatch& m) const {
      return m.changes.size() == 1 ? "SharedChange" : "SharedChangeBatch";
    }
    std::string_view operator()(const AckSharedChanges&) const { return "AckSharedChanges"; }
    std::string_view operator()(const AckStateBatch&) const { return "AckStateBatch"; }
    std::string_view operator()(const StateRequest&) const { return "StateRequest"; }
    std::string_view operator()(const StateResponse&) const { return "StateResponse"; }
    std::string_view operator()(const SharedChangeRequest&) const { return "SharedChangeRequest"; }
    std::string_view operator()(const SharedChangeResponse&) const { return "SharedChangeResponse"; }
    std::string_view operator()(const WatermarkExchangeRequest&) const { return "WatermarkExchangeRequest"; }
    std::string_view operator()(const WatermarkExchangeResponse&) const { return "WatermarkExchangeResponse"; }
    std::string_view operator()(const Heartbeat&) const { return "Heartbeat"; }
  };
  return std::visit(Namer{}, message);
}

std::string EncodeMessage(const Message& message) {
  json out = json::object();
  std::visit(
      [&out](const auto& m) {
        out["library"] = m.library.ToString();
        EncodeBody(m, &out);
      },
      message);
  out["kind"] = std::string(MessageKind(message));
  return out.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

Status DecodeMessage(std::string_view payload, Message* message) {
  try {
    return DecodeMessageOrThrow(payload, message);
  } catch (const std::exception& e) {
    // Not expected (the readers check types before every access), but a
    // payload must never take the process down.
    return Status::Corruption(std::string("payload: ") + e.what());
  } catch (...) {
    return Status::Corruption("payload: undecodable");
  }
}

}  // namespace syncsim::core
