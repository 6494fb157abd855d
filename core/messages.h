// Messages: everything one device's sync core says to another (DESIGN.md 3.4).
// Every message carries the library id; the wire form is JSON (see
// message_codec.h), and a message's size on the simulated network is the size
// of that encoding. Local integer ids never appear here: every record and
// every foreign key travels as a uuid.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/uuid.h"

namespace syncsim::core {

// One record of a model in wire form. `data` is a JSON object holding the
// model's synced columns by name and each foreign key as its wire field
// (`parent_uuid`: a uuid string or null). `version` is the HLC string (DESIGN
// 3.3) the writer stamped it with: the owner's for device-owned records, the
// originator's for shared ones. A deleted record has `deleted` set and an
// empty `data` object.
struct WireRecord {
  std::string model;
  Uuid uuid;
  nlohmann::json data = nlohmann::json::object();
  std::string version;
  bool deleted = false;
  // Per-field merge only: the version of each field of `data` (see
  // SharedChangeEntry::field_versions); empty otherwise and then not encoded.
  std::map<std::string, std::string> field_versions;

  bool operator==(const WireRecord&) const = default;
};

// A change to a shared record, stamped with the originator's HLC.
struct SharedChangeEntry {
  enum class Type { kInsert, kUpdate, kDelete };
  std::string hlc;
  std::string model;
  Uuid record_uuid;
  Type type = Type::kInsert;
  nlohmann::json data = nlohmann::json::object();
  // Under a per-field merge (`sync.shared_merge: field`, and engines that
  // merge by field): the version of each field of `data`, the write's own
  // HLC for the fields it changed and the held version for the others.
  // Empty under a whole-record merge, where `hlc` versions every field; an
  // empty map is never encoded, so whole-record messages are unchanged.
  std::map<std::string, std::string> field_versions;

  bool operator==(const SharedChangeEntry&) const = default;
};

// Owner -> peers: device-owned records, realtime. A single-record change is
// a batch of one (kind name "StateChange"); larger ones are "StateBatch".
// `batch_id` numbers the batches one sender sends (the receiver acks it with
// AckStateBatch); `previous_batch_id` is the batch sent before this one to
// the same peer on the same connection (0 for the first), so the receiver
// can tell an unbroken run of batches from one with a gap.
struct StateBatch {
  Uuid library;
  Uuid owner;
  std::vector<WireRecord> records;
  uint64_t batch_id = 0;
  uint64_t previous_batch_id = 0;
  // The sender stopped resending an earlier batch to this peer (more than
  // unacked_batches_max were unacked): the receiver must catch up from its
  // watermarks, since nothing else brings that batch back while the
  // connection lasts. On the wire only when true.
  bool catch_up_requested = false;
  bool operator==(const StateBatch&) const = default;
};

// Originator -> peers: HLC-stamped shared changes, in HLC order.
struct SharedChangeBatch {
  Uuid library;
  std::vector<SharedChangeEntry> changes;
  uint64_t batch_id = 0;
  bool catch_up_requested = false;  // as StateBatch's
  bool operator==(const SharedChangeBatch&) const = default;
};

// Receiver -> originator: every change of batch `batch_id` has been applied
// (or found stale) and logged, the newest of them being `up_to_hlc`. With
// batch_id kCatchUpAckBatchId it acknowledges a finished catch-up instead:
// every change the originator had made up to `up_to_hlc` is held.
inline constexpr uint64_t kCatchUpAckBatchId = 0;
struct AckSharedChanges {
  Uuid library;
  std::string up_to_hlc;
  uint64_t batch_id = 0;
  bool operator==(const AckSharedChanges&) const = default;
};

// Receiver -> owner: StateBatch `batch_id` arrived (applied, or buffered
// while the receiver catches up). With batch_id kCatchUpAckBatchId it
// confirms a catch-up acknowledgement, which is resent until confirmed.
struct AckStateBatch {
  Uuid library;
  uint64_t batch_id = 0;
  bool operator==(const AckStateBatch&) const = default;
};

// A cursor over one owner's records of one model, ordered by
// (version, uuid). The empty version means "from the beginning".
struct StateCursor {
  std::string version;
  Uuid uuid;
  bool operator==(const StateCursor&) const = default;
};

// The digest buckets of a model: records fall into one of 16 buckets by the
// first hex digit of their uuid. A StateRequest's `buckets` is a bit mask
// over them (bit i: uuids starting with hex digit i).
inline constexpr int kDigestBucketCount = 16;
inline constexpr uint32_t kAllDigestBuckets = (1u << kDigestBucketCount) - 1;

// Requester -> owner (or any peer holding the owner's records): records of
// `owner` and `model` strictly after `after` and (unless `before` is empty)
// with a version below `before`, at most `limit` of them, only from the
// digest buckets in `buckets`. A nil owner asks for the records of a shared
// model.
struct StateRequest {
  Uuid library;
  uint64_t request_id = 0;
  Uuid owner;
  std::string model;
  StateCursor after;
  uint32_t limit = 0;
  uint32_t buckets = kAllDigestBuckets;
  std::string before;
  bool operator==(const StateRequest&) const = default;
};

// One page of the answer. `records` include deleted ones (tombstones) in
// cursor order; `has_more` asks the requester to continue from `next`.
struct StateResponse {
  Uuid library;
  uint64_t request_id = 0;
  Uuid owner;
  std::string model;
  std::vector<WireRecord> records;
  bool has_more = false;
  StateCursor next;
  bool operator==(const StateResponse&) const = default;
};

// Requester -> peer: shared log entries after `since_hlc` (empty: from
// nothing, in which case the answer carries the current state of shared
// records whose log entries were pruned).
struct SharedChangeRequest {
  Uuid library;
  uint64_t request_id = 0;
  std::string since_hlc;
  uint32_t limit = 0;
  bool operator==(const SharedChangeRequest&) const = default;
};

struct SharedChangeResponse {
  Uuid library;
  uint64_t request_id = 0;
  std::vector<SharedChangeEntry> changes;
  std::vector<WireRecord> current_state;
  bool has_more = false;
  std::string next_since_hlc;
  bool operator==(const SharedChangeResponse&) const = default;
};

// Per-model summary a device holds of one owner's records (or of the shared
// records when `owner` is nil): the watermark it has reached, and how many
// records (tombstones included) it holds below a version together with an
// order-independent digest of them computed from uuids, versions and synced
// fields, in total and per digest bucket (`buckets` holds
// kDigestBucketCount digests, or none when `count` is 0).
struct ModelWatermark {
  Uuid owner;
  std::string model;
  std::string watermark;
  uint64_t count = 0;
  uint64_t digest = 0;
  std::vector<uint64_t> buckets;
  bool operator==(const ModelWatermark&) const = default;
};

// Sent on (re)connect by each side: the watermark I hold per (owner, model),
// with the count and digest of what I hold below it.
struct WatermarkExchangeRequest {
  Uuid library;
  uint64_t request_id = 0;
  std::vector<ModelWatermark> watermarks;
  bool operator==(const WatermarkExchangeRequest&) const = default;
};

// The answer: the responder's watermark per (owner, model) it holds, with
// the count and digests of its records below the requester's watermark for
// that (owner, model), so that the requester can compare like with like
// even while it is behind.
// `hlc` is the responder's HLC when it answered: every shared change it
// had made by then is included in what a catch-up reads from it.
// `next_batch_id` and `previous_batch_id` place the responder's realtime
// StateBatches to the requester: every batch it sent before answering has a
// smaller id than `next_batch_id` (what it carried is in the pages the
// requester is about to read, so a copy still in flight is stale), and its
// next batch to the requester names `previous_batch_id` as the one before.
struct WatermarkExchangeResponse {
  Uuid library;
  uint64_t request_id = 0;
  std::vector<ModelWatermark> watermarks;
  std::string hlc;
  uint64_t next_batch_id = 0;
  uint64_t previous_batch_id = 0;
  bool operator==(const WatermarkExchangeResponse&) const = default;
};

struct Heartbeat {
  Uuid library;
  std::string hlc;
  bool operator==(const Heartbeat&) const = default;
};

using Message = std::variant<StateBatch, SharedChangeBatch, AckSharedChanges, AckStateBatch, StateRequest, StateResponse,
                             SharedChangeRequest, SharedChangeResponse, WatermarkExchangeRequest,
                             WatermarkExchangeResponse, Heartbeat>;

}  // namespace syncsim::core
