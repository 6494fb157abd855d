// The change-log engine's messages and their wire form. Like the leaderless
// messages (core/messages.h) they are compact JSON objects with a "kind"
// and the library id; their kinds start with "Changelog" so a trace tells
// the engines apart. Decoding is strict: a payload that is not exactly the
// encoding of one of these messages is rejected whole.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/changelog/range_reconciliation.h"
#include "core/status.h"
#include "core/uuid.h"

namespace syncsim::core::changelog {

// One field of a change: its value (a JSON scalar, a uuid string for a
// foreign key) and the version it carries (the change's HLC for the fields
// the write changed, the held version for the others).
struct ChangeField {
  nlohmann::json value;
  std::string version;
  bool operator==(const ChangeField&) const = default;
};

// One row of changelog_changes with its changelog_change_fields.
struct Change {
  std::string id;  // ChangeIdFromHlc(hlc)
  std::string model;
  Uuid record_uuid;
  Uuid author;  // the device that wrote it (the HLC's device)
  std::string hlc;
  bool deleted = false;  // a tombstone: no fields
  bool owned = false;    // a device-owned model's record (its author owns it)
  // Owned changes only: the author's own count of owned changes, from 1, so
  // a receiver merges them in the order the owner made them (a folder's
  // delete takes its subtree as the owner saw it). 0 for shared changes.
  uint64_t seq = 0;
  std::map<std::string, ChangeField> fields;
  bool operator==(const Change&) const = default;
};

// Changes one device sends another: new ones in realtime, or those a
// reconciliation found missing. Acked by ChangesAck with the same id.
struct ChangesBatch {
  Uuid library;
  uint64_t batch_id = 0;
  std::vector<Change> changes;
  bool operator==(const ChangesBatch&) const = default;
};

struct ChangesAck {
  Uuid library;
  uint64_t batch_id = 0;
  bool operator==(const ChangesAck&) const = default;
};

// One step of a reconciliation: what the sender says about some id ranges.
// `check_id` names the root check a kMatch answers (0 otherwise).
struct ReconcileMessage {
  Uuid library;
  uint64_t check_id = 0;
  std::vector<RangeItem> ranges;
  bool operator==(const ReconcileMessage&) const = default;
};

using ChangelogMessage = std::variant<ChangesBatch, ChangesAck, ReconcileMessage>;

std::string_view ChangelogMessageKind(const ChangelogMessage& message);
std::string EncodeChangelogMessage(const ChangelogMessage& message);
// Returns InvalidArgument naming what is wrong, leaving *message untouched.
Status DecodeChangelogMessage(std::string_view payload, ChangelogMessage* message);

}  // namespace syncsim::core::changelog
