#include "core/leader/leader_messages.h"

#include <fmt/format.h>

namespace syncsim::core::leader {
namespace {

using json = nlohmann::json;

// Entries per append and changes per forward the decoder accepts: a bound
// on what one message can make the receiver do.
constexpr size_t kMessageItemsMax = 100'000;

// Reads the members of one JSON object, remembering the first error.
class Reader {
 public:
  Reader(const json& value, std::string prefix) : value_(value), prefix_(std::move(prefix)) {
    if (!value_.is_object()) Fail("", "not an object");
  }
  int64_t Int(const char* name) {
    const json* field = Field(name);
    if (field == nullptr) return 0;
    if (!field->is_number_integer()) return Fail(name, "not an integer"), 0;
    const int64_t number = field->get<int64_t>();
    if (number < 0) return Fail(name, "negative"), 0;
    return number;
  }
  bool Bool(const char* name) {
    const json* field = Field(name);
    if (field == nullptr) return false;
    if (!field->is_boolean()) return Fail(name, "not a boolean"), false;
    return field->get<bool>();
  }
  std::string Text(const char* name) {
    const json* field = Field(name);
    if (field == nullptr) return {};
    if (!field->is_string()) return Fail(name, "not a string"), std::string();
    return field->get<std::string>();
  }
  Uuid Id(const char* name) {
    const std::string text = Text(name);
    if (!status_.ok()) return Uuid();
    std::optional<Uuid> parsed = Uuid::Parse(text);
    if (!parsed.has_value()) return Fail(name, "not a uuid"), Uuid();
    return *parsed;
  }
  const json* Array(const char* name) {
    const json* field = Field(name);
    if (field == nullptr) return nullptr;
    if (!field->is_array()) return Fail(name, "not an array"), nullptr;
    if (field->size() > kMessageItemsMax) return Fail(name, "too many items"), nullptr;
    return field;
  }
  const json* Object(const char* name) {
    const json* field = Field(name);
    if (field == nullptr) return nullptr;
    if (!field->is_object()) return Fail(name, "not an object"), nullptr;
    return field;
  }
  void Fail(std::string_view name, std::string_view problem) {
    if (status_.ok()) status_ = Status::InvalidArgument(fmt::format("{}{}: {}", prefix_, name, problem));
  }
  void Adopt(const Status& status) {
    if (status_.ok() && !status.ok()) status_ = status;
  }
  const Status& status() const { return status_; }

 private:
  const json* Field(const char* name) {
    if (!status_.ok()) return nullptr;
    auto found = value_.find(name);
    if (found == value_.end()) return Fail(name, "missing"), nullptr;
    return &*found;
  }
  const json& value_;
  std::string prefix_;
  Status status_;
};

json EntryToJson(const LogEntry& entry) {
  return json{{"seq", entry.seq}, {"term", entry.term}, {"change", ChangeToJson(entry.change)}};
}

Status EntryFromJson(const json& value, const std::string& prefix, LogEntry* entry) {
  Reader reader(value, prefix);
  entry->seq = reader.Int("seq");
  entry->term = reader.Int("term");
  if (const json* change = reader.Object("change"); change != nullptr) {
    Status status = ChangeFromJson(*change, &entry->change);
    if (!status.ok()) reader.Adopt(Status::InvalidArgument(prefix + "change." + status.message()));
  }
  if (reader.status().ok() && entry->seq == 0) reader.Fail("seq", "must be positive");
  return reader.status();
}

json Encode(const VoteRequest& m) {
  return json{{"term", m.term}, {"last_seq", m.last_seq}, {"last_term", m.last_term}, {"pre_vote", m.pre_vote}};
}
json Encode(const VoteReply& m) {
  return json{{"term", m.term}, {"granted", m.granted}, {"pre_vote", m.pre_vote}};
}
json Encode(const AppendRequest& m) {
  json entries = json::array();
  for (const LogEntry& entry : m.entries) entries.push_back(EntryToJson(entry));
  return json{{"term", m.term},          {"prev_seq", m.prev_seq}, {"prev_term", m.prev_term},
              {"commit_seq", m.commit_seq}, {"sent_ms", m.sent_ms}, {"entries", std::move(entries)}};
}
json Encode(const AppendReply& m) {
  return json{{"term", m.term},           {"success", m.success},           {"match_seq", m.match_seq},
              {"commit_seq", m.commit_seq}, {"echo_sent_ms", m.echo_sent_ms}};
}
json Encode(const ForwardRequest& m) {
  json changes = json::array();
  for (const LogChange& change : m.changes) changes.push_back(ChangeToJson(change));
  return json{{"changes", std::move(changes)}};
}

void Decode(Reader& r, const json& /*value*/, VoteRequest* m) {
  m->term = r.Int("term");
  m->last_seq = r.Int("last_seq");
  m->last_term = r.Int("last_term");
  m->pre_vote = r.Bool("pre_vote");
}
void Decode(Reader& r, const json& /*value*/, VoteReply* m) {
  m->term = r.Int("term");
  m->granted = r.Bool("granted");
  m->pre_vote = r.Bool("pre_vote");
}
void Decode(Reader& r, const json& /*value*/, AppendRequest* m) {
  m->term = r.Int("term");
  m->prev_seq = r.Int("prev_seq");
  m->prev_term = r.Int("prev_term");
  m->commit_seq = r.Int("commit_seq");
  m->sent_ms = r.Int("sent_ms");
  const json* entries = r.Array("entries");
  if (entries == nullptr) return;
  for (size_t i = 0; i < entries->size() && r.status().ok(); ++i) {
    LogEntry entry;
    r.Adopt(EntryFromJson((*entries)[i], fmt::format("entries[{}].", i), &entry));
    if (r.status().ok() && entry.seq != m->prev_seq + 1 + static_cast<int64_t>(i)) r.Fail("entries", "not contiguous");
    m->entries.push_back(std::move(entry));
  }
}
void Decode(Reader& r, const json& /*value*/, AppendReply* m) {
  m->term = r.Int("term");
  m->success = r.Bool("success");
  m->match_seq = r.Int("match_seq");
  m->commit_seq = r.Int("commit_seq");
  m->echo_sent_ms = r.Int("echo_sent_ms");
}
void Decode(Reader& r, const json& /*value*/, ForwardRequest* m) {
  const json* changes = r.Array("changes");
  if (changes == nullptr) return;
  for (size_t i = 0; i < changes->size() && r.status().ok(); ++i) {
    LogChange change;
    Status status = ChangeFromJson((*changes)[i], &change);
    if (!status.ok()) r.Adopt(Status::InvalidArgument(fmt::format("changes[{}].{}", i, status.message())));
    if (r.status().ok() && change.is_noop()) r.Fail("changes", "a no-op is not forwarded");
    m->changes.push_back(std::move(change));
  }
}

template <typename T>
Status DecodeAs(const json& value, LeaderMessage* message) {
  T decoded;
  Reader reader(value, "");
  decoded.library = reader.Id("library");
  Decode(reader, value, &decoded);
  if (!reader.status().ok()) return reader.status();
  *message = std::move(decoded);
  return Status::Ok();
}

}  // namespace

std::string LogChange::Id() const { return fmt::format("{}:{}", origin.ToString(), origin_seq); }

json ChangeToJson(const LogChange& change) {
  return json{{"origin", change.origin.ToString()}, {"origin_seq", change.origin_seq}, {"model", change.model},
              {"uuid", change.uuid.ToString()},     {"data", change.data},             {"deleted", change.deleted}};
}

Status ChangeFromJson(const json& value, LogChange* change) {
  Reader reader(value, "");
  change->origin = reader.Id("origin");
  change->origin_seq = reader.Int("origin_seq");
  change->model = reader.Text("model");
  change->uuid = reader.Id("uuid");
  if (const json* data = reader.Object("data"); data != nullptr) change->data = *data;
  change->deleted = reader.Bool("deleted");
  if (reader.status().ok() && !change->is_noop() && change->origin_seq == 0) reader.Fail("origin_seq", "must be positive");
  return reader.status();
}

std::string_view LeaderMessageKind(const LeaderMessage& message) {
  static constexpr std::string_view kKinds[] = {"LeaderVoteRequest", "LeaderVoteReply", "LeaderAppend",
                                                "LeaderAppendReply", "LeaderForward"};
  return kKinds[message.index()];
}

std::string EncodeLeaderMessage(const LeaderMessage& message) {
  json value = std::visit([](const auto& m) { return Encode(m); }, message);
  value["kind"] = std::string(LeaderMessageKind(message));
  value["library"] = std::visit([](const auto& m) { return m.library.ToString(); }, message);
  return value.dump();
}

Status DecodeLeaderMessage(std::string_view payload, LeaderMessage* message) {
  json value = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) return Status::InvalidArgument("not a JSON object");
  auto kind = value.find("kind");
  if (kind == value.end() || !kind->is_string()) return Status::InvalidArgument("kind: missing");
  const std::string name = kind->get<std::string>();
  if (name == "LeaderVoteRequest") return DecodeAs<VoteRequest>(value, message);
  if (name == "LeaderVoteReply") return DecodeAs<VoteReply>(value, message);
  if (name == "LeaderAppend") return DecodeAs<AppendRequest>(value, message);
  if (name == "LeaderAppendReply") return DecodeAs<AppendReply>(value, message);
  if (name == "LeaderForward") return DecodeAs<ForwardRequest>(value, message);
  return Status::InvalidArgument(fmt::format("kind: unknown \"{}\"", name));
}

}  // namespace syncsim::core::leader
