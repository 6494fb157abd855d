// PeerSession: what one device's sync core knows about one connected peer
// for the life of the connection (DESIGN.md 3.5). All of it is volatile: a
// disconnect or a crash loses it, and the next connection starts over from
// the watermarks and parked records in the database.
//
// The session tracks the two directions separately:
//  - pulling from the peer: the state machine Uninitialized -> Backfilling
//    (first sync with this peer) or CatchingUp (later ones) -> Ready, the
//    queue of pull jobs, the one request in flight, and the buffer of
//    realtime messages that arrive before Ready;
//  - pushing to the peer: the realtime batches sent and not yet acked.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/engine.h"
#include "core/messages.h"
#include "core/round_trip_estimator.h"
#include "core/sync_settings.h"
#include "core/uuid.h"

namespace syncsim::core {

// One (owner, model) to pull from the peer: from `after` on, below
// `before` (empty: no bound), only the digest buckets in `buckets`. A repair
// job re-reads buckets whose digest disagreed below the watermark and does
// not move watermarks.
struct PullJob {
  Uuid owner;  // nil: a shared model
  std::string model;
  StateCursor after;
  std::string before;
  uint32_t buckets = kAllDigestBuckets;
  bool repair = false;
};

// A message sent and waiting for its answer (a request) or its ack (a
// realtime batch), with its retry schedule.
struct RetriedMessage {
  std::string kind;
  std::shared_ptr<const std::string> payload;
  int64_t first_sent_ms = 0;  // on the monotonic clock (Clock::monotonic_ms)
  int64_t last_sent_ms = 0;   // on the same clock
  int64_t next_send_ms = 0;   // on the same clock
  int64_t backoff_ms = 0;
  uint32_t sends = 1;
};

// A realtime batch that arrived while an earlier one from the same peer had
// not: its watermark advances, and its deletes, wait until the run is
// unbroken.
struct DeferredAdvance {
  uint64_t batch_id = 0;
  std::vector<std::pair<std::string, std::string>> model_versions;  // (model, newest version applied)
  std::vector<WireRecord> deletes;
};

struct PeerSession {
  explicit PeerSession(const SyncSettings& settings) : round_trip(settings) {}

  // How long to wait for this peer's answers, learned on this connection.
  RoundTripEstimator round_trip;
  PeerState state = PeerState::kUninitialized;
  uint32_t rounds = 0;       // watermark exchanges since the session was last Ready
  // The buffer overflowed, or the peer asked for a catch-up during this
  // round: run one more round.
  bool round_again = false;

  // Pulling.
  uint64_t exchange_request_id = 0;
  std::string peer_hlc_at_exchange;  // the peer's HLC when it answered the last exchange
  // The watermark sent for each (owner, model) in the current exchange.
  std::map<std::pair<Uuid, std::string>, std::string> sent_watermarks;
  std::deque<PullJob> jobs;
  uint64_t request_id = 0;                 // of the request in flight (exchange or page), 0: none
  std::optional<RetriedMessage> request;   // that request, for resending
  std::deque<Message> buffer;              // realtime messages held until Ready

  // The peer's realtime StateBatches: the last batch of an unbroken run from
  // the start of the connection, and later ones waiting for a gap to fill,
  // by the batch before them.
  uint64_t contiguous_batch_id = 0;
  std::map<uint64_t, DeferredAdvance> deferred_advances;
  // Batches with smaller ids were sent before the peer answered this
  // session's exchange (its next_batch_id): a copy still in flight, even from
  // before a reconnect on the same link, is stale, and the catch-up pages
  // carry what it held.
  uint64_t stale_below_batch_id = 0;

  // Pushing. Realtime changes go to the peer only once it has been heard
  // from on this connection (a peer that is down would only make them pile
  // up as retries); what it missed before, its catch-up reads.
  bool peer_answered = false;
  uint64_t last_batch_id_sent = 0;
  std::map<uint64_t, RetriedMessage> unacked;  // by batch id
  // Set when an unacked batch was abandoned (unacked_batches_max): every
  // batch from this id on asks the peer to catch up, until the peer acks
  // one of them (it has then seen the request).
  std::optional<uint64_t> catch_up_requested_from_batch_id;
};

}  // namespace syncsim::core
