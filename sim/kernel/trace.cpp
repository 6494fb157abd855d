#include "sim/kernel/trace.h"

#include <string_view>

namespace syncsim::sim {

namespace {

constexpr uint64_t fnv_prime = 0x100000001b3ULL;

// Appends `text` as a JSON string literal. Bytes >= 0x80 pass through
// unchanged: names are expected to be UTF-8, and hand escaping (rather than a
// JSON library) means a stray byte can never throw in the middle of a run.
void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char hex_digits[] = "0123456789abcdef";
  out.push_back('"');
  for (const char character : text) {
    const auto byte = static_cast<unsigned char>(character);
    switch (character) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out.push_back(hex_digits[byte >> 4]);
          out.push_back(hex_digits[byte & 0xf]);
        } else {
          out.push_back(character);
        }
    }
  }
  out.push_back('"');
}

void CountFate(MessageCounts& counts, std::string_view fate) {
  if (fate == "sent") {
    counts.sent++;
  } else if (fate == "delivered") {
    counts.delivered++;
  } else if (fate.starts_with("dropped")) {
    counts.dropped++;
  } else if (fate == "duplicated") {
    counts.duplicated++;
  } else if (fate == "held") {
    counts.held++;
  } else if (fate == "released") {
    counts.released++;
  }
}

}  // namespace

std::string Trace::FormatLine(const TraceRecord& record) {
  std::string line;
  line.reserve(96 + record.kind.size() + record.source.size() + record.target.size() + record.detail.size() +
               record.fate.size());
  line += "{\"time_us\":";
  line += std::to_string(record.time_us);
  line += ",\"kind\":";
  AppendJsonString(line, record.kind);
  line += ",\"source\":";
  AppendJsonString(line, record.source);
  line += ",\"target\":";
  AppendJsonString(line, record.target);
  line += ",\"detail\":";
  AppendJsonString(line, record.detail);
  line += ",\"size_bytes\":";
  line += std::to_string(record.size_bytes);
  line += ",\"fate\":";
  AppendJsonString(line, record.fate);
  line += "}";
  return line;
}

void Trace::Record(const TraceRecord& record) {
  std::string line = FormatLine(record);
  line.push_back('\n');
  for (const char character : line) {
    fingerprint_ ^= static_cast<uint8_t>(character);
    fingerprint_ *= fnv_prime;
  }
  records_++;
  if (record.kind == "message") CountFate(message_counts_, record.fate);
  if (sink_ != nullptr) sink_->write(line.data(), static_cast<std::streamsize>(line.size()));
  if (listener_) listener_(record);
  if (observer_) observer_(record);
}

std::string Trace::FingerprintHex() const {
  static constexpr char hex_digits[] = "0123456789abcdef";
  std::string hex(16, '0');
  for (int index = 0; index < 16; index++) {
    hex[static_cast<size_t>(15 - index)] = hex_digits[(fingerprint_ >> (4 * index)) & 0xf];
  }
  return hex;
}

}  // namespace syncsim::sim
