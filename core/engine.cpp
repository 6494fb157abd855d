#include "core/engine.h"

#include <map>

namespace syncsim::core {
namespace {

// Every field of EngineCounters once, for sums and JSON.
template <typename Visit>
void ForEachCounter(EngineCounters& counters, Visit visit) {
  visit("messages_sent", counters.messages_sent);
  visit("messages_received", counters.messages_received);
  visit("messages_rejected", counters.messages_rejected);
  visit("records_sent", counters.records_sent);
  visit("shared_changes_sent", counters.shared_changes_sent);
  visit("acks_received", counters.acks_received);
  visit("log_entries_pruned", counters.log_entries_pruned);
  visit("exchanges_started", counters.exchanges_started);
  visit("pages_received", counters.pages_received);
  visit("records_pulled", counters.records_pulled);
  visit("resyncs", counters.resyncs);
  visit("records_repaired", counters.records_repaired);
  visit("resends", counters.resends);
  visit("batches_abandoned", counters.batches_abandoned);
  visit("requests_abandoned", counters.requests_abandoned);
  visit("buffered", counters.buffered);
  visit("buffer_overflows", counters.buffer_overflows);
  visit("buffered_dropped", counters.buffered_dropped);
  visit("stale_answers", counters.stale_answers);
  visit("stale_batches", counters.stale_batches);
  visit("pages_continued", counters.pages_continued);
  visit("rounds_restarted", counters.rounds_restarted);
  visit("resends_at_backoff_cap", counters.resends_at_backoff_cap);
  visit("cascade_deletes", counters.cascade_deletes);
  visit("batches_out_of_order", counters.batches_out_of_order);
  visit("catch_ups_requested", counters.catch_ups_requested);
  visit("requests_reissued", counters.requests_reissued);
}

}  // namespace

EngineCounters& operator+=(EngineCounters& total, const EngineCounters& more) {
  EngineCounters copy = more;
  std::map<std::string, uint64_t> values;
  ForEachCounter(copy, [&](const char* name, uint64_t& value) { values[name] = value; });
  ForEachCounter(total, [&](const char* name, uint64_t& value) { value += values[name]; });
  return total;
}

nlohmann::json ToJson(const EngineCounters& counters) {
  EngineCounters copy = counters;
  nlohmann::json out = nlohmann::json::object();
  ForEachCounter(copy, [&](const char* name, uint64_t& value) { out[name] = value; });
  return out;
}

std::string_view ToString(PeerState state) {
  switch (state) {
    case PeerState::kUninitialized:
      return "uninitialized";
    case PeerState::kBackfilling:
      return "backfilling";
    case PeerState::kCatchingUp:
      return "catching_up";
    case PeerState::kReady:
      return "ready";
    case PeerState::kFailed:
      return "failed";
  }
  return "uninitialized";
}

}  // namespace syncsim::core
