// Tests of core/model_registry.h: the ten default models, validation of
// custom registries, and the dependency order (targets before referrers,
// self references and optional cycles handled, deterministic ties).
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/model_registry.h"
#include "core/status.h"

namespace syncsim::core {
namespace {

// Position of each model in an order, for "comes before" checks.
std::map<std::string, size_t> PositionsOf(const std::vector<std::string>& order) {
  std::map<std::string, size_t> positions;
  for (size_t i = 0; i < order.size(); ++i) positions[order[i]] = i;
  return positions;
}

std::vector<std::string> NamesOf(const std::vector<ModelSpec>& models) {
  std::vector<std::string> names;
  for (const ModelSpec& model : models) names.push_back(model.name);
  return names;
}

ForeignKeySpec Fk(const std::string& stem, const std::string& target, bool required) {
  return ForeignKeySpec{stem + "_id", stem + "_uuid", target, required, false};
}

ModelSpec Shared(const std::string& name, std::vector<ForeignKeySpec> foreign_keys = {}) {
  ModelSpec model;
  model.name = name;
  model.ownership = Ownership::kShared;
  model.columns = {ColumnSpec{"value", ColumnType::kInteger, false}};
  model.foreign_keys = std::move(foreign_keys);
  return model;
}

// Builds, expecting failure, and checks the message mentions `expected`.
void ExpectRejected(std::vector<ModelSpec> models, const std::string& expected) {
  ModelRegistry registry;
  Status status = ModelRegistry::Build(std::move(models), &registry);
  INFO("status: " << status.message());
  CHECK_FALSE(status.ok());
  CHECK(status.code() == Status::Code::kInvalidArgument);
  CHECK(status.message().find(expected) != std::string::npos);
  CHECK(registry.models().empty());
}

TEST_CASE("core model registry: uuid references and the shared records that require a model", "[core][registry]") {
  const ModelRegistry& registry = ModelRegistry::Default();
  const ModelSpec* metadata = registry.Find("user_metadata");
  REQUIRE(metadata != nullptr);
  REQUIRE(metadata->FindUuidReference("entry_uuid") != nullptr);
  CHECK(metadata->FindUuidReference("entry_uuid")->target_model == "entry");
  REQUIRE(metadata->FindUuidReference("content_identity_uuid") != nullptr);
  CHECK(metadata->FindUuidReference("content_identity_uuid")->target_model == "content_identity");
  CHECK(metadata->FindUuidReference("notes") == nullptr);

  auto describe = [&](const std::string& target) {
    std::vector<std::string> described;
    for (const Requirement& requirement : registry.SharedRequirementsOn(target)) {
      described.push_back(requirement.model + "." + requirement.column + (requirement.by_uuid ? " by uuid" : ""));
    }
    return described;
  };
  // Declaration order: user_metadata comes before collection_entry.
  CHECK(describe("entry") == std::vector<std::string>{"user_metadata.entry_uuid by uuid", "collection_entry.entry_id"});
  CHECK(describe("user_metadata") == std::vector<std::string>{"user_metadata_tag.user_metadata_id"});
  CHECK(describe("content_identity") == std::vector<std::string>{"user_metadata.content_identity_uuid by uuid"});
  CHECK(describe("tag") ==
        std::vector<std::string>{"tag_relationship.parent_tag_id", "tag_relationship.child_tag_id", "user_metadata_tag.tag_id"});
  // Device-owned referrers (entry.location_id) are their owner's to delete.
  CHECK(describe("location").empty());
  CHECK(describe("no such model").empty());
}

TEST_CASE("core model registry: ten default models in declaration order", "[core][registry]") {
  const ModelRegistry& registry = ModelRegistry::Default();
  CHECK(NamesOf(registry.models()) ==
        std::vector<std::string>{"device", "location", "entry", "content_identity", "tag", "tag_relationship",
                                 "user_metadata", "user_metadata_tag", "collection", "collection_entry"});
  CHECK(&registry == &ModelRegistry::Default());
  CHECK(registry.Find("unknown") == nullptr);
  for (const ModelSpec& model : registry.models()) {
    CHECK(registry.Find(model.name) == &model);
  }
}

TEST_CASE("core model registry: default model declarations", "[core][registry]") {
  const ModelRegistry& registry = ModelRegistry::Default();

  const ModelSpec* location = registry.Find("location");
  REQUIRE(location != nullptr);
  CHECK(location->ownership == Ownership::kDeviceOwned);
  CHECK(location->owner_via == "device_id");
  CHECK(location->excluded_fields == std::vector<std::string>{"scan_state"});
  const ForeignKeySpec* root = location->FindForeignKey("entry_id");
  REQUIRE(root != nullptr);
  CHECK(root->wire_field == "entry_uuid");
  CHECK(root->target_model == "entry");
  CHECK_FALSE(root->required);
  const ColumnSpec* total_entries = location->FindColumn("total_entries");
  REQUIRE(total_entries != nullptr);
  CHECK(total_entries->type == ColumnType::kInteger);
  CHECK(total_entries->nullable);

  const ModelSpec* entry = registry.Find("entry");
  REQUIRE(entry != nullptr);
  CHECK(entry->ownership == Ownership::kDeviceOwned);
  CHECK(entry->owner_via == "location_id");
  CHECK(entry->excluded_fields == std::vector<std::string>{"indexed_at"});
  std::vector<std::string> entry_columns;
  for (const ColumnSpec& column : entry->columns) entry_columns.push_back(column.name);
  CHECK(entry_columns == std::vector<std::string>{"name", "extension", "kind", "size", "modified_at"});
  const ForeignKeySpec* parent = entry->FindForeignKey("parent_id");
  REQUIRE(parent != nullptr);
  CHECK(parent->wire_field == "parent_uuid");
  CHECK(parent->target_model == "entry");
  CHECK_FALSE(parent->required);
  CHECK(parent->null_only_for_root);
  const ForeignKeySpec* location_key = entry->FindForeignKey("location_id");
  REQUIRE(location_key != nullptr);
  CHECK(location_key->required);
  for (const char* optional_key : {"content_id", "metadata_id"}) {
    const ForeignKeySpec* key = entry->FindForeignKey(optional_key);
    REQUIRE(key != nullptr);
    CHECK_FALSE(key->required);
    CHECK_FALSE(key->null_only_for_root);
  }

  const ModelSpec* content = registry.Find("content_identity");
  REQUIRE(content != nullptr);
  CHECK(content->ownership == Ownership::kShared);
  CHECK(content->uuid_from_column == "content_hash");

  // Only location and entry are device-owned; every other model is shared
  // and has no owner.
  for (const ModelSpec& model : registry.models()) {
    const bool device_owned = model.name == "location" || model.name == "entry";
    CHECK((model.ownership == Ownership::kDeviceOwned) == device_owned);
    if (!device_owned) CHECK(model.owner_via.empty());
    // Every shared join model's FKs are required.
    if (!device_owned) {
      for (const ForeignKeySpec& key : model.foreign_keys) CHECK(key.required);
    }
  }

  CHECK(OwnershipName(Ownership::kDeviceOwned) == "device_owned");
  CHECK(OwnershipName(Ownership::kShared) == "shared");
  CHECK(ColumnTypeSqlName(ColumnType::kInteger) == "INTEGER");
  CHECK(ColumnTypeSqlName(ColumnType::kReal) == "REAL");
  CHECK(ColumnTypeSqlName(ColumnType::kText) == "TEXT");
}

TEST_CASE("core model registry: default dependency order", "[core][registry]") {
  const ModelRegistry& registry = ModelRegistry::Default();
  const std::vector<std::string> order = registry.DependencyOrder();
  CHECK(order == std::vector<std::string>{"device", "location", "content_identity", "tag", "tag_relationship",
                                          "user_metadata", "entry", "user_metadata_tag", "collection",
                                          "collection_entry"});

  std::map<std::string, size_t> position = PositionsOf(order);
  CHECK(position["device"] < position["location"]);
  CHECK(position["location"] < position["entry"]);
  CHECK(position["content_identity"] < position["entry"]);
  CHECK(position["user_metadata"] < position["entry"]);
  CHECK(position["tag"] < position["tag_relationship"]);
  CHECK(position["tag"] < position["user_metadata_tag"]);
  CHECK(position["user_metadata"] < position["user_metadata_tag"]);
  CHECK(position["collection"] < position["collection_entry"]);
  CHECK(position["entry"] < position["collection_entry"]);

  // Same on every call and for every registry built from the same specs.
  CHECK(registry.DependencyOrder() == order);
  ModelRegistry rebuilt;
  REQUIRE(ModelRegistry::Build(DefaultModelSpecs(), &rebuilt).ok());
  CHECK(rebuilt.DependencyOrder() == order);
}

TEST_CASE("core model registry: default ignored dependencies", "[core][registry]") {
  const std::vector<IgnoredDependency>& ignored = ModelRegistry::Default().ignored_dependencies();
  REQUIRE(ignored.size() == 2);
  CHECK(ignored[0].model == "location");
  CHECK(ignored[0].column == "entry_id");
  CHECK(ignored[0].target_model == "entry");
  CHECK(ignored[0].reason == IgnoredDependency::Reason::kClosesCycle);
  CHECK(ignored[1].model == "entry");
  CHECK(ignored[1].column == "parent_id");
  CHECK(ignored[1].target_model == "entry");
  CHECK(ignored[1].reason == IgnoredDependency::Reason::kSelfReference);
}

TEST_CASE("core model registry: optional cycles are broken deterministically", "[core][registry]") {
  SECTION("two optional FKs: the first declared is honoured") {
    ModelRegistry registry;
    REQUIRE(ModelRegistry::Build({Shared("a", {Fk("b", "b", false)}), Shared("b", {Fk("a", "a", false)})}, &registry)
                .ok());
    CHECK(registry.DependencyOrder() == std::vector<std::string>{"b", "a"});
    REQUIRE(registry.ignored_dependencies().size() == 1);
    CHECK(registry.ignored_dependencies()[0].model == "b");
    CHECK(registry.ignored_dependencies()[0].column == "a_id");
    CHECK(registry.ignored_dependencies()[0].reason == IgnoredDependency::Reason::kClosesCycle);
  }
  SECTION("an optional FK never overrides a required one declared later") {
    ModelRegistry registry;
    REQUIRE(ModelRegistry::Build({Shared("a", {Fk("b", "b", false)}), Shared("b", {Fk("a", "a", true)})}, &registry)
                .ok());
    CHECK(registry.DependencyOrder() == std::vector<std::string>{"a", "b"});
    REQUIRE(registry.ignored_dependencies().size() == 1);
    CHECK(registry.ignored_dependencies()[0].model == "a");
  }
  SECTION("a longer cycle closed by one optional FK") {
    ModelRegistry registry;
    REQUIRE(ModelRegistry::Build({Shared("a", {Fk("c", "c", false)}), Shared("b", {Fk("a", "a", true)}),
                                  Shared("c", {Fk("b", "b", true)})},
                                 &registry)
                .ok());
    CHECK(registry.DependencyOrder() == std::vector<std::string>{"a", "b", "c"});
    REQUIRE(registry.ignored_dependencies().size() == 1);
    CHECK(registry.ignored_dependencies()[0].column == "c_id");
  }
  SECTION("independent models keep declaration order") {
    ModelRegistry registry;
    REQUIRE(ModelRegistry::Build({Shared("z"), Shared("y", {Fk("z", "z", true)}), Shared("x")}, &registry).ok());
    CHECK(registry.DependencyOrder() == std::vector<std::string>{"z", "y", "x"});
    CHECK(registry.ignored_dependencies().empty());
  }
}

TEST_CASE("core model registry: self references are ignored for ordering", "[core][registry]") {
  ModelRegistry registry;
  REQUIRE(ModelRegistry::Build({Shared("node", {Fk("parent", "node", true), Fk("other", "node", false)})}, &registry)
              .ok());
  CHECK(registry.DependencyOrder() == std::vector<std::string>{"node"});
  REQUIRE(registry.ignored_dependencies().size() == 2);
  CHECK(registry.ignored_dependencies()[0].reason == IgnoredDependency::Reason::kSelfReference);
  CHECK(registry.ignored_dependencies()[1].reason == IgnoredDependency::Reason::kSelfReference);
}

TEST_CASE("core model registry: invalid registries are rejected", "[core][registry]") {
  SECTION("required cycle") {
    ExpectRejected({Shared("a", {Fk("b", "b", true)}), Shared("b", {Fk("a", "a", true)})},
                   "required foreign keys form a cycle");
    ExpectRejected({Shared("a", {Fk("c", "c", true)}), Shared("b", {Fk("a", "a", true)}),
                    Shared("c", {Fk("b", "b", true)}), Shared("d", {Fk("a", "a", true)})},
                   "a.c_id -> c, c.b_id -> b, b.a_id -> a");
  }
  SECTION("unknown target model") { ExpectRejected({Shared("a", {Fk("b", "b", true)})}, "unknown model 'b'"); }
  SECTION("duplicate and empty model names") {
    ExpectRejected({Shared("a"), Shared("a")}, "duplicate model name 'a'");
    ExpectRejected({Shared("")}, "empty name");
  }
  SECTION("duplicate field names") {
    ModelSpec model = Shared("a");
    model.columns.push_back(ColumnSpec{"value", ColumnType::kText, true});
    ExpectRejected({model}, "duplicate field name 'value'");

    model = Shared("a");
    model.columns.push_back(ColumnSpec{"uuid", ColumnType::kText, false});
    ExpectRejected({model}, "duplicate field name 'uuid'");

    model = Shared("a");
    model.excluded_fields = {"id"};
    ExpectRejected({model}, "duplicate field name 'id'");

    model = Shared("a");
    model.excluded_fields = {"value"};
    ExpectRejected({model}, "duplicate field name 'value'");

    model = Shared("a", {Fk("b", "b", true)});
    model.columns.push_back(ColumnSpec{"b_uuid", ColumnType::kText, false});
    ExpectRejected({Shared("b"), model}, "duplicate field name 'b_uuid'");

    model = Shared("a");
    model.columns.push_back(ColumnSpec{"", ColumnType::kText, false});
    ExpectRejected({model}, "empty column name");
  }
  SECTION("null_only_for_root on a required FK") {
    ModelSpec model = Shared("a", {Fk("parent", "a", true)});
    model.foreign_keys[0].null_only_for_root = true;
    ExpectRejected({model}, "null_only_for_root");
  }
  SECTION("owner_via") {
    ModelSpec shared = Shared("a", {Fk("b", "b", true)});
    shared.owner_via = "b_id";
    ExpectRejected({Shared("b"), shared}, "shared model has owner_via");

    ModelSpec owned = Shared("a", {Fk("b", "b", false)});
    owned.ownership = Ownership::kDeviceOwned;
    owned.owner_via = "b_id";  // optional: the owner could be unknown
    ExpectRejected({Shared("b"), owned}, "owner_via");

    owned.owner_via = "";
    ExpectRejected({Shared("b"), owned}, "owner_via");

    owned.foreign_keys = {Fk("parent", "a", true)};
    owned.owner_via = "parent_id";  // a self reference never reaches a device
    ExpectRejected({owned}, "owner_via");
  }
  SECTION("uuid_from_column") {
    ModelSpec model = Shared("a");
    model.uuid_from_column = "missing";
    ExpectRejected({model}, "uuid_from_column");
    model.columns.push_back(ColumnSpec{"hash", ColumnType::kText, true});
    model.uuid_from_column = "hash";  // nullable: some records would have no uuid
    ExpectRejected({model}, "uuid_from_column");
  }
  SECTION("uuid references") {
    ModelSpec model = Shared("a");
    model.uuid_references = {{"missing", "b"}};
    ExpectRejected({Shared("b"), model}, "uuid reference 'missing' is not a TEXT data column");
    model.uuid_references = {{"value", "b"}};  // an INTEGER column cannot hold a uuid
    ExpectRejected({Shared("b"), model}, "uuid reference 'value' is not a TEXT data column");
    model.columns.push_back(ColumnSpec{"b_uuid", ColumnType::kText, true});
    model.uuid_references = {{"b_uuid", "nowhere"}};
    ExpectRejected({Shared("b"), model}, "targets unknown model 'nowhere'");
  }
  SECTION("a failed build leaves the registry unchanged") {
    ModelRegistry registry;
    REQUIRE(ModelRegistry::Build({Shared("keep")}, &registry).ok());
    CHECK_FALSE(ModelRegistry::Build({Shared("a"), Shared("a")}, &registry).ok());
    CHECK(NamesOf(registry.models()) == std::vector<std::string>{"keep"});
    CHECK(registry.DependencyOrder() == std::vector<std::string>{"keep"});
  }
}

// All models reachable from `from` following "target before referrer"
// edges of every non-self FK: an independent reference implementation for
// the property below.
std::set<size_t> ReachableFrom(const std::vector<std::vector<size_t>>& successors, size_t from) {
  std::set<size_t> seen;
  std::vector<size_t> stack = {from};
  while (!stack.empty()) {
    size_t node = stack.back();
    stack.pop_back();
    for (size_t next : successors[node]) {
      if (seen.insert(next).second) stack.push_back(next);
    }
  }
  return seen;
}

TEST_CASE("core model registry: dependency order of random registries", "[core][registry]") {
  rc::prop("targets precede referrers except self references and optional FKs on cycles", [] {
    const size_t count = *rc::gen::inRange<size_t>(1, 11);
    // A hidden rank per model: required FKs only point to a lower rank, so
    // they form no cycle; optional FKs point anywhere, making cycles and
    // self references.
    std::vector<int> rank;
    for (size_t i = 0; i < count; ++i) rank.push_back(*rc::gen::inRange(0, 20));

    std::vector<ModelSpec> models;
    for (size_t i = 0; i < count; ++i) models.push_back(Shared("m" + std::to_string(i)));
    for (size_t i = 0; i < count; ++i) {
      const int fk_count = *rc::gen::inRange(0, 4);
      for (int k = 0; k < fk_count; ++k) {
        const size_t target = *rc::gen::inRange<size_t>(0, count);
        const bool required = rank[target] < rank[i] && *rc::gen::arbitrary<bool>();
        models[i].foreign_keys.push_back(Fk("fk" + std::to_string(k), models[target].name, required));
      }
    }

    ModelRegistry registry;
    const Status status = ModelRegistry::Build(models, &registry);
    RC_ASSERT(status.ok());
    const std::vector<std::string> order = registry.DependencyOrder();

    // A permutation of all models.
    std::vector<std::string> sorted_order = order;
    std::sort(sorted_order.begin(), sorted_order.end());
    std::vector<std::string> sorted_names = NamesOf(models);
    std::sort(sorted_names.begin(), sorted_names.end());
    RC_ASSERT(sorted_order == sorted_names);

    std::map<std::string, size_t> index_by_name;
    for (size_t i = 0; i < count; ++i) index_by_name[models[i].name] = i;
    std::vector<size_t> position(count);
    for (size_t i = 0; i < count; ++i) position[index_by_name[order[i]]] = i;

    // Edges target -> referrer over every non-self FK, to know which FKs
    // lie on a cycle.
    std::vector<std::vector<size_t>> successors(count);
    for (size_t i = 0; i < count; ++i) {
      for (const ForeignKeySpec& key : models[i].foreign_keys) {
        const size_t target = index_by_name[key.target_model];
        if (target != i) successors[target].push_back(i);
      }
    }

    std::set<std::pair<std::string, std::string>> ignored;
    for (const IgnoredDependency& dependency : registry.ignored_dependencies()) {
      ignored.insert({dependency.model, dependency.column});
    }
    // Honoured "must come before" edges: every FK that was not ignored.
    std::set<std::pair<size_t, size_t>> honoured;
    for (size_t i = 0; i < count; ++i) {
      for (const ForeignKeySpec& key : models[i].foreign_keys) {
        const size_t target = index_by_name[key.target_model];
        const bool was_ignored = ignored.count({models[i].name, key.column}) > 0;
        const bool on_cycle = target != i && ReachableFrom(successors, i).count(target) > 0;
        if (target == i) {
          RC_ASSERT(was_ignored);
        } else if (key.required || !on_cycle) {
          RC_ASSERT(!was_ignored);
          RC_ASSERT(position[target] < position[i]);
        } else if (!was_ignored) {
          RC_ASSERT(position[target] < position[i]);
        }
        if (!was_ignored) honoured.insert({target, i});
      }
    }

    // Ties go to the earlier declaration: when a model is followed by one
    // declared before it, the later one must have been waiting on it.
    for (size_t step = 0; step + 1 < count; ++step) {
      const size_t current = index_by_name[order[step]];
      const size_t next = index_by_name[order[step + 1]];
      if (next < current) RC_ASSERT(honoured.count({current, next}) > 0);
    }

    // Deterministic: building again gives the same order.
    ModelRegistry again;
    RC_ASSERT(ModelRegistry::Build(models, &again).ok());
    RC_ASSERT(again.DependencyOrder() == order);
  });
}

}  // namespace
}  // namespace syncsim::core
