#include "core/changelog/changelog_messages.h"

#include <set>

#include <fmt/format.h>

namespace syncsim::core::changelog {
namespace {

using Json = nlohmann::json;

// Thrown only inside DecodeChangelogMessage, which turns it into a Status.
struct DecodeError {
  std::string message;
};

void Fail(const std::string& path, const std::string& what) { throw DecodeError{fmt::format("{}: {}", path, what)}; }

const Json& Member(const Json& object, const std::string& path, const char* key) {
  auto found = object.find(key);
  if (found == object.end()) Fail(path, fmt::format("missing field \"{}\"", key));
  return *found;
}

void ExpectKeys(const Json& object, const std::string& path, const std::set<std::string>& keys) {
  if (!object.is_object()) Fail(path, "expected an object");
  for (const auto& item : object.items()) {
    if (keys.count(item.key()) == 0) Fail(path, fmt::format("unknown field \"{}\"", item.key()));
  }
  for (const std::string& key : keys) Member(object, path, key.c_str());
}

std::string ReadString(const Json& object, const std::string& path, const char* key) {
  const Json& value = Member(object, path, key);
  if (!value.is_string()) Fail(path, fmt::format("{}: expected a string", key));
  return value.get<std::string>();
}

uint64_t ReadUnsigned(const Json& object, const std::string& path, const char* key) {
  const Json& value = Member(object, path, key);
  if (!value.is_number_unsigned()) Fail(path, fmt::format("{}: expected an unsigned integer", key));
  return value.get<uint64_t>();
}

bool ReadBool(const Json& object, const std::string& path, const char* key) {
  const Json& value = Member(object, path, key);
  if (!value.is_boolean()) Fail(path, fmt::format("{}: expected a boolean", key));
  return value.get<bool>();
}

Uuid ReadUuid(const Json& object, const std::string& path, const char* key) {
  std::optional<Uuid> uuid = Uuid::Parse(ReadString(object, path, key));
  if (!uuid.has_value()) Fail(path, fmt::format("{}: expected a uuid string", key));
  return *uuid;
}

const Json& ReadArray(const Json& object, const std::string& path, const char* key) {
  const Json& value = Member(object, path, key);
  if (!value.is_array()) Fail(path, fmt::format("{}: expected an array", key));
  return value;
}

Json EncodeChange(const Change& change) {
  Json fields = Json::object();
  for (const auto& [name, field] : change.fields) fields[name] = Json{{"value", field.value}, {"version", field.version}};
  return Json{{"id", change.id},         {"model", change.model},    {"record_uuid", change.record_uuid.ToString()},
              {"author", change.author.ToString()}, {"hlc", change.hlc}, {"deleted", change.deleted},
              {"owned", change.owned},   {"seq", change.seq},      {"fields", fields}};
}

Change DecodeChange(const Json& json, const std::string& path) {
  ExpectKeys(json, path, {"id", "model", "record_uuid", "author", "hlc", "deleted", "owned", "seq", "fields"});
  Change change{.id = ReadString(json, path, "id"),
                .model = ReadString(json, path, "model"),
                .record_uuid = ReadUuid(json, path, "record_uuid"),
                .author = ReadUuid(json, path, "author"),
                .hlc = ReadString(json, path, "hlc"),
                .deleted = ReadBool(json, path, "deleted"),
                .owned = ReadBool(json, path, "owned"),
                .seq = ReadUnsigned(json, path, "seq")};
  const Json& fields = Member(json, path, "fields");
  if (!fields.is_object()) Fail(path, "fields: expected an object");
  for (const auto& item : fields.items()) {
    const std::string field_path = fmt::format("{}.fields.{}", path, item.key());
    ExpectKeys(item.value(), field_path, {"value", "version"});
    const Json& value = item.value().at("value");
    if (value.is_structured()) Fail(field_path, "value: expected a scalar");
    change.fields[item.key()] = ChangeField{value, ReadString(item.value(), field_path, "version")};
  }
  return change;
}

const char* KindName(RangeItem::Kind kind) {
  switch (kind) {
    case RangeItem::Kind::kFingerprint:
      return "fingerprint";
    case RangeItem::Kind::kIds:
      return "ids";
    case RangeItem::Kind::kMatch:
      return "match";
  }
  return "fingerprint";
}

Json EncodeRange(const RangeItem& item) {
  return Json{{"kind", KindName(item.kind)}, {"lo", item.lo},   {"hi", item.hi},       {"depth", item.depth},
              {"count", item.count},         {"digest", item.digest}, {"ids", item.ids}, {"final", item.final}};
}

RangeItem DecodeRange(const Json& json, const std::string& path) {
  ExpectKeys(json, path, {"kind", "lo", "hi", "depth", "count", "digest", "ids", "final"});
  RangeItem item;
  const std::string kind = ReadString(json, path, "kind");
  if (kind == "fingerprint") {
    item.kind = RangeItem::Kind::kFingerprint;
  } else if (kind == "ids") {
    item.kind = RangeItem::Kind::kIds;
  } else if (kind == "match") {
    item.kind = RangeItem::Kind::kMatch;
  } else {
    Fail(path, "kind: unknown range kind");
  }
  item.lo = ReadString(json, path, "lo");
  item.hi = ReadString(json, path, "hi");
  const uint64_t depth = ReadUnsigned(json, path, "depth");
  if (depth > kReconcileDepthMax) Fail(path, "depth: too deep");
  item.depth = static_cast<uint32_t>(depth);
  item.count = ReadUnsigned(json, path, "count");
  item.digest = ReadUnsigned(json, path, "digest");
  item.final = ReadBool(json, path, "final");
  const Json& ids = ReadArray(json, path, "ids");
  for (const Json& id : ids) {
    if (!id.is_string()) Fail(path, "ids: expected strings");
    item.ids.push_back(id.get<std::string>());
  }
  return item;
}

ChangelogMessage DecodeObject(const Json& json) {
  if (!json.is_object()) Fail("payload", "expected an object");
  const std::string kind = ReadString(json, "payload", "kind");
  if (kind == "ChangelogChanges") {
    ExpectKeys(json, "payload", {"kind", "library", "batch_id", "changes"});
    ChangesBatch batch{.library = ReadUuid(json, "payload", "library"),
                       .batch_id = ReadUnsigned(json, "payload", "batch_id")};
    const Json& changes = ReadArray(json, "payload", "changes");
    for (size_t i = 0; i < changes.size(); ++i) batch.changes.push_back(DecodeChange(changes[i], fmt::format("changes[{}]", i)));
    return batch;
  }
  if (kind == "ChangelogAck") {
    ExpectKeys(json, "payload", {"kind", "library", "batch_id"});
    return ChangesAck{.library = ReadUuid(json, "payload", "library"),
                      .batch_id = ReadUnsigned(json, "payload", "batch_id")};
  }
  if (kind == "ChangelogReconcile") {
    ExpectKeys(json, "payload", {"kind", "library", "check_id", "ranges"});
    ReconcileMessage message{.library = ReadUuid(json, "payload", "library"),
                             .check_id = ReadUnsigned(json, "payload", "check_id")};
    const Json& ranges = ReadArray(json, "payload", "ranges");
    for (size_t i = 0; i < ranges.size(); ++i) message.ranges.push_back(DecodeRange(ranges[i], fmt::format("ranges[{}]", i)));
    return message;
  }
  Fail("payload", fmt::format("kind: unknown kind \"{}\"", kind));
  return ChangesAck{};
}

}  // namespace

std::string_view ChangelogMessageKind(const ChangelogMessage& message) {
  if (std::holds_alternative<ChangesBatch>(message)) return "ChangelogChanges";
  if (std::holds_alternative<ChangesAck>(message)) return "ChangelogAck";
  return "ChangelogReconcile";
}

std::string EncodeChangelogMessage(const ChangelogMessage& message) {
  Json json = Json::object();
  json["kind"] = std::string(ChangelogMessageKind(message));
  if (const auto* batch = std::get_if<ChangesBatch>(&message)) {
    json["library"] = batch->library.ToString();
    json["batch_id"] = batch->batch_id;
    json["changes"] = Json::array();
    for (const Change& change : batch->changes) json["changes"].push_back(EncodeChange(change));
  } else if (const auto* ack = std::get_if<ChangesAck>(&message)) {
    json["library"] = ack->library.ToString();
    json["batch_id"] = ack->batch_id;
  } else {
    const auto& reconcile = std::get<ReconcileMessage>(message);
    json["library"] = reconcile.library.ToString();
    json["check_id"] = reconcile.check_id;
    json["ranges"] = Json::array();
    for (const RangeItem& item : reconcile.ranges) json["ranges"].push_back(EncodeRange(item));
  }
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Status DecodeChangelogMessage(std::string_view payload, ChangelogMessage* message) {
  Json json = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::InvalidArgument("payload: invalid JSON");
  try {
    *message = DecodeObject(json);
  } catch (const DecodeError& error) {
    return Status::InvalidArgument(error.message);
  } catch (const nlohmann::json::exception& error) {
    return Status::InvalidArgument(fmt::format("payload: {}", error.what()));
  }
  return Status::Ok();
}

}  // namespace syncsim::core::changelog
