// Tests for sim/base/strict_json.h: the document it builds equals
// nlohmann's own parse, duplicate keys and excess nesting are refused with
// their paths, and syntax errors keep nlohmann's position.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim/base/strict_json.h"

namespace {

using nlohmann::json;
using syncsim::core::Status;
using syncsim::sim::kStrictJsonDepthMax;
using syncsim::sim::ParseStrictJson;

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream input(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>()};
}

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("StrictJson: every scenario file parses to what nlohmann's parser gives", "[strict_json]") {
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(SYNCSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  REQUIRE(files.size() >= 20);
  for (const std::filesystem::path& file : files) {
    const std::string text = ReadText(file);
    json strict;
    const Status status = ParseStrictJson(text, &strict);
    INFO("file: " << file.string() << " " << status.message());
    REQUIRE(status.ok());
    CHECK(strict == json::parse(text));
    // Same member order, same numbers: the dump is byte for byte the same.
    CHECK(strict.dump() == json::parse(text).dump());
  }
}

TEST_CASE("StrictJson: a long array of objects keeps every element in order", "[strict_json]") {
  // 80,000 objects: the callback parser this replaced took seconds here.
  json steps = json::array();
  for (int i = 0; i < 80'000; ++i) steps.push_back({{"action", "heal"}, {"at_ms", i}});
  const json document = {{"name", "x"}, {"steps", steps}};
  json parsed;
  REQUIRE(ParseStrictJson(document.dump(), &parsed).ok());
  CHECK(parsed == document);
}

TEST_CASE("StrictJson: duplicate keys are refused naming the object they are in", "[strict_json]") {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"a": 1, "a": 2})", "(root): duplicate key \"a\""},
      {R"({"steps": [{"x": 1}, {"y": 1, "y": 2}]})", "steps[1]: duplicate key \"y\""},
      {R"({"n": {"l": {"min": 1, "min": 2}}})", "n.l: duplicate key \"min\""},
      {R"({"g": [[{"k": 1}], [{"k": 1, "k": 1}]]})", "g[1][0]: duplicate key \"k\""},
      // The first duplicate is the one reported.
      {R"({"a": {"b": 1, "b": 2}, "a": 3})", "a: duplicate key \"b\""},
  };
  for (const Case& test_case : cases) {
    json parsed = "untouched";
    const Status status = ParseStrictJson(test_case.text, &parsed);
    INFO(test_case.text << " -> " << status.message());
    CHECK(status.code() == Status::Code::kInvalidArgument);
    CHECK(status.message() == test_case.message);
    CHECK(parsed == "untouched");
  }
  json parsed;
  CHECK(ParseStrictJson(R"({"a": {"k": 1}, "b": {"k": 1}})", &parsed).ok());  // one key per object
}

TEST_CASE("StrictJson: nesting up to the bound parses, one level more is refused", "[strict_json]") {
  json parsed;
  CHECK(ParseStrictJson(Nested(kStrictJsonDepthMax), &parsed).ok());
  const Status too_deep = ParseStrictJson(R"({"d": )" + Nested(kStrictJsonDepthMax) + "}", &parsed);
  CHECK(too_deep.message() == "d: holds values nested deeper than 100 levels");
  // A million brackets: refused, no stack overflow.
  const Status huge = ParseStrictJson(Nested(1'000'000), &parsed);
  CHECK(huge.message() == "[0]: holds values nested deeper than 100 levels");
}

TEST_CASE("StrictJson: syntax errors and huge numbers keep nlohmann's wording", "[strict_json]") {
  json parsed;
  const Status syntax = ParseStrictJson("{\"a\": 1,\n  }", &parsed);
  CHECK(syntax.message().rfind("invalid JSON (byte 12): parse error at line 2, column 3: syntax error", 0) == 0);
  CHECK(ParseStrictJson(R"({"a": 1e999})", &parsed).message().rfind("invalid JSON", 0) == 0);
  CHECK(ParseStrictJson("{} x", &parsed).message().rfind("invalid JSON (byte", 0) == 0);
  CHECK(ParseStrictJson("{\"a\": 1} // comment", &parsed).message().rfind("invalid JSON (byte", 0) == 0);
}
