// The message decoder (message_codec.h): strict JSON parsing (no duplicate
// key, bounded nesting), then each kind's fields read with the codec's
// ObjectReader, so that anything but the exact encoding of a message is
// refused with the path of the offending field.
#include "core/message_codec.h"

#include <exception>
#include <optional>
#include <set>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/message_object_reader.h"

namespace syncsim::core {
namespace {

using nlohmann::json;
using codec::ObjectReader;
using codec::Quoted;

void ReadRecord(json* value, std::string path, Status* status, WireRecord* record) {
  ObjectReader reader(value, std::move(path), status);
  reader.String("model", &record->model);
  reader.UuidField("uuid", &record->uuid);
  reader.Data("data", &record->data);
  reader.String("version", &record->version);
  reader.Bool("deleted", &record->deleted);
  reader.VersionsIfPresent("field_versions", &record->field_versions);
  reader.Finish();
}

void ReadChange(json* value, std::string path, Status* status, SharedChangeEntry* change) {
  ObjectReader reader(value, std::move(path), status);
  reader.String("hlc", &change->hlc);
  reader.String("model", &change->model);
  reader.UuidField("record_uuid", &change->record_uuid);
  reader.ChangeType("type", &change->type);
  reader.Data("data", &change->data);
  reader.VersionsIfPresent("field_versions", &change->field_versions);
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
