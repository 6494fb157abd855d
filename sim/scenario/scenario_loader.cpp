#include "sim/scenario/scenario_loader.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core/model_registry.h"
#include "sim/assert.h"
#include "sim/check/check.h"
#include "sim/scenario/device_power_rules.h"
#include "sim/scenario/swarm.h"

// Returns the Status of `expression` from the enclosing function unless it
// is ok. Local to this file.
#define SYNCSIM_LOADER_RETURN_IF_ERROR(expression) \
  do {                                             \
    ::syncsim::core::Status status_ = (expression); \
    if (!status_.ok()) return status_;             \
  } while (false)

namespace syncsim::sim {
namespace {

using core::Status;
using nlohmann::json;

// Bounds of DESIGN.md 5 that scenario.h does not name.
constexpr int64_t kFlushIntervalMsMax = 60'000;
// Retry timeouts and their backoff cap; attempts of one request.
constexpr int64_t kRetryMsMax = 600'000;
constexpr uint32_t kRetryAttemptsMax = 1'000;
constexpr int64_t kStallWindowMsMin = 1'000;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// Strings longer than this are cut when quoted in an error message.
constexpr size_t kQuotedLengthMax = 80;

constexpr std::array<std::string_view, 9> kRootKeys = {"name",  "description",     "seed",  "devices", "network",
                                                       "sync",  "stall_window_ms", "steps", "expect"};
constexpr std::array<std::string_view, 3> kRootRequiredKeys = {"name", "devices", "steps"};
constexpr std::array<std::string_view, 3> kDeviceKeys = {"name", "clock", "start"};
constexpr std::array<std::string_view, 1> kDeviceRequiredKeys = {"name"};
constexpr std::array<std::string_view, 2> kClockKeys = {"offset_ms", "drift_ppm"};
constexpr std::array<std::string_view, 3> kNetworkKeys = {"latency_ms", "drop", "duplicate"};
constexpr std::array<std::string_view, 2> kLatencyKeys = {"min", "max"};
constexpr std::array<std::string_view, 12> kSyncKeys = {
    "missing_dependency", "batch_size",       "flush_interval_ms",    "shared_merge",
    "defects",            "page_size",        "buffer_max",           "shared_batch_size",
    "retry_timeout_ms",   "retry_backoff_ms_max", "retry_attempts_max", "unacked_batches_max"};
// From the registries, read on first use (after every check has registered):
// the keys of `expect`, the checks a negative scenario may name in
// `expect.must_fail` (besides "counts.DEVICE.MODEL"), and the models
// `expect.counts` names.
const std::vector<std::string_view>& AcceptedExpectKeys() {
  static const std::vector<std::string_view> keys = ExpectKeys();
  return keys;
}
const std::vector<std::string_view>& MustFailCheckNames() {
  static const std::vector<std::string_view> names = CheckNames();
  return names;
}
const std::vector<std::string_view>& ModelNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> models;
    for (const core::ModelSpec& model : core::ModelRegistry::Default().models()) models.push_back(model.name);
    return models;
  }();
  return names;
}

// What a step action requires and allows besides `at_ms` and `action`
// (the table of DESIGN.md 5).
struct ActionSpec {
  std::string_view name;
  std::vector<std::string_view> required;
  std::vector<std::string_view> optional;
};

const std::vector<ActionSpec>& Actions() {
  static const std::vector<ActionSpec> kActions = {
      {"connect", {"devices"}, {}},
      {"disconnect", {"devices"}, {}},
      {"partition", {"groups"}, {"one_way"}},
      {"heal", {}, {}},
      {"set_network", {}, {"latency_ms", "drop", "duplicate", "link"}},
      {"start", {"device"}, {}},
      {"crash", {"device"}, {}},
      {"restart", {"device"}, {}},
      {"clock_jump", {"device", "by_ms"}, {}},
      {"index",
       {"device", "location", "dirs", "files"},
       {"duplicate_content", "identify_errors", "files_per_s"}},
      {"mutate", {"device", "location"}, {"renames", "moves", "deletes", "ops_per_s"}},
      {"tag", {"devices", "tags", "applications"}, {"ops_per_s"}},
      {"collect", {"device", "collections", "entries_per_collection"}, {"owner"}},
      {"run_until_quiescent", {"max_ms"}, {}},
      {"snapshot", {"phase"}, {}},
  };
  return kActions;
}

// Returns the spec of `name`, or nullptr when no action has that name.
const ActionSpec* FindAction(std::string_view name) {
  for (const ActionSpec& spec : Actions()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// ---- Paths and messages ----

std::string MemberPath(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string ElementPath(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

// The root object has the empty path; messages call it "(root)".
std::string ShownPath(const std::string& path) { return path.empty() ? "(root)" : path; }

Status Invalid(const std::string& path, const std::string& problem) {
  return Status::InvalidArgument(ShownPath(path) + ": " + problem);
}

// `text` as a JSON string literal; invalid UTF-8 is replaced, never thrown.
std::string Quoted(std::string_view text) {
  return json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
}

// A value as an error message shows it after "got": scalars as JSON (long
// strings cut), containers by their kind.
std::string Describe(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return value.empty() ? "an empty object" : "an object";
    case json::value_t::array:
      return value.empty() ? "an empty array" : "an array";
    case json::value_t::string: {
      const std::string& text = value.get_ref<const std::string&>();
      if (text.size() <= kQuotedLengthMax) return Quoted(text);
      return Quoted(text.substr(0, kQuotedLengthMax)) + "... (" + std::to_string(text.size()) + " characters)";
    }
    default:
      return value.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

// "a, b or c", each quoted.
std::string QuotedAlternatives(std::span<const std::string_view> names) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += (i + 1 == names.size()) ? " or " : ", ";
    text += Quoted(names[i]);
  }
  return text;
}

// Edit distance between `a` and `b` (insertions, deletions, substitutions).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean "x"?)" for the first candidate within two edits of `given`,
// else "".
template <typename Range>
std::string Suggestion(std::string_view given, const Range& candidates) {
  size_t best_distance = 3;
  std::string_view best;
  for (std::string_view candidate : candidates) {
    const size_t distance = EditDistance(given, candidate);
    if (distance < best_distance && distance < candidate.size()) {
      best_distance = distance;
      best = candidate;
    }
  }
  if (best.empty()) return "";
  return " (did you mean " + Quoted(best) + "?)";
}

bool IsNameCharacter(char character) {
  return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
         (character >= '0' && character <= '9') || character == '_' || character == '-';
}

// `character` for a message: itself in quotes when printable, else \xNN.
std::string ShownCharacter(char character) {
  const auto byte = static_cast<unsigned char>(character);
  if (byte >= 0x20 && byte < 0x7f) return std::string("'") + character + "'";
  constexpr std::string_view kHex = "0123456789abcdef";
  return std::string("\\x") + kHex[byte >> 4] + kHex[byte & 0xf];
}

// ---- Readers of one value. Each fails naming `path` and leaves *out as is. ----

const json* Find(const json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// Checks that `value` is an object whose keys are all in `allowed` (unknown
// keys first, in key order) and that it has every key of `required`.
// `context` ends the messages (" for action \"index\"").
Status CheckObject(const json& value, const std::string& path, std::span<const std::string_view> allowed,
                   std::span<const std::string_view> required, const std::string& context = "") {
  if (!value.is_object()) return Invalid(path, "expected an object, got " + Describe(value));
  for (const auto& [key, member] : value.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || name == key;
    if (!known) return Invalid(path, "unknown key " + Quoted(key) + context + Suggestion(key, allowed));
  }
  for (std::string_view key : required) {
    if (!value.contains(key)) return Invalid(path, "missing required key " + Quoted(key) + context);
  }
  return Status::Ok();
}

std::string IntegerKind(int64_t min) {
  if (min == 0) return "a non-negative integer";
  if (min == 1) return "a positive integer";
  return "an integer";
}

// An integer in [min, max]. Numbers with a fraction or an exponent (2.5, 2.0,
// 1e3) are not integers.
Status ReadInteger(const json& value, const std::string& path, int64_t min, int64_t max, int64_t* out) {
  SYNCSIM_ASSERT(min <= max);
  if (!value.is_number_integer()) return Invalid(path, "expected " + IntegerKind(min) + ", got " + Describe(value));
  bool in_range = false;
  int64_t number = 0;
  if (value.is_number_unsigned()) {
    const auto unsigned_number = value.get<uint64_t>();
    in_range = max >= 0 && unsigned_number <= static_cast<uint64_t>(max);
    if (in_range) number = static_cast<int64_t>(unsigned_number);
  } else {
    number = value.get<int64_t>();
    in_range = number >= min && number <= max;
  }
  if (in_range && number < min) in_range = false;
  if (!in_range) {
    if (max == kInt64Max) return Invalid(path, "expected " + IntegerKind(min) + ", got " + Describe(value));
    return Invalid(path, "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                             Describe(value));
  }
  *out = number;
  return Status::Ok();
}

Status ReadCount(const json& value, const std::string& path, uint32_t min, uint32_t max, uint32_t* out) {
  int64_t number = 0;
  SYNCSIM_LOADER_RETURN_IF_ERROR(ReadInteger(value, path, min, max, &number));
  *out = static_cast<uint32_t>(number);
  return Status::Ok();
}

// Any non-negative integer that fits 64 bits (the seed).
Status ReadUnsigned64(const json& value, const std::string& path, uint64_t* out) {
  if (value.is_number_unsigned()) {
    *out = value.get<uint64_t>();
    return Status::Ok();
  }
  if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    *out = static_cast<uint64_t>(value.get<int64_t>());
    return Status::Ok();
  }
  return Invalid(path, "expected a non-negative integer, got " + Describe(value));
}

// A number in [0, 1] (probabilities, ratios).
Status ReadFraction(const json& value, const std::string& path, double* out) {
  const bool ok = value.is_number() && value.get<double>() >= 0 && value.get<double>() <= 1;
  if (!ok) return Invalid(path, "expected a number in [0, 1], got " + Describe(value));
  *out = value.get<double>();
  return Status::Ok();
}

Status ReadBool(const json& value, const std::string& path, bool* out) {
  if (!value.is_boolean()) return Invalid(path, "expected true or false, got " + Describe(value));
  *out = value.get<bool>();
  return Status::Ok();
}

Status ReadString(const json& value, const std::string& path, std::string* out) {
  if (!value.is_string()) return Invalid(path, "expected a string, got " + Describe(value));
  *out = value.get<std::string>();
  return Status::Ok();
}

// An identifier: 1 to kScenarioNameLengthMax ASCII letters, digits, '_', '-'.
Status ReadName(const json& value, const std::string& path, std::string* out) {
  if (!value.is_string()) return Invalid(path, "expected a name, got " + Describe(value));
  const std::string& name = value.get_ref<const std::string&>();
  const std::string lengths = "1 to " + std::to_string(kScenarioNameLengthMax) + " characters";
  if (name.empty()) return Invalid(path, "expected a name of " + lengths + ", got an empty string");
  if (name.size() > kScenarioNameLengthMax) {
    return Invalid(path, "expected a name of " + lengths + ", got " + std::to_string(name.size()) + " characters");
  }
  for (char character : name) {
    if (!IsNameCharacter(character)) {
      return Invalid(path, Quoted(name) + " is not a name: " + ShownCharacter(character) +
                               " is not a letter, digit, '_' or '-'");
    }
  }
  *out = name;
  return Status::Ok();
}

// ---- The JSON text ----

// Watches the parser for duplicate object keys (which nlohmann::json would
// silently resolve to the last one) and records the first, with its path.
class DuplicateKeyWatcher {
 public:
  bool OnEvent(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        frames_.push_back(Frame{true, {}, {}, 0});
        break;
      case json::parse_event_t::array_start:
        frames_.push_back(Frame{false, {}, {}, 0});
        break;
      case json::parse_event_t::key: {
        if (frames_.empty() || !parsed.is_string()) break;
        Frame& frame = frames_.back();
        frame.key = parsed.get<std::string>();
        if (!frame.keys.insert(frame.key).second && !problem_.has_value()) {
          problem_ = ShownPath(ContainerPath()) + ": duplicate key " + Quoted(frame.key);
        }
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!frames_.empty()) frames_.pop_back();
        CountElement();
        break;
      case json::parse_event_t::value:
        CountElement();
        break;
    }
    return true;
  }

  // The first duplicate key found, as an error message, if any.
  const std::optional<std::string>& problem() const { return problem_; }

 private:
  struct Frame {
    bool is_object = false;
    std::set<std::string> keys;  // objects: keys seen so far
    std::string key;             // objects: the key of the member being parsed
    size_t index = 0;            // arrays: the index of the element being parsed
  };

  // An element of the innermost array is complete.
  void CountElement() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
  }

  // The path of the innermost container.
  std::string ContainerPath() const {
    std::string path;
    for (size_t i = 0; i + 1 < frames_.size(); ++i) {
      path = frames_[i].is_object ? MemberPath(path, frames_[i].key) : ElementPath(path, frames_[i].index);
    }
    return path;
  }

  std::vector<Frame> frames_;
  std::optional<std::string> problem_;
};

// Parses `text`. Fails (InvalidArgument) on a syntax error, naming the byte
// offset, line and column, or on a duplicate key, naming its path.
Status ParseJsonText(const std::string& text, json* document) {
  DuplicateKeyWatcher watcher;
  try {
    *document = json::parse(
        text, [&watcher](int, json::parse_event_t event, json& parsed) { return watcher.OnEvent(event, parsed); },
        /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const json::parse_error& error) {
    // what() is "[json.exception.parse_error.101] parse error at line 3,
    // column 5: syntax error while parsing ...": keep what follows the tag.
    std::string reason = error.what();
    const size_t tag_end = reason.find("] ");
    if (tag_end != std::string::npos) reason = reason.substr(tag_end + 2);
    return Status::InvalidArgument("invalid JSON (byte " + std::to_string(error.byte) + "): " + reason);
  } catch (const json::exception& error) {
    // Numbers too large for a double ("1e999") are out_of_range errors.
    std::string reason = error.what();
    const size_t tag_end = reason.find("] ");
    if (tag_end != std::string::npos) reason = reason.substr(tag_end + 2);
    return Status::InvalidArgument("invalid JSON: " + reason);
  }
  if (watcher.problem().has_value()) return Status::InvalidArgument(*watcher.problem());
  return Status::Ok();
}

// Reads the whole file at `path`. Fails with NotFound when it does not exist,
// IoError when it cannot be read; messages do not repeat the path.
Status ReadFileText(const std::string& path, std::string* text) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) {
    return Status::NotFound("cannot read the scenario file: no such file");
  }
  if (error) return Status::IoError("cannot read the scenario file: " + error.message());
  if (std::filesystem::is_directory(status)) {
    return Status::IoError("cannot read the scenario file: it is a directory");
  }
  std::ifstream input(path, std::ios::binary);
  if (!input) return Status::IoError("cannot open the scenario file");
  text->assign(std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>());
  if (input.bad()) return Status::IoError("cannot read the scenario file");
  return Status::Ok();
}

// `status` with "prefix: " in front of its message, same code.
Status Prefixed(const std::string& prefix, const Status& status) {
  std::string message = prefix + ": " + status.message();
  switch (status.code()) {
    case Status::Code::kOk:
      break;
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case Status::Code::kNotFound:
      return Status::NotFound(std::move(message));
    case Status::Code::kCorruption:
      return Status::Corruption(std::move(message));
    case Status::Code::kIoError:
      return Status::IoError(std::move(message));
  }
  return status;
}

// ---- The scenario ----

// Validates one document into one Scenario. Used once.
class ScenarioParser {
 public:
  Status Parse(const json& document, Scenario* out) {
    SYNCSIM_LOADER_RETURN_IF_ERROR(CheckObject(document, "", kRootKeys, kRootRequiredKeys));
    SYNCSIM_LOADER_RETURN_IF_ERROR(ReadName(document["name"], "name", &scenario_.name));
    if (const json* value = Find(document, "description")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadString(*value, "description", &scenario_.description));
    }
    if (const json* value = Find(document, "seed")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadUnsigned64(*value, "seed", &scenario_.seed));
    }
    SYNCSIM_LOADER_RETURN_IF_ERROR(ParseDevices(document["devices"], "devices"));
    if (const json* value = Find(document, "network")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(CheckObject(*value, "network", kNetworkKeys, {}));
      SYNCSIM_LOADER_RETURN_IF_ERROR(ParseNetworkKeys(*value, "network", &scenario_.network));
    }
    if (const json* value = Find(document, "sync")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ParseSync(*value, "sync"));
    }
    if (const json* value = Find(document, "stall_window_ms")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(
          ReadInteger(*value, "stall_window_ms", kStallWindowMsMin, kScenarioTimeMsMax, &scenario_.stall_window_ms));
    }
    SYNCSIM_LOADER_RETURN_IF_ERROR(ParseSteps(document["steps"], "steps"));
    if (const json* value = Find(document, "expect")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ParseExpect(*value, "expect"));
    }
    *out = std::move(scenario_);
    return Status::Ok();
  }

 private:
  Status ParseDevices(const json& value, const std::string& path) {
    if (!value.is_array()) return Invalid(path, "expected an array of devices, got " + Describe(value));
    if (value.empty()) return Invalid(path, "expected at least one device");
    if (value.size() > kScenarioDevicesMax) {
      return Invalid(path, "expected at most " + std::to_string(kScenarioDevicesMax) + " devices, got " +
                               std::to_string(value.size()));
    }
    std::map<std::string, std::string, std::less<>> first_path_of_name;
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string device_path = ElementPath(path, i);
      const json& element = value[i];
      SYNCSIM_LOADER_RETURN_IF_ERROR(CheckObject(element, device_path, kDeviceKeys, kDeviceRequiredKeys));
      ScenarioDevice device;
      const std::string name_path = MemberPath(device_path, "name");
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadName(element["name"], name_path, &device.name));
      if (auto [it, inserted] = first_path_of_name.emplace(device.name, name_path); !inserted) {
        return Invalid(name_path, "duplicate device name " + Quoted(device.name) + " (first at " + it->second + ")");
      }
      if (const json* clock = Find(element, "clock")) {
        const std::string clock_path = MemberPath(device_path, "clock");
        SYNCSIM_LOADER_RETURN_IF_ERROR(CheckObject(*clock, clock_path, kClockKeys, {}));
        if (const json* offset = Find(*clock, "offset_ms")) {
          SYNCSIM_LOADER_RETURN_IF_ERROR(ReadInteger(*offset, MemberPath(clock_path, "offset_ms"),
                                                     -kScenarioClockOffsetMsMax, kScenarioClockOffsetMsMax,
                                                     &device.clock.offset_ms));
        }
        if (const json* drift = Find(*clock, "drift_ppm")) {
          SYNCSIM_LOADER_RETURN_IF_ERROR(ReadInteger(*drift, MemberPath(clock_path, "drift_ppm"),
                                                     -kScenarioDriftPpmMax, kScenarioDriftPpmMax,
                                                     &device.clock.drift_ppm));
        }
      }
      if (const json* start = Find(element, "start")) {
        SYNCSIM_LOADER_RETURN_IF_ERROR(ReadBool(*start, MemberPath(device_path, "start"), &device.start));
      }
      device_names_.insert(device.name);
      scenario_.devices.push_back(std::move(device));
    }
    return Status::Ok();
  }

  // Reads the keys of kNetworkKeys that `object` holds into *network; the
  // caller has checked that `object` holds no other keys it does not allow.
  // Used for the `network` object and for set_network steps.
  Status ParseNetworkKeys(const json& object, const std::string& path, ScenarioNetwork* network) {
    if (const json* latency = Find(object, "latency_ms")) {
      const std::string latency_path = MemberPath(path, "latency_ms");
      SYNCSIM_LOADER_RETURN_IF_ERROR(CheckObject(*latency, latency_path, kLatencyKeys, kLatencyKeys));
      int64_t min = 0;
      int64_t max = 0;
      SYNCSIM_LOADER_RETURN_IF_ERROR(
          ReadInteger((*latency)["min"], MemberPath(latency_path, "min"), 0, kScenarioLatencyMsMax, &min));
      SYNCSIM_LOADER_RETURN_IF_ERROR(
          ReadInteger((*latency)["max"], MemberPath(latency_path, "max"), 0, kScenarioLatencyMsMax, &max));
      if (min > max) {
        return Invalid(latency_path, "min " + std::to_string(min) + " is greater than max " + std::to_string(max));
      }
      network->latency_ms_min = min;
      network->latency_ms_max = max;
    }
    if (const json* drop = Find(object, "drop")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadFraction(*drop, MemberPath(path, "drop"), &network->drop));
    }
    if (const json* duplicate = Find(object, "duplicate")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadFraction(*duplicate, MemberPath(path, "duplicate"), &network->duplicate));
    }
    return Status::Ok();
  }

  // The numeric knobs of the sync section (batching, paging, buffering,
  // retries), each within its bound.
  Status ParseSyncKnobs(const json& value, const std::string& path) {
    core::SyncSettings& sync = scenario_.sync;
    if (const json* batch_size = Find(value, "batch_size")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(
          ReadCount(*batch_size, MemberPath(path, "batch_size"), 1, kScenarioBatchSizeMax, &sync.batch_size));
    }
    if (const json* shared_batch_size = Find(value, "shared_batch_size")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadCount(*shared_batch_size, MemberPath(path, "shared_batch_size"), 1,
                                               kScenarioBatchSizeMax, &sync.shared_batch_size));
    }
    if (const json* page_size = Find(value, "page_size")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(
          ReadCount(*page_size, MemberPath(path, "page_size"), 1, kScenarioBatchSizeMax, &sync.page_size));
    }
    if (const json* buffer_max = Find(value, "buffer_max")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(
          ReadCount(*buffer_max, MemberPath(path, "buffer_max"), 1, kScenarioBufferMax, &sync.buffer_max));
    }
    if (const json* flush = Find(value, "flush_interval_ms")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadInteger(*flush, MemberPath(path, "flush_interval_ms"), 1,
                                                 kFlushIntervalMsMax, &sync.flush_interval_ms));
    }
    if (const json* timeout = Find(value, "retry_timeout_ms")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadInteger(*timeout, MemberPath(path, "retry_timeout_ms"), 1,
                                                 kRetryMsMax, &sync.retry_timeout_ms));
    }
    if (const json* cap = Find(value, "retry_backoff_ms_max")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadInteger(*cap, MemberPath(path, "retry_backoff_ms_max"), 1, kRetryMsMax,
                                                 &sync.retry_backoff_ms_max));
    }
    if (const json* attempts = Find(value, "retry_attempts_max")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadCount(*attempts, MemberPath(path, "retry_attempts_max"), 1,
                                               kRetryAttemptsMax, &sync.retry_attempts_max));
    }
    if (const json* unacked = Find(value, "unacked_batches_max")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadCount(*unacked, MemberPath(path, "unacked_batches_max"), 1,
                                               kScenarioBufferMax, &sync.unacked_batches_max));
    }
    return Status::Ok();
  }

  Status ParseSync(const json& value, const std::string& path) {
    SYNCSIM_LOADER_RETURN_IF_ERROR(CheckObject(value, path, kSyncKeys, {}));
    core::SyncSettings& sync = scenario_.sync;
    if (const json* policy = Find(value, "missing_dependency")) {
      const std::string policy_path = MemberPath(path, "missing_dependency");
      std::optional<core::MissingDependencyPolicy> parsed;
      if (policy->is_string()) parsed = core::ParseMissingDependencyPolicy(policy->get_ref<const std::string&>());
      if (!parsed.has_value()) {
        return Invalid(policy_path, "expected \"park\", \"drop\" or \"null\", got " + Describe(*policy));
      }
      sync.missing_dependency = *parsed;
    }
    SYNCSIM_LOADER_RETURN_IF_ERROR(ParseSyncKnobs(value, path));
    if (const json* merge = Find(value, "shared_merge")) {
      const std::string merge_path = MemberPath(path, "shared_merge");
      if (*merge == "field") {
        return Invalid(merge_path, "\"field\" is not supported yet; only \"record\" (last writer wins per record)");
      }
      if (*merge != "record") return Invalid(merge_path, "expected \"record\", got " + Describe(*merge));
    }
    if (const json* defects = Find(value, "defects")) {
      const std::string defects_path = MemberPath(path, "defects");
      if (!defects->is_array()) {
        return Invalid(defects_path, "expected an array of defect names, got " + Describe(*defects));
      }
      for (size_t i = 0; i < defects->size(); ++i) {
        const std::string defect_path = ElementPath(defects_path, i);
        std::string name;
        SYNCSIM_LOADER_RETURN_IF_ERROR(ReadString((*defects)[i], defect_path, &name));
        if (!core::IsKnownDefect(name)) {
          std::string known;
          for (std::string_view defect : core::KnownDefects()) known += (known.empty() ? "" : ", ") + std::string(defect);
          return Invalid(defect_path, "unknown defect " + Quoted(name) + Suggestion(name, core::KnownDefects()) +
                                          "; known defects: " + known);
        }
        if (!sync.defects.insert(name).second) {
          return Invalid(defect_path, "defect " + Quoted(name) + " is listed twice");
        }
      }
    }
    return Status::Ok();
  }

  Status ParseSteps(const json& value, const std::string& path) {
    if (!value.is_array()) return Invalid(path, "expected an array of steps, got " + Describe(value));
    if (value.empty()) return Invalid(path, "expected at least one step");
    if (value.size() > kScenarioStepsMax) {
      return Invalid(path, "expected at most " + std::to_string(kScenarioStepsMax) + " steps, got " +
                               std::to_string(value.size()));
    }
    for (size_t i = 0; i < value.size(); ++i) {
      ScenarioStep step;
      SYNCSIM_LOADER_RETURN_IF_ERROR(ParseStep(value[i], ElementPath(path, i), &step));
      scenario_.steps.push_back(std::move(step));
    }
    return Status::Ok();
  }

  Status ParseStep(const json& value, const std::string& path, ScenarioStep* step) {
    if (!value.is_object()) return Invalid(path, "expected an object, got " + Describe(value));
    const json* action = Find(value, "action");
    if (action == nullptr) return Invalid(path, "missing required key \"action\"");
    const std::string action_path = MemberPath(path, "action");
    if (!action->is_string()) return Invalid(action_path, "expected an action name, got " + Describe(*action));
    const std::string& action_name = action->get_ref<const std::string&>();
    const ActionSpec* spec = FindAction(action_name);
    if (spec == nullptr) {
      std::vector<std::string_view> names;
      std::string listed;
      for (const ActionSpec& known : Actions()) {
        names.push_back(known.name);
        listed += (listed.empty() ? "" : ", ") + std::string(known.name);
      }
      return Invalid(action_path,
                     "unknown action " + Describe(*action) + Suggestion(action_name, names) + "; actions: " + listed);
    }
    step->action = action_name;

    std::vector<std::string_view> allowed = {"at_ms", "action"};
    allowed.insert(allowed.end(), spec->required.begin(), spec->required.end());
    allowed.insert(allowed.end(), spec->optional.begin(), spec->optional.end());
    SYNCSIM_LOADER_RETURN_IF_ERROR(
        CheckObject(value, path, allowed, spec->required, " for action " + Quoted(action_name)));

    if (const json* at = Find(value, "at_ms")) {
      const std::string at_path = MemberPath(path, "at_ms");
      int64_t at_ms = 0;
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadInteger(*at, at_path, 0, kScenarioTimeMsMax, &at_ms));
      if (last_at_ms_.has_value() && at_ms < *last_at_ms_) {
        return Invalid(at_path, std::to_string(at_ms) + " is earlier than " + std::to_string(*last_at_ms_) +
                                    ", the at_ms of " + last_at_ms_path_ + " (steps run in order)");
      }
      last_at_ms_ = at_ms;
      last_at_ms_path_ = path;
      step->at_ms = at_ms;
    }

    if (action_name == "connect" || action_name == "disconnect") {
      return ReadDeviceList(value["devices"], MemberPath(path, "devices"), 2, &step->devices);
    }
    if (action_name == "partition") return ParsePartition(value, path, step);
    if (action_name == "heal") return Status::Ok();
    if (action_name == "set_network") return ParseSetNetwork(value, path, step);
    if (action_name == "start" || action_name == "crash" || action_name == "restart") {
      return ReadDevice(value["device"], MemberPath(path, "device"), &step->device);
    }
    if (action_name == "clock_jump") {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadDevice(value["device"], MemberPath(path, "device"), &step->device));
      return ReadInteger(value["by_ms"], MemberPath(path, "by_ms"), -kScenarioClockOffsetMsMax,
                         kScenarioClockOffsetMsMax, &step->by_ms);
    }
    if (action_name == "index") return ParseIndex(value, path, step);
    if (action_name == "mutate") return ParseMutate(value, path, step);
    if (action_name == "tag") return ParseTag(value, path, step);
    if (action_name == "collect") return ParseCollect(value, path, step);
    if (action_name == "run_until_quiescent") {
      return ReadInteger(value["max_ms"], MemberPath(path, "max_ms"), 1, kScenarioTimeMsMax, &step->max_ms);
    }
    SYNCSIM_ASSERT(action_name == "snapshot");
    const std::string phase_path = MemberPath(path, "phase");
    SYNCSIM_LOADER_RETURN_IF_ERROR(ReadName(value["phase"], phase_path, &step->phase));
    if (auto [it, inserted] = first_path_of_phase_.emplace(step->phase, phase_path); !inserted) {
      return Invalid(phase_path, "duplicate phase " + Quoted(step->phase) + " (first at " + it->second + ")");
    }
    return Status::Ok();
  }

  // A declared device's name.
  Status ReadDevice(const json& value, const std::string& path, std::string* out) {
    if (!value.is_string()) return Invalid(path, "expected a device name, got " + Describe(value));
    const std::string& name = value.get_ref<const std::string&>();
    if (device_names_.count(name) == 0) {
      return Invalid(path, "unknown device " + Quoted(name) + Suggestion(name, device_names_));
    }
    *out = name;
    return Status::Ok();
  }

  // At least `min_count` distinct declared devices.
  Status ReadDeviceList(const json& value, const std::string& path, size_t min_count,
                        std::vector<std::string>* out) {
    if (!value.is_array()) return Invalid(path, "expected an array of device names, got " + Describe(value));
    if (value.size() < min_count) {
      return Invalid(path, "expected at least " + std::to_string(min_count) + " device name" +
                               (min_count == 1 ? "" : "s") + ", got " + std::to_string(value.size()));
    }
    std::vector<std::string> names;
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string element_path = ElementPath(path, i);
      std::string name;
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadDevice(value[i], element_path, &name));
      for (const std::string& listed : names) {
        if (listed == name) return Invalid(element_path, "device " + Quoted(name) + " is listed twice");
      }
      names.push_back(std::move(name));
    }
    *out = std::move(names);
    return Status::Ok();
  }

  Status ParsePartition(const json& value, const std::string& path, ScenarioStep* step) {
    const std::string groups_path = MemberPath(path, "groups");
    const json& groups = value["groups"];
    if (!groups.is_array()) return Invalid(groups_path, "expected an array of groups, got " + Describe(groups));
    if (groups.empty()) return Invalid(groups_path, "expected at least one group");
    std::map<std::string, std::string, std::less<>> group_path_of_device;
    for (size_t g = 0; g < groups.size(); ++g) {
      const std::string group_path = ElementPath(groups_path, g);
      const json& group = groups[g];
      if (!group.is_array() || group.empty()) {
        return Invalid(group_path, "expected a non-empty list of device names, got " + Describe(group));
      }
      std::vector<std::string> members;
      for (size_t i = 0; i < group.size(); ++i) {
        const std::string member_path = ElementPath(group_path, i);
        std::string name;
        SYNCSIM_LOADER_RETURN_IF_ERROR(ReadDevice(group[i], member_path, &name));
        const std::string shown_group = "groups[" + std::to_string(g) + "]";
        if (auto [it, inserted] = group_path_of_device.emplace(name, shown_group); !inserted) {
          return Invalid(member_path, "device " + Quoted(name) + " is already in " + it->second);
        }
        members.push_back(std::move(name));
      }
      step->groups.push_back(std::move(members));
    }
    if (const json* one_way = Find(value, "one_way")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadBool(*one_way, MemberPath(path, "one_way"), &step->one_way));
    }
    return Status::Ok();
  }

  Status ParseSetNetwork(const json& value, const std::string& path, ScenarioStep* step) {
    bool any = false;
    for (std::string_view key : kNetworkKeys) any = any || value.contains(key);
    if (!any) return Invalid(path, "set_network needs at least one of " + QuotedAlternatives(kNetworkKeys));
    ScenarioNetwork checked;
    SYNCSIM_LOADER_RETURN_IF_ERROR(ParseNetworkKeys(value, path, &checked));
    for (std::string_view key : kNetworkKeys) {
      if (const json* given = Find(value, key)) step->network_changes[std::string(key)] = *given;
    }
    if (const json* link = Find(value, "link")) {
      const std::string link_path = MemberPath(path, "link");
      if (!link->is_array() || link->size() != 2) {
        return Invalid(link_path, "expected [from, to], two device names, got " + Describe(*link));
      }
      std::string from;
      std::string to;
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadDevice((*link)[0], ElementPath(link_path, 0), &from));
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadDevice((*link)[1], ElementPath(link_path, 1), &to));
      if (from == to) return Invalid(link_path, "a link joins two different devices, got " + Quoted(from) + " twice");
      step->link = std::make_pair(std::move(from), std::move(to));
    }
    return Status::Ok();
  }

  Status ParseIndex(const json& value, const std::string& path, ScenarioStep* step) {
    SYNCSIM_LOADER_RETURN_IF_ERROR(ReadDevice(value["device"], MemberPath(path, "device"), &step->device));
    const std::string location_path = MemberPath(path, "location");
    SYNCSIM_LOADER_RETURN_IF_ERROR(ReadName(value["location"], location_path, &step->location));
    auto [it, inserted] = indexing_step_of_location_.emplace(std::make_pair(step->device, step->location), path);
    if (!inserted) {
      return Invalid(location_path, "location " + Quoted(step->location) + " is already indexed on device " +
                                        Quoted(step->device) + " by " + it->second);
    }
    SYNCSIM_LOADER_RETURN_IF_ERROR(ReadCount(value["dirs"], MemberPath(path, "dirs"), 1, kScenarioDirsMax, &step->dirs));
    SYNCSIM_LOADER_RETURN_IF_ERROR(
        ReadCount(value["files"], MemberPath(path, "files"), 0, kScenarioFilesMax, &step->files));
    if (const json* ratio = Find(value, "duplicate_content")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(
          ReadFraction(*ratio, MemberPath(path, "duplicate_content"), &step->duplicate_content));
    }
    if (const json* ratio = Find(value, "identify_errors")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadFraction(*ratio, MemberPath(path, "identify_errors"), &step->identify_errors));
    }
    if (const json* rate = Find(value, "files_per_s")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(
          ReadCount(*rate, MemberPath(path, "files_per_s"), 1, kScenarioFilesMax, &step->files_per_s));
    }
    return Status::Ok();
  }

  Status ParseMutate(const json& value, const std::string& path, ScenarioStep* step) {
    SYNCSIM_LOADER_RETURN_IF_ERROR(ReadDevice(value["device"], MemberPath(path, "device"), &step->device));
    const std::string location_path = MemberPath(path, "location");
    SYNCSIM_LOADER_RETURN_IF_ERROR(ReadName(value["location"], location_path, &step->location));
    if (indexing_step_of_location_.count(std::make_pair(step->device, step->location)) == 0) {
      return Invalid(location_path, "location " + Quoted(step->location) + " is not indexed on device " +
                                        Quoted(step->device) + " by an earlier step");
    }
    const std::array<std::pair<std::string_view, uint32_t*>, 3> counts = {
        std::make_pair(std::string_view("renames"), &step->renames),
        std::make_pair(std::string_view("moves"), &step->moves),
        std::make_pair(std::string_view("deletes"), &step->deletes),
    };
    for (const auto& [key, out] : counts) {
      if (const json* count = Find(value, key)) {
        SYNCSIM_LOADER_RETURN_IF_ERROR(ReadCount(*count, MemberPath(path, key), 0, kScenarioOperationsMax, out));
      }
    }
    if (const json* rate = Find(value, "ops_per_s")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(
          ReadCount(*rate, MemberPath(path, "ops_per_s"), 1, kScenarioOperationsMax, &step->ops_per_s));
    }
    return Status::Ok();
  }

  Status ParseTag(const json& value, const std::string& path, ScenarioStep* step) {
    SYNCSIM_LOADER_RETURN_IF_ERROR(ReadDeviceList(value["devices"], MemberPath(path, "devices"), 1, &step->devices));
    SYNCSIM_LOADER_RETURN_IF_ERROR(
        ReadCount(value["tags"], MemberPath(path, "tags"), 1, kScenarioOperationsMax, &step->tags));
    SYNCSIM_LOADER_RETURN_IF_ERROR(ReadCount(value["applications"], MemberPath(path, "applications"), 0,
                                             kScenarioOperationsMax, &step->applications));
    if (const json* rate = Find(value, "ops_per_s")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(
          ReadCount(*rate, MemberPath(path, "ops_per_s"), 1, kScenarioOperationsMax, &step->ops_per_s));
    }
    return Status::Ok();
  }

  Status ParseCollect(const json& value, const std::string& path, ScenarioStep* step) {
    SYNCSIM_LOADER_RETURN_IF_ERROR(ReadDevice(value["device"], MemberPath(path, "device"), &step->device));
    SYNCSIM_LOADER_RETURN_IF_ERROR(ReadCount(value["collections"], MemberPath(path, "collections"), 0,
                                             kScenarioOperationsMax, &step->collections));
    SYNCSIM_LOADER_RETURN_IF_ERROR(ReadCount(value["entries_per_collection"],
                                             MemberPath(path, "entries_per_collection"), 0, kScenarioOperationsMax,
                                             &step->entries_per_collection));
    if (const json* owner = Find(value, "owner")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadDevice(*owner, MemberPath(path, "owner"), &step->owner));
    }
    const uint64_t total = uint64_t{step->collections} * step->entries_per_collection;
    if (total > kScenarioOperationsMax) {
      return Invalid(path, "collections * entries_per_collection is " + std::to_string(total) +
                               " collection entries, the maximum is " + std::to_string(kScenarioOperationsMax));
    }
    return Status::Ok();
  }

  // expect.must_fail: known check names (or counts.DEVICE.MODEL), each once.
  Status ParseMustFail(const json& must_fail, const std::string& path) {
    ScenarioExpect& expect = scenario_.expect;
    if (!must_fail.is_array()) {
      return Invalid(path, "expected an array of check names, got " + Describe(must_fail));
    }
    for (size_t i = 0; i < must_fail.size(); ++i) {
      const std::string check_path = ElementPath(path, i);
      std::string name;
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadString(must_fail[i], check_path, &name));
      const std::vector<std::string_view>& check_names = MustFailCheckNames();
      const bool known = std::find(check_names.begin(), check_names.end(), name) != check_names.end() ||
                         name.rfind("counts.", 0) == 0;
      if (!known) {
        std::string names;
        for (std::string_view check : check_names) names += (names.empty() ? "" : ", ") + std::string(check);
        return Invalid(check_path, "unknown check " + Quoted(name) + Suggestion(name, check_names) +
                                       "; checks: " + names + ", counts.DEVICE.MODEL");
      }
      if (!expect.must_fail.insert(name).second) {
        return Invalid(check_path, "check " + Quoted(name) + " is listed twice");
      }
    }
    return Status::Ok();
  }

  // expect.counts: declared device -> known model -> row count.
  Status ParseExpectedCounts(const json& counts, const std::string& path) {
    ScenarioExpect& expect = scenario_.expect;
    if (!counts.is_object()) {
      return Invalid(path, "expected an object of device -> model -> count, got " + Describe(counts));
    }
    for (const auto& [device, models] : counts.items()) {
      if (device_names_.count(device) == 0) {
        return Invalid(path, "unknown device " + Quoted(device) + Suggestion(device, device_names_));
      }
      const std::string device_path = MemberPath(path, device);
      if (!models.is_object()) {
        return Invalid(device_path, "expected an object of model -> count, got " + Describe(models));
      }
      std::map<std::string, int64_t>& device_counts = expect.counts[device];
      for (const auto& [model, count] : models.items()) {
        bool known = false;
        for (std::string_view name : ModelNames()) known = known || name == model;
        if (!known) {
          std::string names;
          for (std::string_view name : ModelNames()) names += (names.empty() ? "" : ", ") + std::string(name);
          return Invalid(device_path, "unknown model " + Quoted(model) + Suggestion(model, ModelNames()) +
                                          "; models: " + names);
        }
        int64_t number = 0;
        SYNCSIM_LOADER_RETURN_IF_ERROR(ReadInteger(count, MemberPath(device_path, model), 0, kInt64Max, &number));
        device_counts[model] = number;
      }
    }
    return Status::Ok();
  }

  Status ParseExpect(const json& value, const std::string& path) {
    SYNCSIM_LOADER_RETURN_IF_ERROR(CheckObject(value, path, AcceptedExpectKeys(), {}));
    ScenarioExpect& expect = scenario_.expect;
    if (const json* converged = Find(value, "converged")) {
      bool flag = false;
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadBool(*converged, MemberPath(path, "converged"), &flag));
      expect.converged = flag;
    }
    if (const json* stall = Find(value, "stall")) {
      bool flag = false;
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadBool(*stall, MemberPath(path, "stall"), &flag));
      expect.stall = flag;
    }
    if (const json* linkage = Find(value, "linkage_min")) {
      double ratio = 0;
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadFraction(*linkage, MemberPath(path, "linkage_min"), &ratio));
      expect.linkage_min = ratio;
    }
    if (const json* orphans = Find(value, "orphans_max")) {
      int64_t count = 0;
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadInteger(*orphans, MemberPath(path, "orphans_max"), 0, kInt64Max, &count));
      expect.orphans_max = count;
    }
    if (const json* must_fail = Find(value, "must_fail")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ParseMustFail(*must_fail, MemberPath(path, "must_fail")));
    }
    if (const json* resyncs = Find(value, "resyncs_max")) {
      int64_t count = 0;
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadInteger(*resyncs, MemberPath(path, "resyncs_max"), 0, kInt64Max, &count));
      expect.resyncs_max = count;
    }
    if (const json* repaired = Find(value, "repaired_max")) {
      int64_t count = 0;
      SYNCSIM_LOADER_RETURN_IF_ERROR(ReadInteger(*repaired, MemberPath(path, "repaired_max"), 0, kInt64Max, &count));
      expect.repaired_max = count;
    }
    if (const json* within = Find(value, "converge_within_ms")) {
      int64_t bound_ms = 0;
      SYNCSIM_LOADER_RETURN_IF_ERROR(
          ReadInteger(*within, MemberPath(path, "converge_within_ms"), 1, kScenarioTimeMsMax, &bound_ms));
      expect.converge_within_ms = bound_ms;
    }
    if (const json* counts = Find(value, "counts")) {
      SYNCSIM_LOADER_RETURN_IF_ERROR(ParseExpectedCounts(*counts, MemberPath(path, "counts")));
    }
    return Status::Ok();
  }

  Scenario scenario_;
  std::set<std::string, std::less<>> device_names_;
  // The latest at_ms so far and the path of its step.
  std::optional<int64_t> last_at_ms_;
  std::string last_at_ms_path_;
  // (device, location) -> the path of the step that indexes it.
  std::map<std::pair<std::string, std::string>, std::string> indexing_step_of_location_;
  // phase -> the path of its first snapshot step's `phase`.
  std::map<std::string, std::string, std::less<>> first_path_of_phase_;
};

// ---- Overrides ----

// One part of a `--set` key: an object key or an array index.
struct KeyPart {
  std::string key;
  std::optional<size_t> index;
};

// Splits `key` ("steps[1].files") into parts. Returns false when it is not
// names joined by dots, each followed by zero or more [index].
bool SplitOverrideKey(std::string_view key, std::vector<KeyPart>* parts) {
  constexpr size_t kIndexDigitsMax = 9;
  size_t position = 0;
  while (true) {
    const size_t name_start = position;
    while (position < key.size() && IsNameCharacter(key[position])) ++position;
    if (position == name_start) return false;
    parts->push_back(KeyPart{std::string(key.substr(name_start, position - name_start)), std::nullopt});
    while (position < key.size() && key[position] == '[') {
      ++position;
      const size_t digits_start = position;
      size_t index = 0;
      while (position < key.size() && key[position] >= '0' && key[position] <= '9') {
        index = index * 10 + static_cast<size_t>(key[position] - '0');
        ++position;
      }
      const size_t digits = position - digits_start;
      if (digits == 0 || digits > kIndexDigitsMax || position >= key.size() || key[position] != ']') return false;
      ++position;
      parts->push_back(KeyPart{"", index});
    }
    if (position == key.size()) return true;
    if (key[position] != '.') return false;
    ++position;
  }
}

std::string KindOf(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::null:
      return "null";
    default:
      return "a number";
  }
}

bool IsValidUtf8(const std::string& text) {
  try {
    (void)json(text).dump();
  } catch (const json::type_error&) {
    return false;
  }
  return true;
}

}  // namespace

Status ApplyOverride(json* document, std::string_view assignment) {
  SYNCSIM_ASSERT(document != nullptr);
  const size_t equals = assignment.find('=');
  if (equals == std::string_view::npos) {
    return Status::InvalidArgument("--set " + std::string(assignment) + ": expected KEY=VALUE");
  }
  const std::string key(assignment.substr(0, equals));
  const std::string raw_value(assignment.substr(equals + 1));
  auto fail = [&key](const std::string& problem) { return Status::InvalidArgument("--set " + key + ": " + problem); };

  std::vector<KeyPart> parts;
  if (!SplitOverrideKey(key, &parts)) {
    return fail("expected a key such as sync.missing_dependency or steps[1].files");
  }
  if (!IsValidUtf8(raw_value)) return fail("the value is not valid UTF-8");
  if (!document->is_object()) return fail("the scenario is " + KindOf(*document) + ", not an object");

  // Walk to the parent of the target without changing anything.
  json* node = document;
  std::string walked;  // the path of `node`
  size_t part_index = 0;
  for (; part_index + 1 < parts.size(); ++part_index) {
    const KeyPart& part = parts[part_index];
    if (part.index.has_value()) {
      if (!node->is_array()) return fail(ShownPath(walked) + " is " + KindOf(*node) + ", not an array");
      if (*part.index >= node->size()) {
        return fail(ShownPath(walked) + " has " + std::to_string(node->size()) + " elements, so [" +
                    std::to_string(*part.index) + "] does not exist");
      }
      node = &(*node)[*part.index];
      walked = ElementPath(walked, *part.index);
      continue;
    }
    if (!node->is_object()) return fail(ShownPath(walked) + " is " + KindOf(*node) + ", not an object");
    auto it = node->find(part.key);
    if (it == node->end()) break;  // the rest is created below
    node = &*it;
    walked = MemberPath(walked, part.key);
  }

  // Parts from part_index on that do not exist yet are created as objects,
  // so they must all be keys.
  const bool creating = part_index + 1 < parts.size();
  if (creating) {
    for (size_t i = part_index; i < parts.size(); ++i) {
      if (parts[i].index.has_value()) {
        return fail(MemberPath(walked, parts[part_index].key) + " does not exist");
      }
    }
  }
  const KeyPart& last = parts.back();
  if (!creating) {
    if (last.index.has_value()) {
      if (!node->is_array()) return fail(ShownPath(walked) + " is " + KindOf(*node) + ", not an array");
      if (*last.index >= node->size()) {
        return fail(ShownPath(walked) + " has " + std::to_string(node->size()) + " elements, so [" +
                    std::to_string(*last.index) + "] does not exist");
      }
    } else if (!node->is_object()) {
      return fail(ShownPath(walked) + " is " + KindOf(*node) + ", not an object");
    }
  }
  json* target = nullptr;
  if (!creating) {
    if (last.index.has_value()) {
      target = &(*node)[*last.index];
    } else if (auto it = node->find(last.key); it != node->end()) {
      target = &*it;
    }
  }
  // The two lists that switch a negative scenario off can be emptied
  // (`--set sync.defects=[] --set expect.must_fail=[]`).
  if (target != nullptr && target->is_array() && raw_value == "[]" &&
      (key == "sync.defects" || key == "expect.must_fail")) {
    *target = json::array();
    return Status::Ok();
  }
  if (target != nullptr && target->is_structured()) {
    return fail(key + " is " + KindOf(*target) + "; only numbers, strings and booleans can be set");
  }

  // The value: a JSON scalar, else the raw text; a string target stays a
  // string and a bare null is the string "null".
  json value = json::parse(raw_value, nullptr, /*allow_exceptions=*/false);
  const bool keep_raw = value.is_discarded() || value.is_structured() || value.is_null() ||
                        (target != nullptr && target->is_string() && !value.is_string());
  if (keep_raw) value = raw_value;

  if (target != nullptr) {
    *target = std::move(value);
    return Status::Ok();
  }
  for (size_t i = part_index; i + 1 < parts.size(); ++i) {
    node = &((*node)[parts[i].key] = json::object());
  }
  (*node)[last.key] = std::move(value);
  return Status::Ok();
}

Status ParseScenario(const json& document, Scenario* scenario) {
  SYNCSIM_ASSERT(scenario != nullptr);
  ScenarioParser parser;
  Status status = parser.Parse(document, scenario);
  if (!status.ok()) return status;
  return CheckDevicePowerSteps(*scenario);
}

Status LoadScenarioFile(const std::string& path, const std::vector<std::string>& overrides,
                        std::optional<uint64_t> seed_override, Scenario* scenario, json* resolved, json* swarm) {
  SYNCSIM_ASSERT(scenario != nullptr);
  SYNCSIM_ASSERT(resolved != nullptr);
  std::string text;
  Status status = ReadFileText(path, &text);
  if (!status.ok()) return Prefixed(path, status);
  json document;
  status = ParseJsonText(text, &document);
  if (!status.ok()) return Prefixed(path, status);
  for (const std::string& assignment : overrides) {
    status = ApplyOverride(&document, assignment);
    if (!status.ok()) return Prefixed(path, status);
  }
  if (seed_override.has_value() && document.is_object()) document["seed"] = *seed_override;
  Scenario parsed;
  status = ParseScenario(document, &parsed);
  if (!status.ok()) return Prefixed(path, status);
  if (swarm != nullptr) {
    // The file is valid (checked above, so its errors name its own paths);
    // what the swarm draws into it must keep it valid.
    *swarm = ApplySwarm(parsed.seed, &document);
    status = ParseScenario(document, &parsed);
    if (!status.ok()) std::fprintf(stderr, "syncsim: the swarm drew an invalid scenario: %s\n", status.message().c_str());
    SYNCSIM_ASSERT(status.ok());
  }
  if (!document.contains("seed")) document["seed"] = parsed.seed;
  *scenario = std::move(parsed);
  *resolved = std::move(document);
  return Status::Ok();
}

}  // namespace syncsim::sim

#undef SYNCSIM_LOADER_RETURN_IF_ERROR
