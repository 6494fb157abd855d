#include "sim/base/strict_json.h"

#include <optional>
#include <set>
#include <vector>

#include "sim/base/assert.h"
#include "sim/base/json_readers.h"

namespace syncsim::sim {
namespace {

using core::Status;
using nlohmann::json;

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

}  // namespace

// Parses `text`. Fails (InvalidArgument) on a syntax error, naming the byte
// offset, line and column, or on a duplicate key, naming its path.
Status ParseStrictJson(const std::string& text, json* document) {
  SYNCSIM_ASSERT(document != nullptr);
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

}  // namespace syncsim::sim
