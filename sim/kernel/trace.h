// Trace: the record of everything a run did, and its fingerprint.
//
// Every scheduled event the scheduler runs and every message fate the network
// decides becomes one canonical JSON line. The bytes of each line feed a
// 64-bit fingerprint (DESIGN.md section 2.6): two runs with one seed must print
// the same fingerprint, and a test comparing fingerprints compares whole runs.
// Lines go to an optional sink; without one nothing is kept in memory, so long
// runs can be fingerprinted at constant memory.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <utility>

#include "sim/kernel/message_counts.h"

namespace syncsim::sim {

// One trace line. Fields that do not apply stay empty (or 0).
struct TraceRecord {
  int64_t time_us = 0;     // Virtual time of the event or fate.
  std::string kind;        // "event" or "message" (others may add kinds).
  std::string source;      // Message sender; empty for events.
  std::string target;      // Message receiver; empty for events.
  std::string detail;      // Event label, or message kind.
  uint64_t size_bytes = 0; // Message size including its header; 0 for events.
  std::string fate;        // Message fate (see network.h); empty for events.
  // A message's payload, for a RunObserver (sim/cluster/run_observer.h);
  // not part of the line or the fingerprint. Valid during Record only.
  const std::string* payload = nullptr;
};

// Formats, fingerprints, counts and (optionally) writes trace records.
// Owns its counters; does not own the sink.
class Trace {
 public:
  Trace() = default;
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  // Where formatted lines go (each ends with '\n'). nullptr, the default,
  // keeps only the fingerprint and counters.
  // REQUIRES: `sink`, if not null, outlives this Trace or the next SetSink.
  void SetSink(std::ostream* sink) { sink_ = sink; }

  // Called with every record as it is recorded, for checks that read the
  // trace while the run goes on (invariant.hlc_bounds); empty: none.
  using Listener = std::function<void(const TraceRecord&)>;
  void SetListener(Listener listener) { listener_ = std::move(listener); }
  // Called after the listener with every record, for a tool watching the
  // run (RunObserver); empty: none.
  void SetObserver(Listener observer) { observer_ = std::move(observer); }

  // Formats `record` as one line, folds it into the fingerprint, counts it
  // (and its fate when record.kind == "message"), writes it to the sink and
  // hands it to the listener.
  void Record(const TraceRecord& record);

  // The canonical JSON line for `record`, without the trailing newline. Keys
  // always appear, in the order of TraceRecord's fields; strings are escaped.
  static std::string FormatLine(const TraceRecord& record);

  // FNV-1a 64 over the bytes of every line recorded so far, newlines included.
  uint64_t fingerprint() const { return fingerprint_; }
  // The fingerprint as 16 lower-case hex digits.
  std::string FingerprintHex() const;
  // How many records have been recorded.
  uint64_t records() const { return records_; }
  // Message fates counted from records with kind "message".
  const MessageCounts& message_counts() const { return message_counts_; }

 private:
  std::ostream* sink_ = nullptr;
  Listener listener_;
  Listener observer_;
  uint64_t fingerprint_ = 0xcbf29ce484222325ULL;  // The FNV-1a 64 offset basis.
  uint64_t records_ = 0;
  MessageCounts message_counts_;
};

}  // namespace syncsim::sim
