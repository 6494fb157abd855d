// Message codec: the wire form of the sync core's messages (DESIGN.md 3.4,
// structs in messages.h). A message travels as one compact JSON object
//
//   {"kind": "StateChange", "library": "<uuid>", ...the message's fields}
//
// whose size is what the simulated network charges for. Encoding is
// deterministic (object keys are sorted), so equal messages give equal bytes
// and the simulator's fingerprint does not depend on anything but content.
// Decoding is strict, because a payload comes from another device and may
// be damaged (the simulator corrupts, truncates and fuzzes them): anything
// that is not exactly the encoding of some message is rejected with a
// Status naming the offending field, and no input makes the decoder throw,
// crash or read out of bounds.
//
// Field names on the wire are the struct field names of messages.h. Uuids
// travel as canonical strings, request ids, counts and digests as JSON
// unsigned integers, HLCs, versions and watermarks as opaque strings (this
// level does not parse them), a SharedChangeEntry's type as "insert",
// "update" or "delete", and `data` objects as embedded JSON objects.
//
// message_encoder.cpp encodes, message_decoder.cpp decodes (with the strict
// field reader of message_object_reader.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/messages.h"
#include "core/status.h"

namespace syncsim::core {

// The deepest nesting of JSON arrays and objects that DecodeMessage accepts
// (the message object itself is level 1, a record's `data` object level 4).
// It bounds the recursion that comparing, copying and encoding a decoded
// message needs.
inline constexpr int kMaxMessageNestingDepth = 64;

// Returns the kind name of `message`, the "kind" field of its encoding and
// the name counted by the network statistics: "StateChange" for a
// StateBatch of exactly one record and "StateBatch" otherwise,
// "SharedChange" for a SharedChangeBatch of exactly one change and
// "SharedChangeBatch" otherwise, else the struct's name ("AckSharedChanges",
// "AckStateBatch",
// "StateRequest", "StateResponse", "SharedChangeRequest",
// "SharedChangeResponse", "WatermarkExchangeRequest",
// "WatermarkExchangeResponse", "Heartbeat"). Cannot fail; the view points
// to static storage.
std::string_view MessageKind(const Message& message);

// Returns the compact JSON encoding of `message`. Cannot fail and does not
// throw (short of running out of memory). Strings are expected to be valid
// UTF-8; an invalid byte sequence in one is replaced by U+FFFD rather than
// reported, so such a message does not survive a round trip unchanged.
// `data` objects nested deeper than kMaxMessageNestingDepth allows are
// encoded but will not decode.
std::string EncodeMessage(const Message& message);

// Parses `payload`, the encoding of one message, into *message.
// On success returns OK and overwrites *message. On failure returns a
// Corruption status whose message starts with the path of the offending
// field ("records[3].uuid: expected a uuid string", "payload: invalid JSON
// ...") and leaves *message untouched. Fails on: invalid JSON (including
// ill-formed UTF-8 and trailing bytes), duplicate object keys, nesting
// deeper than kMaxMessageNestingDepth, a top level that is not an object, a
// missing or unknown "kind", a missing field, an unknown extra field (at
// every level outside `data`), a field of the wrong JSON type, a malformed
// uuid, an unknown change type, a number that is negative, fractional or
// out of range for its field, a `data` that is not an object, and a
// "StateChange" ("SharedChange") that does not hold exactly one record
// (change). "StateBatch" and "SharedChangeBatch" may hold any number,
// including one. Never throws.
Status DecodeMessage(std::string_view payload, Message* message);

}  // namespace syncsim::core
