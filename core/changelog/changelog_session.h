// ChangelogSession: what the change-log engine knows of one connected peer
// for the life of the connection. All of it is volatile: a disconnect or a
// crash loses it, and the next connection reconciles from the log.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace syncsim::core::changelog {

// A batch of changes sent and not acked yet, with its resend schedule.
struct UnackedBatch {
  std::shared_ptr<const std::string> payload;
  std::vector<std::string> ids;      // every change in it
  std::vector<std::string> own_ids;  // the sender's own shared changes in it
  int64_t next_send_ms = 0;          // monotonic
  int64_t backoff_ms = 0;
};

struct ChangelogSession {
  // The peer has sent something on this connection (a peer that never
  // answers is not waited for).
  bool peer_answered = false;
  // A root check matched: both logs held the same ids. Realtime batches
  // keep it so; an abandoned batch clears it.
  bool in_sync = false;
  // The last root check sent, and this device's newest own change id then.
  uint64_t root_check_id = 0;
  std::string root_check_own_newest;
  // A flush skipped this peer (it had not answered yet) since the last root
  // check: a match of that check no longer proves the peer holds the log.
  bool missed_since_check = false;
  // When a reconciliation message was last sent or received (monotonic):
  // a check goes out again once the reconciliation has been quiet for
  // retry_timeout_ms without matching.
  int64_t last_reconcile_ms = 0;
  // When the peer was last heard from (monotonic). A peer silent for a
  // while (cut off by a partition) gets only its oldest unacked batch
  // resent, so that resends do not fill the network with copies it holds.
  int64_t last_heard_ms = 0;
  std::map<uint64_t, UnackedBatch> unacked;  // by batch id
  // The ids sent on this connection, but for abandoned batches: each is
  // resent until acked, so it is not sent again (both sides'
  // reconciliations may ask for the same one).
  std::set<std::string> sent;
};

}  // namespace syncsim::core::changelog
