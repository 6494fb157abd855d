#include "sim/base/strict_json.h"

#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "sim/base/assert.h"
#include "sim/base/json_readers.h"

namespace syncsim::sim {
namespace {

using core::Status;
using nlohmann::json;

// Builds the document from nlohmann's SAX events, recording the first
// duplicate object key with its path, and refusing nesting beyond
// kStrictJsonDepthMax.
//
// Why not json::parse with a callback: nlohmann's callback parser scans the
// enclosing container for discarded values at the end of every object, so
// an array of n objects costs n^2 (80,000 steps took 16 s to be refused).
// Every event here is O(1) amortised, apart from the key set's O(log k).
class StrictBuilder {
 public:
  explicit StrictBuilder(json* root) : root_(root) {}

  bool null() { return Add(json(nullptr)); }
  bool boolean(bool value) { return Add(json(value)); }
  bool number_integer(json::number_integer_t value) { return Add(json(value)); }
  bool number_unsigned(json::number_unsigned_t value) { return Add(json(value)); }
  bool number_float(json::number_float_t value, const std::string& /*text*/) { return Add(json(value)); }
  bool string(json::string_t& value) { return Add(json(std::move(value))); }
  bool binary(json::binary_t& value) { return Add(json::binary(std::move(value))); }

  bool start_object(size_t /*elements*/) { return Open(json::object(), /*is_object=*/true); }
  bool start_array(size_t /*elements*/) { return Open(json::array(), /*is_object=*/false); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }

  bool key(json::string_t& key) {
    Frame& frame = frames_.back();
    if (!frame.keys.insert(key).second && !problem_.has_value()) {
      problem_ = ShownPath(PathOf(frames_.size())) + ": duplicate key " + Quoted(key);
    }
    frame.key = std::move(key);
    return true;
  }

  // A syntax error, or a number out of range: thrown as nlohmann's own
  // exception, so the caller words it the same way for both.
  template <class Exception>
  bool parse_error(size_t /*position*/, const std::string& /*last_token*/, const Exception& error) {
    throw error;
  }

  // The first duplicate key or excess depth, as an error message, if any.
  const std::optional<std::string>& problem() const { return problem_; }

 private:
  struct Frame {
    json* container = nullptr;
    bool is_object = false;
    std::set<std::string> keys;  // objects: keys seen so far
    std::string key;             // objects: the key of the member being parsed
    size_t index = 0;            // arrays: the index of the element being parsed
  };

  // Places `value` where the parser is and returns where it went. The
  // containers below it on the stack are not touched until it closes, so
  // the pointers the stack holds stay valid.
  json* Place(json value) {
    if (frames_.empty()) {
      *root_ = std::move(value);
      return root_;
    }
    Frame& frame = frames_.back();
    if (frame.is_object) {
      json& slot = (*frame.container)[frame.key];
      slot = std::move(value);
      return &slot;
    }
    frame.container->push_back(std::move(value));
    ++frame.index;
    return &frame.container->back();
  }

  bool Add(json value) {
    Place(std::move(value));
    return true;
  }

  bool Open(json empty, bool is_object) {
    if (frames_.size() >= kStrictJsonDepthMax) {
      if (!problem_.has_value()) {
        // The root's member it is in: the full path would be the length of
        // the nesting itself.
        problem_ = ShownPath(PathOf(2)) + ": holds values nested deeper than " +
                   std::to_string(kStrictJsonDepthMax) + " levels";
      }
      return false;  // stops the parser; the problem is reported
    }
    json* container = Place(std::move(empty));
    frames_.push_back(Frame{container, is_object, {}, {}, 0});
    return true;
  }

  bool Close() {
    frames_.pop_back();
    return true;
  }

  // The path of the open container at `depth` (1: the root), from the
  // member key or element index each container below it is at.
  // REQUIRES: 1 <= depth <= frames_.size().
  std::string PathOf(size_t depth) const {
    std::string path;
    for (size_t i = 0; i + 1 < depth; ++i) {
      const Frame& frame = frames_[i];
      path = frame.is_object ? MemberPath(path, frame.key) : ElementPath(path, frame.index - 1);
    }
    return path;
  }

  json* root_;
  std::vector<Frame> frames_;
  std::optional<std::string> problem_;
};

// nlohmann's exception text without its "[json.exception.parse_error.101] " tag.
std::string ReasonOf(const json::exception& error) {
  std::string reason = error.what();
  const size_t tag_end = reason.find("] ");
  if (tag_end != std::string::npos) reason = reason.substr(tag_end + 2);
  return reason;
}

}  // namespace

Status ParseStrictJson(const std::string& text, json* document) {
  SYNCSIM_ASSERT(document != nullptr);
  json parsed;
  StrictBuilder builder(&parsed);
  try {
    json::sax_parse(text, &builder, json::input_format_t::json, /*strict=*/true, /*ignore_comments=*/false);
  } catch (const json::parse_error& error) {
    // "parse error at line 3, column 5: syntax error while parsing ...".
    return Status::InvalidArgument("invalid JSON (byte " + std::to_string(error.byte) + "): " + ReasonOf(error));
  } catch (const json::exception& error) {
    // Numbers too large for a double ("1e999") are out_of_range errors.
    return Status::InvalidArgument("invalid JSON: " + ReasonOf(error));
  }
  if (builder.problem().has_value()) return Status::InvalidArgument(*builder.problem());
  *document = std::move(parsed);
  return Status::Ok();
}

}  // namespace syncsim::sim
