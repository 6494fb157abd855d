// ChangelogEngine, sending: realtime batches of changes (acked, resent on
// Tick, at most unacked_batches_max per peer) and reconciliation messages.
#include <algorithm>
#include <cassert>

#include "core/changelog/change_id.h"
#include "core/changelog/changelog_engine.h"

namespace syncsim::core::changelog {

void ChangelogEngine::Send(const Uuid& peer, const ChangelogMessage& message) {
  ++counters_.messages_sent;
  transport_.Send(peer, ChangelogMessageKind(message), EncodeChangelogMessage(message));
}

void ChangelogEngine::FlushPending() {
  for (auto& [peer, session] : sessions_) {
    // A peer not heard from yet reconciles what it missed once it answers.
    if (!session.peer_answered) {
      session.missed_since_check = true;
      continue;
    }
    std::vector<std::string> ids;
    for (const Pending& pending : pending_) {
      if (pending.from != peer) ids.push_back(pending.id);
    }
    if (!ids.empty()) SendChanges(peer, session, ids);
  }
  pending_.clear();
}

void ChangelogEngine::SendChanges(const Uuid& peer, ChangelogSession& session,
                                  const std::vector<std::string>& wanted) {
  std::vector<std::string> ids;
  for (const std::string& id : wanted) {
    if (session.sent.count(id) == 0) ids.push_back(id);
  }
  const size_t batch_size = std::max<size_t>(1, settings_.batch_size);
  for (size_t start = 0; start < ids.size(); start += batch_size) {
    ChangesBatch batch{.library = library_id_, .batch_id = next_batch_id_++};
    UnackedBatch unacked;
    for (size_t i = start; i < std::min(ids.size(), start + batch_size); ++i) {
      std::optional<Change> change = store_.Read(ids[i]);
      assert(change.has_value() && "every id queued or pushed is in the log");
      if (change->owned) {
        ++counters_.records_sent;
      } else {
        ++counters_.shared_changes_sent;
        if (change->author == device_) unacked.own_ids.push_back(change->id);
      }
      unacked.ids.push_back(change->id);
      session.sent.insert(change->id);
      batch.changes.push_back(std::move(*change));
    }
    const ChangelogMessage message = batch;
    unacked.payload = std::make_shared<const std::string>(EncodeChangelogMessage(message));
    unacked.backoff_ms = settings_.retry_timeout_ms;
    unacked.next_send_ms = clock_.monotonic_ms() + settings_.retry_timeout_ms;
    ++counters_.messages_sent;
    transport_.Send(peer, ChangelogMessageKind(message), *unacked.payload);
    session.unacked.emplace(batch.batch_id, std::move(unacked));
    if (session.unacked.size() > settings_.unacked_batches_max) {
      // Past the bound the oldest is given up; a new reconciliation finds
      // whatever it carried.
      for (const std::string& id : session.unacked.begin()->second.ids) session.sent.erase(id);
      session.unacked.erase(session.unacked.begin());
      ++counters_.batches_abandoned;
      session.in_sync = false;
    }
  }
}

void ChangelogEngine::ResendDue(const Uuid& peer, ChangelogSession& session, int64_t now_ms) {
  const bool silent =
      now_ms - session.last_heard_ms > settings_.retry_timeout_ms + kSilentResendsMax * settings_.retry_backoff_ms_max;
  for (auto& [batch_id, unacked] : session.unacked) {
    if (silent && batch_id != session.unacked.begin()->first) break;  // the oldest only
    if (unacked.next_send_ms > now_ms) continue;
    if (unacked.backoff_ms >= settings_.retry_backoff_ms_max) ++counters_.resends_at_backoff_cap;
    unacked.backoff_ms = std::min(unacked.backoff_ms * 2, settings_.retry_backoff_ms_max);
    unacked.next_send_ms = now_ms + unacked.backoff_ms;
    ++counters_.resends;
    ++counters_.messages_sent;
    transport_.Send(peer, "ChangelogChanges", *unacked.payload);
  }
}

void ChangelogEngine::SendRootCheck(const Uuid& peer, ChangelogSession& session) {
  session.root_check_id = next_check_id_++;
  session.missed_since_check = false;
  session.root_check_own_newest = store_.NewestIdBy(device_);
  ++counters_.exchanges_started;
  SendRanges(peer, session, session.root_check_id,
             {RootItem(store_.IdsInRange("", std::string(kChangeIdEnd)))});
}

void ChangelogEngine::SendRanges(const Uuid& peer, ChangelogSession& session, uint64_t check_id,
                                 const std::vector<RangeItem>& ranges) {
  session.last_reconcile_ms = clock_.monotonic_ms();
  for (size_t start = 0; start < ranges.size(); start += kReconcileItemsPerMessageMax) {
    ReconcileMessage message{.library = library_id_, .check_id = check_id};
    const size_t end = std::min(ranges.size(), start + kReconcileItemsPerMessageMax);
    message.ranges.assign(ranges.begin() + static_cast<std::ptrdiff_t>(start),
                          ranges.begin() + static_cast<std::ptrdiff_t>(end));
    Send(peer, message);
  }
}

}  // namespace syncsim::core::changelog
