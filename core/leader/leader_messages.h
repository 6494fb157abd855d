// The leader engine's wire messages (core/leader/leader_engine.h): votes,
// appends (which double as heartbeats) and their replies, and the writes a
// follower forwards to the leader. Each is a JSON object with a "kind"; the
// decoder checks every field's presence and type, so a malformed message is
// rejected whole before anything applies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/uuid.h"

namespace syncsim::core::leader {

// One write as a device made it, before and after it is logged. A no-op
// (empty model) is what a new leader appends to commit its predecessors'
// entries (an entry of the leader's own term must commit first).
struct LogChange {
  Uuid origin;             // the device that wrote it
  int64_t origin_seq = 0;  // its position among the origin's writes, from 1; 0 for a no-op
  std::string model;       // empty for a no-op
  Uuid uuid;
  nlohmann::json data = nlohmann::json::object();  // the whole record, as WireRecord::data
  bool deleted = false;

  bool is_noop() const { return model.empty(); }
  // "origin:origin_seq", the change's name in events and checks.
  std::string Id() const;
};

struct LogEntry {
  int64_t seq = 0;   // position in the log, from 1
  int64_t term = 0;  // term of the leader that assigned it
  LogChange change;
};

// A pre-vote asks whether the member would vote in `term` without changing
// anything, so that a member cut off from the others does not push the
// terms up and depose a healthy leader when it comes back.
struct VoteRequest {
  Uuid library;
  int64_t term = 0;
  int64_t last_seq = 0;
  int64_t last_term = 0;
  bool pre_vote = false;
};

// For a pre-vote, `term` is the term asked about.
struct VoteReply {
  Uuid library;
  int64_t term = 0;
  bool granted = false;
  bool pre_vote = false;
};

// Entries after prev_seq (none: a heartbeat). sent_ms is the leader's
// monotonic time at sending, echoed by the reply: the lease runs from it.
struct AppendRequest {
  Uuid library;
  int64_t term = 0;
  int64_t prev_seq = 0;
  int64_t prev_term = 0;
  int64_t commit_seq = 0;
  int64_t sent_ms = 0;
  std::vector<LogEntry> entries;
};

// match_seq: on success the last seq known to match the leader's log; on
// failure a seq from which the leader should resend (all up to it match).
struct AppendReply {
  Uuid library;
  int64_t term = 0;
  bool success = false;
  int64_t match_seq = 0;
  int64_t commit_seq = 0;
  int64_t echo_sent_ms = 0;
};

// A follower's unacknowledged writes, oldest first.
struct ForwardRequest {
  Uuid library;
  std::vector<LogChange> changes;
};

using LeaderMessage = std::variant<VoteRequest, VoteReply, AppendRequest, AppendReply, ForwardRequest>;

std::string_view LeaderMessageKind(const LeaderMessage& message);
std::string EncodeLeaderMessage(const LeaderMessage& message);
// Decodes what EncodeLeaderMessage wrote; InvalidArgument naming the field
// otherwise (record contents are checked by the engine's RecordApplier).
Status DecodeLeaderMessage(std::string_view payload, LeaderMessage* message);

nlohmann::json ChangeToJson(const LogChange& change);
Status ChangeFromJson(const nlohmann::json& value, LogChange* change);

}  // namespace syncsim::core::leader
