// The last-writer-wins oracle: whole-record and per-field merges.
#include <catch2/catch.hpp>

#include "sim/cluster/last_writer_wins_oracle.h"

namespace syncsim::sim {
namespace {

using Type = core::SharedChangeEntry::Type;

const core::Uuid kRecord = core::Uuid::FromRandomBits(1, 2);

core::SharedChangeEntry Write(std::string hlc, Type type, nlohmann::json data,
                              std::map<std::string, std::string> field_versions = {}) {
  core::SharedChangeEntry change;
  change.hlc = std::move(hlc);
  change.model = "tag";
  change.record_uuid = kRecord;
  change.type = type;
  change.data = std::move(data);
  change.field_versions = std::move(field_versions);
  return change;
}

std::optional<nlohmann::json> Expected(const LastWriterWinsOracle& oracle) {
  return oracle.Values().at("tag").at(kRecord.ToString());
}

TEST_CASE("whole-record oracle: the greatest HLC wins whole, in any order", "[oracle]") {
  const core::SharedChangeEntry older = Write("0002", Type::kInsert, {{"name", "a"}, {"color", "red"}});
  const core::SharedChangeEntry newer = Write("0003", Type::kUpdate, {{"name", "b"}, {"color", "red"}});
  LastWriterWinsOracle forward;
  forward.Observe(older);
  forward.Observe(newer);
  LastWriterWinsOracle backward;
  backward.Observe(newer);
  backward.Observe(older);
  CHECK(Expected(forward) == nlohmann::json({{"name", "b"}, {"color", "red"}}));
  CHECK(Expected(backward) == Expected(forward));
}

TEST_CASE("whole-record oracle: a newer write after a delete brings the record back", "[oracle]") {
  LastWriterWinsOracle oracle;
  oracle.Observe(Write("0001", Type::kInsert, {{"name", "a"}}));
  oracle.Observe(Write("0002", Type::kDelete, nlohmann::json::object()));
  CHECK_FALSE(Expected(oracle).has_value());
  oracle.Observe(Write("0003", Type::kUpdate, {{"name", "c"}}));
  CHECK(Expected(oracle) == nlohmann::json({{"name", "c"}}));
}

TEST_CASE("per-field oracle: concurrent edits of different fields both survive", "[oracle]") {
  LastWriterWinsOracle oracle;
  oracle.Observe(Write("0001", Type::kInsert, {{"name", "a"}, {"color", "red"}}, {{"name", "0001"}, {"color", "0001"}}));
  // Two devices edit from the same state: one the name, one the colour.
  oracle.Observe(Write("0003", Type::kUpdate, {{"name", "a"}, {"color", "blue"}}, {{"name", "0001"}, {"color", "0003"}}));
  oracle.Observe(Write("0002", Type::kUpdate, {{"name", "b"}, {"color", "red"}}, {{"name", "0002"}, {"color", "0001"}}));
  CHECK(Expected(oracle) == nlohmann::json({{"name", "b"}, {"color", "blue"}}));
}

TEST_CASE("per-field oracle: a delete is final, whatever its HLC", "[oracle]") {
  LastWriterWinsOracle oracle;
  oracle.Observe(Write("0001", Type::kInsert, {{"name", "a"}}, {{"name", "0001"}}));
  oracle.Observe(Write("0002", Type::kDelete, nlohmann::json::object()));
  oracle.Observe(Write("0003", Type::kUpdate, {{"name", "c"}}, {{"name", "0003"}}));
  CHECK_FALSE(Expected(oracle).has_value());
}

}  // namespace
}  // namespace syncsim::sim
