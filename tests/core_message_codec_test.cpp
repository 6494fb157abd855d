// Tests of the message codec (core/message_codec.h): round trips of every
// message type, the exact wire form of a few messages, rejection of
// malformed payloads with the offending field named, and decoding of random
// and damaged bytes without crashing.
#include "core/message_codec.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

namespace syncsim::core {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------
// Generators. They use `*gen` and so only run inside a property.

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  }
}

// A valid UTF-8 string: JSON's special characters, control characters
// (NUL included), plain ASCII, and BMP and astral code points.
std::string GenText() {
  const auto length = *rc::gen::inRange<size_t>(0, 10);
  std::string text;
  for (size_t i = 0; i < length; ++i) {
    const uint32_t code_point = *rc::gen::oneOf(
        rc::gen::elementOf(std::vector<uint32_t>{'"', '\\', '/', '\n', '\t', '\b', 0, 0x7f, 0xe9, 0x2028, 0xfeff}),
        rc::gen::inRange<uint32_t>(0x20, 0x7f), rc::gen::inRange<uint32_t>(0, 0x20),
        rc::gen::inRange<uint32_t>(0x80, 0xd800), rc::gen::inRange<uint32_t>(0xe000, 0x110000));
    AppendUtf8(code_point, &text);
  }
  return text;
}

Uuid GenUuid() {
  if (*rc::gen::inRange(0, 8) == 0) return Uuid();
  return Uuid(*rc::gen::arbitrary<uint64_t>(), *rc::gen::arbitrary<uint64_t>());
}

json GenJsonObject(int depth);

// Any JSON value but floating point numbers (which need not round trip
// exactly); containers only while `depth` > 0.
json GenJsonValue(int depth) {
  switch (*rc::gen::inRange(0, depth > 0 ? 7 : 5)) {
    case 0:
      return nullptr;
    case 1:
      return *rc::gen::arbitrary<bool>();
    case 2:
      return *rc::gen::arbitrary<int64_t>();
    case 3:
      return *rc::gen::arbitrary<uint64_t>();
    case 4:
      return GenText();
    case 5:
      return GenJsonObject(depth - 1);
    default: {
      json array = json::array();
      const auto length = *rc::gen::inRange(0, 4);
      for (int i = 0; i < length; ++i) array.push_back(GenJsonValue(depth - 1));
      return array;
    }
  }
}

json GenJsonObject(int depth) {
  json object = json::object();
  const auto length = *rc::gen::inRange(0, 5);
  for (int i = 0; i < length; ++i) object[GenText()] = GenJsonValue(depth);
  return object;
}

WireRecord GenRecord() {
  WireRecord record;
  record.model = GenText();
  record.uuid = GenUuid();
  record.deleted = *rc::gen::arbitrary<bool>();
  if (!record.deleted) record.data = GenJsonObject(2);
  record.version = GenText();
  return record;
}

SharedChangeEntry GenChange() {
  SharedChangeEntry change;
  change.hlc = GenText();
  change.model = GenText();
  change.record_uuid = GenUuid();
  change.type = *rc::gen::element(SharedChangeEntry::Type::kInsert, SharedChangeEntry::Type::kUpdate,
                                  SharedChangeEntry::Type::kDelete);
  change.data = GenJsonObject(2);
  return change;
}

ModelWatermark GenWatermark() {
  ModelWatermark watermark;
  watermark.owner = GenUuid();
  watermark.model = GenText();
  watermark.watermark = GenText();
  watermark.count = *rc::gen::arbitrary<uint64_t>();
  watermark.digest = *rc::gen::arbitrary<uint64_t>();
  if (*rc::gen::arbitrary<bool>()) {
    watermark.buckets = *rc::gen::container<std::vector<uint64_t>>(kDigestBucketCount, rc::gen::arbitrary<uint64_t>());
  }
  return watermark;
}

// A vector of 0 to 4 items, with one item (a single-item kind) often.
template <typename T>
std::vector<T> GenItems(T (*generate)()) {
  const auto length = *rc::gen::oneOf(rc::gen::just<size_t>(1), rc::gen::inRange<size_t>(0, 5));
  std::vector<T> items;
  for (size_t i = 0; i < length; ++i) items.push_back(generate());
  return items;
}

StateCursor GenCursor() { return StateCursor{GenText(), GenUuid()}; }

StateBatch GenStateBatch() {
  return StateBatch{GenUuid(),
                    GenUuid(),
                    GenItems(GenRecord),
                    *rc::gen::arbitrary<uint64_t>(),
                    *rc::gen::arbitrary<uint64_t>(),
                    *rc::gen::arbitrary<bool>()};
}
SharedChangeBatch GenSharedChangeBatch() {
  return SharedChangeBatch{GenUuid(), GenItems(GenChange), *rc::gen::arbitrary<uint64_t>(),
                           *rc::gen::arbitrary<bool>()};
}
AckSharedChanges GenAckSharedChanges() {
  return AckSharedChanges{GenUuid(), GenText(), *rc::gen::arbitrary<uint64_t>()};
}
AckStateBatch GenAckStateBatch() { return AckStateBatch{GenUuid(), *rc::gen::arbitrary<uint64_t>()}; }
StateRequest GenStateRequest() {
  return StateRequest{GenUuid(),   *rc::gen::arbitrary<uint64_t>(), GenUuid(),
                      GenText(),   GenCursor(),                     *rc::gen::arbitrary<uint32_t>(),
                      *rc::gen::inRange<uint32_t>(0, kAllDigestBuckets + 1), GenText()};
}
StateResponse GenStateResponse() {
  return StateResponse{GenUuid(),          *rc::gen::arbitrary<uint64_t>(), GenUuid(), GenText(),
                       GenItems(GenRecord), *rc::gen::arbitrary<bool>(),     GenCursor()};
}
SharedChangeRequest GenSharedChangeRequest() {
  return SharedChangeRequest{GenUuid(), *rc::gen::arbitrary<uint64_t>(), GenText(), *rc::gen::arbitrary<uint32_t>()};
}
SharedChangeResponse GenSharedChangeResponse() {
  return SharedChangeResponse{GenUuid(),          *rc::gen::arbitrary<uint64_t>(), GenItems(GenChange),
                              GenItems(GenRecord), *rc::gen::arbitrary<bool>(),     GenText()};
}
WatermarkExchangeRequest GenWatermarkExchangeRequest() {
  return WatermarkExchangeRequest{GenUuid(), *rc::gen::arbitrary<uint64_t>(), GenItems(GenWatermark)};
}
WatermarkExchangeResponse GenWatermarkExchangeResponse() {
  return WatermarkExchangeResponse{GenUuid(), *rc::gen::arbitrary<uint64_t>(), GenItems(GenWatermark), GenText(),
                                   *rc::gen::arbitrary<uint64_t>(), *rc::gen::arbitrary<uint64_t>()};
}
Heartbeat GenHeartbeat() { return Heartbeat{GenUuid(), GenText()}; }

Message GenMessage() {
  switch (*rc::gen::inRange(0, 11)) {
    case 10:
      return GenAckStateBatch();
    case 0:
      return GenStateBatch();
    case 1:
      return GenSharedChangeBatch();
    case 2:
      return GenAckSharedChanges();
    case 3:
      return GenStateRequest();
    case 4:
      return GenStateResponse();
    case 5:
      return GenSharedChangeRequest();
    case 6:
      return GenSharedChangeResponse();
    case 7:
      return GenWatermarkExchangeRequest();
    case 8:
      return GenWatermarkExchangeResponse();
    default:
      return GenHeartbeat();
  }
}

// Encodes, decodes and re-encodes `message`: decoding gives it back, and the
// second encoding is byte for byte the first.
void CheckRoundTrip(const Message& message) {
  const std::string encoded = EncodeMessage(message);
  Message decoded = Heartbeat{};
  const Status status = DecodeMessage(encoded, &decoded);
  RC_LOG() << encoded << "\n" << status.message() << "\n";
  RC_ASSERT(status.ok());
  RC_ASSERT(decoded.index() == message.index());
  RC_ASSERT(decoded == message);
  RC_ASSERT(MessageKind(decoded) == MessageKind(message));
  RC_ASSERT(EncodeMessage(decoded) == encoded);
  const json parsed = json::parse(encoded);
  RC_ASSERT(parsed.at("kind") == std::string(MessageKind(message)));
}

// Decodes arbitrary bytes: it either fails with a message or yields a
// message that round trips.
void CheckDecodeSurvives(const std::string& payload) {
  Message decoded = Heartbeat{};
  const Status status = DecodeMessage(payload, &decoded);
  if (status.ok()) {
    const std::string encoded = EncodeMessage(decoded);
    Message again = Heartbeat{};
    RC_ASSERT(DecodeMessage(encoded, &again).ok());
    RC_ASSERT(again == decoded);
  } else {
    RC_ASSERT(status.code() == Status::Code::kCorruption);
    RC_ASSERT(!status.message().empty());
    RC_ASSERT(decoded == Message(Heartbeat{}));  // Untouched.
  }
}

// ---------------------------------------------------------------------------
// Fixed messages for the example-based tests.

const Uuid kLibrary(0x0000000000004000ULL, 0x8000000000000001ULL);  // 00000000-0000-4000-8000-000000000001
const Uuid kOwner(0x0000000000004000ULL, 0x8000000000000002ULL);
const Uuid kRecordA(0x0000000000004000ULL, 0x800000000000000aULL);
const Uuid kRecordB(0x0000000000004000ULL, 0x800000000000000bULL);

WireRecord RecordA() { return WireRecord{"tag", kRecordA, json{{"name", "red"}, {"parent_uuid", nullptr}}, "v1", false}; }
WireRecord RecordB() { return WireRecord{"tag", kRecordB, json::object(), "v2", true}; }

SharedChangeEntry ChangeA() {
  return SharedChangeEntry{"h1", "tag", kRecordA, SharedChangeEntry::Type::kUpdate, json{{"name", "blue"}}};
}

StateBatch TwoRecordBatch() { return StateBatch{kLibrary, kOwner, {RecordA(), RecordB()}}; }

StateRequest SampleStateRequest() { return StateRequest{kLibrary, 7, kOwner, "tag", StateCursor{"v0", kRecordA}, 100}; }

StateResponse SampleStateResponse() {
  return StateResponse{kLibrary, 8, kOwner, "tag", {RecordA()}, true, StateCursor{"v1", kRecordA}};
}

SharedChangeResponse SampleSharedChangeResponse() {
  return SharedChangeResponse{kLibrary, 9, {ChangeA()}, {RecordA()}, false, "h1"};
}

WatermarkExchangeRequest SampleWatermarkRequest() {
  return WatermarkExchangeRequest{kLibrary, 10, {ModelWatermark{kOwner, "tag", "v2", 2, 0xdeadbeefULL}}};
}

// The encoding of `message` with `mutate` applied to its JSON tree.
std::string Mutated(const Message& message, const std::function<void(json&)>& mutate) {
  json tree = json::parse(EncodeMessage(message));
  mutate(tree);
  return tree.dump();
}

// `text` with the first `from` replaced by `to` (which must be there).
std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t position = text.find(from);
  REQUIRE(position != std::string::npos);
  text.replace(position, from.size(), to);
  return text;
}

std::string Nested(int levels) { return std::string(static_cast<size_t>(levels), '[') + std::string(static_cast<size_t>(levels), ']'); }

// ---------------------------------------------------------------------------

TEST_CASE("message codec: round trip of every message type", "[codec]") {
  rc::prop("StateBatch / StateChange", [] { CheckRoundTrip(GenStateBatch()); });
  rc::prop("SharedChangeBatch / SharedChange", [] { CheckRoundTrip(GenSharedChangeBatch()); });
  rc::prop("AckSharedChanges", [] { CheckRoundTrip(GenAckSharedChanges()); });
  rc::prop("AckStateBatch", [] { CheckRoundTrip(GenAckStateBatch()); });
  rc::prop("StateRequest", [] { CheckRoundTrip(GenStateRequest()); });
  rc::prop("StateResponse", [] { CheckRoundTrip(GenStateResponse()); });
  rc::prop("SharedChangeRequest", [] { CheckRoundTrip(GenSharedChangeRequest()); });
  rc::prop("SharedChangeResponse", [] { CheckRoundTrip(GenSharedChangeResponse()); });
  rc::prop("WatermarkExchangeRequest", [] { CheckRoundTrip(GenWatermarkExchangeRequest()); });
  rc::prop("WatermarkExchangeResponse", [] { CheckRoundTrip(GenWatermarkExchangeResponse()); });
  rc::prop("Heartbeat", [] { CheckRoundTrip(GenHeartbeat()); });
}

TEST_CASE("message codec: kind names", "[codec]") {
  CHECK(MessageKind(StateBatch{}) == "StateBatch");
  CHECK(MessageKind(StateBatch{kLibrary, kOwner, {RecordA()}}) == "StateChange");
  CHECK(MessageKind(TwoRecordBatch()) == "StateBatch");
  CHECK(MessageKind(SharedChangeBatch{}) == "SharedChangeBatch");
  CHECK(MessageKind(SharedChangeBatch{kLibrary, {ChangeA()}}) == "SharedChange");
  CHECK(MessageKind(SharedChangeBatch{kLibrary, {ChangeA(), ChangeA()}}) == "SharedChangeBatch");
  CHECK(MessageKind(AckSharedChanges{}) == "AckSharedChanges");
  CHECK(MessageKind(AckStateBatch{}) == "AckStateBatch");
  CHECK(MessageKind(StateRequest{}) == "StateRequest");
  CHECK(MessageKind(StateResponse{}) == "StateResponse");
  CHECK(MessageKind(SharedChangeRequest{}) == "SharedChangeRequest");
  CHECK(MessageKind(SharedChangeResponse{}) == "SharedChangeResponse");
  CHECK(MessageKind(WatermarkExchangeRequest{}) == "WatermarkExchangeRequest");
  CHECK(MessageKind(WatermarkExchangeResponse{}) == "WatermarkExchangeResponse");
  CHECK(MessageKind(Heartbeat{}) == "Heartbeat");
}

TEST_CASE("message codec: wire form is compact, key-sorted JSON", "[codec]") {
  CHECK(EncodeMessage(Heartbeat{kLibrary, "h\"1"}) ==
        R"({"hlc":"h\"1","kind":"Heartbeat","library":"00000000-0000-4000-8000-000000000001"})");
  CHECK(EncodeMessage(StateBatch{kLibrary, kOwner, {RecordA()}}) ==
        R"({"batch_id":0,"kind":"StateChange","library":"00000000-0000-4000-8000-000000000001",)"
        R"("owner":"00000000-0000-4000-8000-000000000002","previous_batch_id":0,)"
        R"("records":[{"data":{"name":"red","parent_uuid":null},)"
        R"("deleted":false,"model":"tag","uuid":"00000000-0000-4000-8000-00000000000a","version":"v1"}]})");
  CHECK(EncodeMessage(SharedChangeBatch{kLibrary, {ChangeA()}}) ==
        R"({"batch_id":0,"changes":[{"data":{"name":"blue"},"hlc":"h1","model":"tag",)"
        R"("record_uuid":"00000000-0000-4000-8000-00000000000a","type":"update"}],)"
        R"("kind":"SharedChange","library":"00000000-0000-4000-8000-000000000001"})");
  CHECK(EncodeMessage(SampleWatermarkRequest()) ==
        R"({"kind":"WatermarkExchangeRequest","library":"00000000-0000-4000-8000-000000000001","request_id":10,)"
        R"("watermarks":[{"buckets":[],"count":2,"digest":3735928559,"model":"tag",)"
        R"("owner":"00000000-0000-4000-8000-000000000002","watermark":"v2"}]})");
  // Full-range unsigned numbers stay integers.
  CHECK(EncodeMessage(SharedChangeRequest{kLibrary, UINT64_MAX, "", UINT32_MAX}) ==
        R"({"kind":"SharedChangeRequest","library":"00000000-0000-4000-8000-000000000001","limit":4294967295,)"
        R"("request_id":18446744073709551615,"since_hlc":""})");
}

TEST_CASE("message codec: batch kinds accept any count, single kinds exactly one", "[codec]") {
  Message decoded;
  // A batch of one may arrive under the batch name.
  const std::string one_as_batch =
      Replaced(EncodeMessage(StateBatch{kLibrary, kOwner, {RecordA()}}), "\"StateChange\"", "\"StateBatch\"");
  REQUIRE(DecodeMessage(one_as_batch, &decoded).ok());
  CHECK(decoded == Message(StateBatch{kLibrary, kOwner, {RecordA()}}));
  const std::string change_as_batch =
      Replaced(EncodeMessage(SharedChangeBatch{kLibrary, {ChangeA()}}), "\"SharedChange\"", "\"SharedChangeBatch\"");
  REQUIRE(DecodeMessage(change_as_batch, &decoded).ok());
  CHECK(decoded == Message(SharedChangeBatch{kLibrary, {ChangeA()}}));
  // Empty batches are fine.
  REQUIRE(DecodeMessage(EncodeMessage(StateBatch{kLibrary, kOwner, {}}), &decoded).ok());
  CHECK(decoded == Message(StateBatch{kLibrary, kOwner, {}}));
  // Upper-case uuids are accepted and re-encoded canonically.
  const std::string upper =
      Replaced(EncodeMessage(Heartbeat{kRecordA, "h"}), "00000000000a", "00000000000A");
  REQUIRE(DecodeMessage(upper, &decoded).ok());
  CHECK(decoded == Message(Heartbeat{kRecordA, "h"}));
}

TEST_CASE("message codec: nesting limit", "[codec]") {
  // data is level 4 of a StateChange; `extra` more levels inside it.
  auto with_depth = [](int extra) {
    json data = json::object();
    for (int i = 0; i < extra; ++i) data = json{{"a", data}};
    WireRecord record = RecordA();
    record.data = data;
    return StateBatch{kLibrary, kOwner, {record}};
  };
  Message decoded;
  const StateBatch deepest = with_depth(kMaxMessageNestingDepth - 4);
  REQUIRE(DecodeMessage(EncodeMessage(deepest), &decoded).ok());
  CHECK(decoded == Message(deepest));
  const Status too_deep = DecodeMessage(EncodeMessage(with_depth(kMaxMessageNestingDepth - 3)), &decoded);
  CHECK_FALSE(too_deep.ok());
  CHECK_THAT(too_deep.message(), Catch::StartsWith("payload: nested deeper than"));
  // Far deeper than any stack could recurse: rejected without crashing.
  for (const std::string& payload : {Nested(200000), std::string(200000, '['), std::string(100000, '{') + "\"a\":1"}) {
    const Status status = DecodeMessage(payload, &decoded);
    CHECK_FALSE(status.ok());
    CHECK_THAT(status.message(), Catch::StartsWith("payload: "));
  }
}

TEST_CASE("message codec: a batch's catch-up request is on the wire only when set", "[codec]") {
  StateBatch batch = TwoRecordBatch();
  CHECK(EncodeMessage(batch).find("catch_up_requested") == std::string::npos);
  batch.catch_up_requested = true;
  const std::string asked = EncodeMessage(batch);
  CHECK(asked.find("\"catch_up_requested\":true") != std::string::npos);
  Message decoded;
  REQUIRE(DecodeMessage(asked, &decoded).ok());
  CHECK(std::get<StateBatch>(decoded).catch_up_requested);
  // A false is never written, so it is malformed; so is any other value.
  for (const json& value : {json(false), json(1), json("yes")}) {
    const std::string payload = Mutated(batch, [&](json& j) { j["catch_up_requested"] = value; });
    const Status status = DecodeMessage(payload, &decoded);
    CHECK(status.message().rfind("catch_up_requested: expected true", 0) == 0);
  }
  SharedChangeBatch shared{kLibrary, {ChangeA()}, 9, true};
  REQUIRE(DecodeMessage(EncodeMessage(shared), &decoded).ok());
  CHECK(std::get<SharedChangeBatch>(decoded).catch_up_requested);
}

TEST_CASE("message codec: malformed payloads are rejected naming the field", "[codec]") {
  struct Case {
    std::string payload;
    std::string expected_prefix;  // The error message must start with it.
  };
  const std::string heartbeat = EncodeMessage(Heartbeat{kLibrary, "h"});
  const std::string batch = EncodeMessage(TwoRecordBatch());
  const std::string request = EncodeMessage(SampleStateRequest());
  const std::string ack = EncodeMessage(AckSharedChanges{kLibrary, "h"});
  const Message change = SharedChangeBatch{kLibrary, {ChangeA()}};
  const std::vector<Case> cases = {
      // Not JSON, or not an object.
      {"", "payload: invalid JSON"},
      {heartbeat.substr(0, heartbeat.size() / 2), "payload: invalid JSON"},
      {heartbeat.substr(0, heartbeat.size() - 1), "payload: invalid JSON"},
      {heartbeat + "x", "payload: invalid JSON"},
      {heartbeat + heartbeat, "payload: invalid JSON"},
      {std::string("\x00\xff\xfe{\x01", 5), "payload: invalid JSON"},
      {Replaced(heartbeat, "\"h\"", "\"\xff\xfe\""), "payload: invalid JSON"},  // Ill-formed UTF-8.
      {"{\"kind\":\"Heartbeat\" // comment\n}", "payload: invalid JSON"},
      {"[" + heartbeat + "]", "payload: expected a JSON object"},
      {"\"Heartbeat\"", "payload: expected a JSON object"},
      {"null", "payload: expected a JSON object"},
      {"42", "payload: expected a JSON object"},
      {Replaced(heartbeat, "{", R"({"kind":"Heartbeat",)"), "payload: duplicate key \"kind\""},
      // The kind.
      {"{}", "kind: missing field"},
      {Mutated(Heartbeat{kLibrary, "h"}, [](json& j) { j["kind"] = 7; }), "kind: expected a string"},
      {Mutated(Heartbeat{kLibrary, "h"}, [](json& j) { j["kind"] = "Gossip"; }),
       "kind: unknown message kind \"Gossip\""},
      {Mutated(Heartbeat{kLibrary, "h"}, [](json& j) { j["kind"] = "heartbeat"; }), "kind: unknown message kind"},
      // The library.
      {Mutated(Heartbeat{kLibrary, "h"}, [](json& j) { j.erase("library"); }), "library: missing field"},
      {Mutated(Heartbeat{kLibrary, "h"}, [](json& j) { j["library"] = "not-a-uuid"; }),
       "library: expected a uuid string"},
      {Mutated(Heartbeat{kLibrary, "h"}, [](json& j) { j["library"] = 12; }), "library: expected a uuid string"},
      {Replaced(heartbeat, "-4000-", "-40000"), "library: expected a uuid string"},
      {Replaced(heartbeat, "000000000001", "00000000000g"), "library: expected a uuid string"},
      {Replaced(heartbeat, "000000000001", "0000000000001"), "library: expected a uuid string"},
      {Mutated(Heartbeat{kLibrary, "h"}, [](json& j) { j["hlc"] = nullptr; }), "hlc: expected a string"},
      // Records.
      {Mutated(TwoRecordBatch(), [](json& j) { j["records"] = json::object(); }), "records: expected an array"},
      {Mutated(TwoRecordBatch(), [](json& j) { j["records"][1] = 5; }), "records[1]: expected an object"},
      {Mutated(TwoRecordBatch(), [](json& j) { j["records"][1]["data"] = json::array(); }),
       "records[1].data: expected an object"},
      {Mutated(TwoRecordBatch(), [](json& j) { j["records"][1]["data"] = nullptr; }),
       "records[1].data: expected an object"},
      {Mutated(TwoRecordBatch(), [](json& j) { j["records"][0]["uuid"] = "{abc}"; }),
       "records[0].uuid: expected a uuid string"},
      {Mutated(TwoRecordBatch(), [](json& j) { j["records"][1].erase("version"); }),
       "records[1].version: missing field"},
      {Mutated(TwoRecordBatch(), [](json& j) { j["records"][0]["deleted"] = "false"; }),
       "records[0].deleted: expected a boolean"},
      {Mutated(TwoRecordBatch(), [](json& j) { j["records"][0]["model"] = json::array(); }),
       "records[0].model: expected a string"},
      {Mutated(TwoRecordBatch(), [](json& j) { j["records"][1]["extra"] = 1; }), "records[1].extra: unknown field"},
      {Mutated(TwoRecordBatch(), [](json& j) { j.erase("owner"); }), "owner: missing field"},
      {Replaced(batch, "StateBatch", "StateChange"), "records: a StateChange holds exactly one record, got 2"},
      {Mutated(StateBatch{kLibrary, kOwner, {}}, [](json& j) { j["kind"] = "StateChange"; }),
       "records: a StateChange holds exactly one record, got 0"},
      // Numbers.
      {Mutated(SampleStateRequest(), [](json& j) { j["limit"] = -1; }),
       "limit: expected an unsigned 32-bit integer, got a negative number"},
      {Mutated(SampleStateRequest(), [](json& j) { j["limit"] = 4294967296ULL; }),
       "limit: expected an unsigned 32-bit integer, got a number out of range"},
      {Mutated(SampleStateRequest(), [](json& j) { j["limit"] = 1.5; }),
       "limit: expected an unsigned 32-bit integer, got a floating point number"},
      {Replaced(request, "\"limit\":100", "\"limit\":1e2"), "limit: expected an unsigned 32-bit integer"},
      {Mutated(SampleStateRequest(), [](json& j) { j["limit"] = "100"; }), "limit: expected an unsigned 32-bit integer"},
      {Mutated(SampleStateRequest(), [](json& j) { j["request_id"] = true; }),
       "request_id: expected an unsigned 64-bit integer"},
      {Replaced(request, "\"request_id\":7", "\"request_id\":18446744073709551616"),
       "request_id: expected an unsigned 64-bit integer, got a number out of range"},
      {Replaced(request, "\"request_id\":7", "\"request_id\":-9223372036854775809"),
       "request_id: expected an unsigned 64-bit integer, got a negative number"},
      {Mutated(SampleWatermarkRequest(), [](json& j) { j["watermarks"][0]["count"] = -3; }),
       "watermarks[0].count: expected an unsigned 64-bit integer, got a negative number"},
      {Mutated(SampleWatermarkRequest(), [](json& j) { j["watermarks"][0]["owner"] = nullptr; }),
       "watermarks[0].owner: expected a uuid string"},
      // Cursors.
      {Mutated(SampleStateRequest(), [](json& j) { j["after"] = "v0"; }), "after: expected an object"},
      {Mutated(SampleStateRequest(), [](json& j) { j["after"]["uuid"] = ""; }), "after.uuid: expected a uuid string"},
      {Mutated(SampleStateRequest(), [](json& j) { j["after"]["extra"] = 0; }), "after.extra: unknown field"},
      {Mutated(SampleStateResponse(), [](json& j) { j["next"].erase("version"); }), "next.version: missing field"},
      {Mutated(SampleStateResponse(), [](json& j) { j["has_more"] = 1; }), "has_more: expected a boolean"},
      // Shared changes.
      {Mutated(change, [](json& j) { j["changes"][0]["type"] = "upsert"; }),
       "changes[0].type: unknown change type \"upsert\""},
      {Mutated(change, [](json& j) { j["changes"][0]["type"] = 1; }), "changes[0].type: expected \"insert\""},
      {Mutated(change, [](json& j) { j["changes"][0]["data"] = "x"; }), "changes[0].data: expected an object"},
      {Mutated(change, [](json& j) { j["changes"].push_back(j["changes"][0]); }),
       "changes: a SharedChange holds exactly one change, got 2"},
      {Mutated(SampleSharedChangeResponse(), [](json& j) { j["current_state"][0]["data"] = 3; }),
       "current_state[0].data: expected an object"},
      {Mutated(SampleSharedChangeResponse(), [](json& j) { j.erase("next_since_hlc"); }),
       "next_since_hlc: missing field"},
      // Extra keys: a field of another kind is still unknown here.
      {Mutated(Heartbeat{kLibrary, "h"}, [](json& j) { j["extra"] = json::array(); }), "extra: unknown field"},
      {Replaced(ack, "{", R"({"hlc":"h",)"), "hlc: unknown field"},
  };
  REQUIRE(cases.size() >= 20);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    INFO("case " << i << ": " << c.payload);
    const Message sentinel = Heartbeat{kOwner, "untouched"};
    Message decoded = sentinel;
    const Status status = DecodeMessage(c.payload, &decoded);
    REQUIRE_FALSE(status.ok());
    CHECK(status.code() == Status::Code::kCorruption);
    CHECK_THAT(status.message(), Catch::StartsWith(c.expected_prefix));
    CHECK(decoded == sentinel);
  }
}

TEST_CASE("message codec: random and damaged payloads never crash the decoder", "[codec]") {
  rc::prop("random bytes", [] { CheckDecodeSurvives(*rc::gen::arbitrary<std::string>()); });
  rc::prop("random JSON-ish text", [] {
    const std::vector<char> alphabet = {'{', '}', '[', ']', '"', ':', ',', '-', '0', '1', '9', '.',
                                        'e', 'a', 'k', 'n', 't', 'u', 'l', '\\', ' ', '\xff', '\0'};
    CheckDecodeSurvives(*rc::gen::container<std::string>(rc::gen::elementOf(alphabet)));
  });
  rc::prop("damaged encodings", [] {
    std::string payload = EncodeMessage(GenMessage());
    const auto damages = *rc::gen::inRange(1, 4);
    for (int i = 0; i < damages && !payload.empty(); ++i) {
      const auto at = *rc::gen::inRange<size_t>(0, payload.size());
      switch (*rc::gen::inRange(0, 5)) {
        case 0:  // Truncate.
          payload.resize(at);
          break;
        case 1:  // Flip one bit.
          payload[at] = static_cast<char>(payload[at] ^ (1 << *rc::gen::inRange(0, 8)));
          break;
        case 2:  // Drop a byte.
          payload.erase(at, 1);
          break;
        case 3:  // Insert a byte.
          payload.insert(at, 1, *rc::gen::arbitrary<char>());
          break;
        default:  // Overwrite a byte with a JSON-significant one.
          payload[at] = *rc::gen::element('"', '{', '}', '[', ']', ',', ':', '-', '0', '.');
          break;
      }
    }
    CheckDecodeSurvives(payload);
  });
}

}  // namespace
}  // namespace syncsim::core
