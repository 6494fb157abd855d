#include "sim/check/coverage.h"

namespace syncsim::sim {

const std::vector<CoveragePath>& CoveragePaths() {
  // Data table: one row per rare path.
  static const std::vector<CoveragePath> paths = {
      {"page_boundary_crossed", "a backfill or catch-up answer said more follows and the next page was asked for",
       [](const CoverageTotals& t) { return t.engine.pages_continued; }},
      {"buffer_overflow_round", "realtime messages held during catch-up overflowed buffer_max: another round ran",
       [](const CoverageTotals& t) { return t.engine.buffer_overflows; }},
      {"buffered_during_catch_up", "a realtime message arrived while catching up and was held until Ready",
       [](const CoverageTotals& t) { return t.engine.buffered; }},
      {"digest_resync_repaired", "a digest re-sync after a watermark exchange applied a missing or different record",
       [](const CoverageTotals& t) { return t.engine.records_repaired; }},
      {"digest_resync", "a digest disagreed after a watermark exchange: buckets were re-read",
       [](const CoverageTotals& t) { return t.engine.resyncs; }},
      {"record_parked", "a record arrived before its foreign-key target and was parked",
       [](const CoverageTotals& t) { return t.apply.parked; }},
      {"parked_resolved", "a parked record was applied once its target arrived",
       [](const CoverageTotals& t) { return t.apply.parked_resolved; }},
      {"parked_resolved_after_restart", "a record parked before a crash was applied after the restart",
       [](const CoverageTotals& t) { return t.apply.parked_resolved_after_restart; }},
      {"link_repaired", "an optional link stored as NULL was set once its target arrived",
       [](const CoverageTotals& t) { return t.apply.links_repaired; }},
      {"stale_record_ignored", "an older version of a record arrived after a newer one: last writer wins kept",
       [](const CoverageTotals& t) { return t.apply.stale; }},
      {"tombstone_beat_late_insert", "a record arrived after its delete (or its required record's) and stayed deleted",
       [](const CoverageTotals& t) { return t.apply.obsolete; }},
      {"cascade_delete_shared", "a delete took the shared records that require the deleted one",
       [](const CoverageTotals& t) { return t.engine.cascade_deletes; }},
      {"stale_batch_ignored", "a realtime batch sent before the peer's exchange answer was ignored",
       [](const CoverageTotals& t) { return t.engine.stale_batches; }},
      {"stale_answer_ignored", "an answer to a request no longer in flight (a duplicate or a late one) was ignored",
       [](const CoverageTotals& t) { return t.engine.stale_answers; }},
      {"batch_out_of_order", "a realtime batch arrived before an earlier one: its watermark advance waited",
       [](const CoverageTotals& t) { return t.engine.batches_out_of_order; }},
      {"batch_resent", "an unacked batch or unanswered request was sent again",
       [](const CoverageTotals& t) { return t.engine.resends; }},
      {"resend_after_backoff_cap", "a resend already retry_backoff_ms_max after the previous one",
       [](const CoverageTotals& t) { return t.engine.resends_at_backoff_cap; }},
      {"request_abandoned_round_restarted", "an exchange unanswered retry_attempts_max times: the round started over",
       [](const CoverageTotals& t) { return t.engine.rounds_restarted; }},
      {"page_request_reissued", "a page request unanswered retry_attempts_max times was asked for again",
       [](const CoverageTotals& t) { return t.engine.requests_reissued; }},
      {"batch_abandoned", "more than unacked_batches_max batches were unacked: the oldest stopped being resent",
       [](const CoverageTotals& t) { return t.engine.batches_abandoned; }},
      {"abandoned_batch_caught_up", "a batch asked for a catch-up because its sender abandoned an earlier one",
       [](const CoverageTotals& t) { return t.engine.catch_ups_requested; }},
      {"log_pruned", "shared changes every peer acked were pruned from the log",
       [](const CoverageTotals& t) { return t.engine.log_entries_pruned; }},
      {"message_rejected", "a malformed message, or one for another library, was refused",
       [](const CoverageTotals& t) { return t.engine.messages_rejected; }},
      {"message_dropped", "the network lost a copy of a message",
       [](const CoverageTotals& t) { return t.messages.dropped; }},
      {"message_duplicated", "the network delivered an extra copy of a message",
       [](const CoverageTotals& t) { return t.messages.duplicated; }},
      {"message_held_by_partition", "a partition held a copy of a message until its heal",
       [](const CoverageTotals& t) { return t.messages.held; }},
  };
  return paths;
}

nlohmann::json CoverageOf(const CoverageTotals& totals) {
  nlohmann::json coverage = nlohmann::json::object();
  for (const CoveragePath& path : CoveragePaths()) coverage[std::string(path.name)] = path.count(totals);
  return coverage;
}

}  // namespace syncsim::sim
