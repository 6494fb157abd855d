// Tests for sim/kernel/trace.h: canonical lines, the fingerprint and fate counters.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "sim/kernel/trace.h"

namespace {

using syncsim::sim::Trace;
using syncsim::sim::TraceRecord;

TraceRecord Message(int64_t time_us, const std::string& fate) {
  TraceRecord record;
  record.time_us = time_us;
  record.kind = "message";
  record.source = "a";
  record.target = "b";
  record.detail = "push";
  record.size_bytes = 100;
  record.fate = fate;
  return record;
}

}  // namespace

TEST_CASE("Trace: lines are canonical JSON with escaped strings", "[sim]") {
  CHECK(Trace::FormatLine(Message(12, "sent")) ==
        R"({"time_us":12,"kind":"message","source":"a","target":"b","detail":"push","size_bytes":100,"fate":"sent"})");
  TraceRecord event;
  event.time_us = -1;
  event.kind = "event";
  event.detail = "quote\" back\\ nl\n tab\t ctl\x01 utf8 \xc3\xa9";
  CHECK(Trace::FormatLine(event) ==
        "{\"time_us\":-1,\"kind\":\"event\",\"source\":\"\",\"target\":\"\","
        "\"detail\":\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 utf8 \xc3\xa9\",\"size_bytes\":0,\"fate\":\"\"}");
}

TEST_CASE("Trace: sink receives one line per record", "[sim]") {
  std::ostringstream sink;
  Trace trace;
  trace.SetSink(&sink);
  trace.Record(Message(1, "sent"));
  trace.Record(Message(2, "delivered"));
  trace.SetSink(nullptr);
  trace.Record(Message(3, "sent"));  // Fingerprinted and counted, not written.
  CHECK(sink.str() == Trace::FormatLine(Message(1, "sent")) + "\n" + Trace::FormatLine(Message(2, "delivered")) + "\n");
  CHECK(trace.records() == 3);
}

TEST_CASE("Trace: fingerprint is FNV-1a 64 over the lines and sees every field", "[sim]") {
  Trace empty;
  CHECK(empty.fingerprint() == 0xcbf29ce484222325ULL);
  CHECK(empty.FingerprintHex() == "cbf29ce484222325");

  Trace one;
  one.Record(Message(5, "sent"));
  uint64_t expected = 0xcbf29ce484222325ULL;
  for (const char character : Trace::FormatLine(Message(5, "sent")) + "\n") {
    expected ^= static_cast<uint8_t>(character);
    expected *= 0x100000001b3ULL;
  }
  CHECK(one.fingerprint() == expected);
  CHECK(one.FingerprintHex().size() == 16);

  const auto fingerprint_of = [](const TraceRecord& record) {
    Trace trace;
    trace.Record(record);
    return trace.fingerprint();
  };
  const TraceRecord base = Message(5, "sent");
  const uint64_t base_fingerprint = fingerprint_of(base);
  CHECK(fingerprint_of(base) == base_fingerprint);
  TraceRecord changed = base;
  changed.time_us = 6;
  CHECK(fingerprint_of(changed) != base_fingerprint);
  changed = base;
  changed.source = "c";
  CHECK(fingerprint_of(changed) != base_fingerprint);
  changed = base;
  changed.target = "c";
  CHECK(fingerprint_of(changed) != base_fingerprint);
  changed = base;
  changed.detail = "pull";
  CHECK(fingerprint_of(changed) != base_fingerprint);
  changed = base;
  changed.size_bytes = 101;
  CHECK(fingerprint_of(changed) != base_fingerprint);
  changed = base;
  changed.fate = "delivered";
  CHECK(fingerprint_of(changed) != base_fingerprint);

  // Order matters: the same records in another order give another fingerprint.
  Trace forward;
  forward.Record(Message(1, "sent"));
  forward.Record(Message(1, "delivered"));
  Trace backward;
  backward.Record(Message(1, "delivered"));
  backward.Record(Message(1, "sent"));
  CHECK(forward.fingerprint() != backward.fingerprint());
}

TEST_CASE("Trace: counts message fates", "[sim]") {
  Trace trace;
  for (const char* fate : {"sent", "sent", "sent", "duplicated", "delivered", "delivered", "dropped_random",
                           "dropped_down", "held", "released", "dropped_held"}) {
    trace.Record(Message(1, fate));
  }
  TraceRecord event;
  event.kind = "event";
  event.fate = "sent";  // Not a message: not counted as one.
  trace.Record(event);
  const syncsim::sim::MessageCounts counts = trace.message_counts();
  CHECK(counts.sent == 3);
  CHECK(counts.duplicated == 1);
  CHECK(counts.delivered == 2);
  CHECK(counts.dropped == 3);
  CHECK(counts.held == 1);
  CHECK(counts.released == 1);
  CHECK(trace.records() == 12);
}
