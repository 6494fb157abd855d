// The message encoder (message_codec.h): every message as one compact JSON
// object with sorted keys, and the kind names the network counts.
#include "core/message_codec.h"

#include <string>
#include <utility>
#include <vector>

namespace syncsim::core {
namespace {

using nlohmann::json;

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
  if (!record.field_versions.empty()) out["field_versions"] = record.field_versions;
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
    if (!change.field_versions.empty()) entry["field_versions"] = change.field_versions;
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

}  // namespace syncsim::core
