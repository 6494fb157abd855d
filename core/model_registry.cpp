#include "core/model_registry.h"

#include <cassert>
#include <set>
#include <utility>

namespace syncsim::core {
namespace {

ColumnSpec Column(std::string name, ColumnType type, bool nullable = false) {
  return ColumnSpec{std::move(name), type, nullable};
}

// The wire field is always the local column with "_id" replaced by "_uuid".
ForeignKeySpec ForeignKey(const std::string& column, std::string target_model, bool required) {
  assert(column.size() > 3 && column.compare(column.size() - 3, 3, "_id") == 0);
  return ForeignKeySpec{column, column.substr(0, column.size() - 3) + "_uuid", std::move(target_model), required,
                        /*null_only_for_root=*/false};
}

// A tree's parent link: optional, and NULL only for the tree's root.
ForeignKeySpec RootedParentKey(const std::string& column, std::string target_model) {
  ForeignKeySpec key = ForeignKey(column, std::move(target_model), /*required=*/false);
  key.null_only_for_root = true;
  return key;
}

// Adjacency of "must come before" between models, by declaration index.
// Small (ten models), so a dense matrix keeps the code obvious.
using BeforeGraph = std::vector<std::vector<bool>>;

// True when `to` can be reached from `from` following edges of `graph`.
bool Reaches(const BeforeGraph& graph, size_t from, size_t to) {
  std::vector<bool> seen(graph.size(), false);
  std::vector<size_t> stack = {from};
  seen[from] = true;
  while (!stack.empty()) {
    size_t node = stack.back();
    stack.pop_back();
    if (node == to) return true;
    for (size_t next = 0; next < graph.size(); ++next) {
      if (graph[node][next] && !seen[next]) {
        seen[next] = true;
        stack.push_back(next);
      }
    }
  }
  return false;
}

// Kahn's algorithm, always taking the earliest-declared ready model so that
// the order depends only on the declarations. Returns fewer than all models
// when the graph has a cycle.
std::vector<size_t> TopologicalOrder(const BeforeGraph& graph) {
  const size_t count = graph.size();
  std::vector<size_t> incoming(count, 0);
  for (size_t from = 0; from < count; ++from) {
    for (size_t to = 0; to < count; ++to) {
      if (graph[from][to]) ++incoming[to];
    }
  }
  std::vector<bool> emitted(count, false);
  std::vector<size_t> order;
  order.reserve(count);
  while (order.size() < count) {
    size_t next = count;
    for (size_t candidate = 0; candidate < count; ++candidate) {
      if (!emitted[candidate] && incoming[candidate] == 0) {
        next = candidate;
        break;
      }
    }
    if (next == count) break;  // Every remaining model waits on another: a cycle.
    emitted[next] = true;
    order.push_back(next);
    for (size_t to = 0; to < count; ++to) {
      if (graph[next][to]) --incoming[to];
    }
  }
  return order;
}

// Describes one cycle among the models Kahn's algorithm could not emit, as
// "a.x -> b, b.y -> a", so that the error says which FKs to make optional.
// REQUIRES: `stuck` non-empty, every stuck model has a required FK to another
// stuck model (true of what TopologicalOrder leaves behind).
std::string DescribeRequiredCycle(const std::vector<ModelSpec>& models,
                                  const std::map<std::string, size_t, std::less<>>& index_by_name,
                                  const std::vector<bool>& stuck) {
  // Follow required FKs from the first stuck model, staying among stuck
  // models, until a model repeats: the repeated stretch is a cycle.
  size_t start = 0;
  while (!stuck[start]) ++start;
  std::vector<size_t> path;
  std::vector<const ForeignKeySpec*> via;
  std::vector<int> position(models.size(), -1);
  size_t current = start;
  while (position[current] < 0) {
    position[current] = static_cast<int>(path.size());
    path.push_back(current);
    const ForeignKeySpec* chosen = nullptr;
    size_t target = models.size();
    for (const ForeignKeySpec& foreign_key : models[current].foreign_keys) {
      if (!foreign_key.required) continue;
      size_t candidate = index_by_name.find(foreign_key.target_model)->second;
      if (candidate != current && stuck[candidate]) {
        chosen = &foreign_key;
        target = candidate;
        break;
      }
    }
    assert(chosen != nullptr);
    via.push_back(chosen);
    current = target;
  }
  std::string description;
  for (size_t step = static_cast<size_t>(position[current]); step < path.size(); ++step) {
    if (!description.empty()) description += ", ";
    description += models[path[step]].name + "." + via[step]->column + " -> " + via[step]->target_model;
  }
  return description;
}

Status ValidateModel(const ModelSpec& model, const std::map<std::string, size_t, std::less<>>& index_by_name) {
  const std::string prefix = "model '" + model.name + "': ";
  // One name space per model: everything that becomes a table column or a
  // field of the wire object.
  std::set<std::string, std::less<>> names = {"id", "uuid"};
  auto claim = [&](const std::string& name, const char* what) -> Status {
    if (name.empty()) return Status::InvalidArgument(prefix + "empty " + what + " name");
    if (!names.insert(name).second) {
      return Status::InvalidArgument(prefix + "duplicate field name '" + name + "' (" + what + ")");
    }
    return Status::Ok();
  };

  for (const ColumnSpec& column : model.columns) {
    if (Status status = claim(column.name, "column"); !status.ok()) return status;
  }
  for (const ForeignKeySpec& foreign_key : model.foreign_keys) {
    if (Status status = claim(foreign_key.column, "foreign key column"); !status.ok()) return status;
    if (Status status = claim(foreign_key.wire_field, "wire field"); !status.ok()) return status;
    if (index_by_name.find(foreign_key.target_model) == index_by_name.end()) {
      return Status::InvalidArgument(prefix + "foreign key '" + foreign_key.column + "' targets unknown model '" +
                                     foreign_key.target_model + "'");
    }
    if (foreign_key.required && foreign_key.null_only_for_root) {
      return Status::InvalidArgument(prefix + "foreign key '" + foreign_key.column +
                                     "' is required but marked null_only_for_root");
    }
  }
  for (const std::string& field : model.excluded_fields) {
    if (Status status = claim(field, "excluded field"); !status.ok()) return status;
  }

  if (model.ownership == Ownership::kShared) {
    if (!model.owner_via.empty()) {
      return Status::InvalidArgument(prefix + "shared model has owner_via '" + model.owner_via + "'");
    }
  } else {
    const ForeignKeySpec* owner_key = model.FindForeignKey(model.owner_via);
    // Required and not a self reference, so following owner_via always ends:
    // required FKs between models form no cycle (checked by Build).
    if (owner_key == nullptr || !owner_key->required || owner_key->target_model == model.name) {
      return Status::InvalidArgument(prefix + "device-owned model needs owner_via naming one of its required "
                                              "foreign keys to another model, got '" +
                                     model.owner_via + "'");
    }
  }

  for (const UuidReferenceSpec& reference : model.uuid_references) {
    const ColumnSpec* column = model.FindColumn(reference.column);
    if (column == nullptr || column->type != ColumnType::kText) {
      return Status::InvalidArgument(prefix + "uuid reference '" + reference.column + "' is not a TEXT data column");
    }
    if (index_by_name.find(reference.target_model) == index_by_name.end()) {
      return Status::InvalidArgument(prefix + "uuid reference '" + reference.column + "' targets unknown model '" +
                                     reference.target_model + "'");
    }
  }

  if (!model.uuid_from_column.empty()) {
    const ColumnSpec* source = model.FindColumn(model.uuid_from_column);
    if (source == nullptr || source->nullable) {
      return Status::InvalidArgument(prefix + "uuid_from_column '" + model.uuid_from_column +
                                     "' is not a non-nullable data column");
    }
  }
  return Status::Ok();
}

using NameIndex = std::map<std::string, size_t, std::less<>>;

// Indexes the models by name: each name once, each model valid on its own.
Status IndexModels(const std::vector<ModelSpec>& models, NameIndex* index_by_name) {
  for (size_t i = 0; i < models.size(); ++i) {
    if (models[i].name.empty()) return Status::InvalidArgument("model with an empty name");
    if (!index_by_name->emplace(models[i].name, i).second) {
      return Status::InvalidArgument("duplicate model name '" + models[i].name + "'");
    }
  }
  for (const ModelSpec& model : models) {
    if (Status status = ValidateModel(model, *index_by_name); !status.ok()) return status;
  }
  return Status::Ok();
}

// Edges run from an FK's target to the model referring to it. Required FKs
// first: they must all be honoured, so they must not form a cycle.
Status AddRequiredEdges(const std::vector<ModelSpec>& models, const NameIndex& index_by_name, BeforeGraph* before) {
  const size_t count = models.size();
  for (size_t referrer = 0; referrer < count; ++referrer) {
    for (const ForeignKeySpec& foreign_key : models[referrer].foreign_keys) {
      size_t target = index_by_name.find(foreign_key.target_model)->second;
      if (foreign_key.required && target != referrer) (*before)[target][referrer] = true;
    }
  }
  if (std::vector<size_t> order = TopologicalOrder(*before); order.size() < count) {
    std::vector<bool> stuck(count, true);
    for (size_t emitted : order) stuck[emitted] = false;
    return Status::InvalidArgument("required foreign keys form a cycle: " +
                                   DescribeRequiredCycle(models, index_by_name, stuck));
  }
  return Status::Ok();
}

// Then optional FKs, in declaration order, each honoured unless it would
// close a cycle with what is already honoured. Greedy rather than "drop
// every optional FK inside a cycle": it keeps as many targets ahead of
// their referrers as it can, so fewer records arrive before their optional
// targets and need repair. Returns the FKs left out (self-references too).
std::vector<IgnoredDependency> AddOptionalEdges(const std::vector<ModelSpec>& models, const NameIndex& index_by_name,
                                                BeforeGraph* before) {
  std::vector<IgnoredDependency> ignored;
  for (size_t referrer = 0; referrer < models.size(); ++referrer) {
    for (const ForeignKeySpec& foreign_key : models[referrer].foreign_keys) {
      size_t target = index_by_name.find(foreign_key.target_model)->second;
      if (target == referrer) {
        ignored.push_back(IgnoredDependency{models[referrer].name, foreign_key.column, foreign_key.target_model,
                                            IgnoredDependency::Reason::kSelfReference});
      } else if (!foreign_key.required) {
        if (Reaches(*before, referrer, target)) {
          ignored.push_back(IgnoredDependency{models[referrer].name, foreign_key.column, foreign_key.target_model,
                                              IgnoredDependency::Reason::kClosesCycle});
        } else {
          (*before)[target][referrer] = true;
        }
      }
    }
  }
  return ignored;
}

// For each model, the shared records that require one of its records:
// through a required foreign key or a uuid reference (what a delete takes).
std::map<std::string, std::vector<Requirement>, std::less<>> SharedRequirements(const std::vector<ModelSpec>& models) {
  std::map<std::string, std::vector<Requirement>, std::less<>> requirements;
  for (const ModelSpec& model : models) {
    if (model.ownership != Ownership::kShared) continue;
    for (const ForeignKeySpec& key : model.foreign_keys) {
      if (key.required) requirements[key.target_model].push_back({model.name, key.column, false});
    }
    for (const UuidReferenceSpec& reference : model.uuid_references) {
      requirements[reference.target_model].push_back({model.name, reference.column, true});
    }
  }
  return requirements;
}

}  // namespace

std::string_view OwnershipName(Ownership ownership) {
  switch (ownership) {
    case Ownership::kDeviceOwned:
      return "device_owned";
    case Ownership::kShared:
      return "shared";
  }
  assert(false && "unknown Ownership");
  return "";
}

std::string_view ColumnTypeSqlName(ColumnType type) {
  switch (type) {
    case ColumnType::kInteger:
      return "INTEGER";
    case ColumnType::kReal:
      return "REAL";
    case ColumnType::kText:
      return "TEXT";
  }
  assert(false && "unknown ColumnType");
  return "";
}

const ColumnSpec* ModelSpec::FindColumn(std::string_view column) const {
  for (const ColumnSpec& spec : columns) {
    if (spec.name == column) return &spec;
  }
  return nullptr;
}

const ForeignKeySpec* ModelSpec::FindForeignKey(std::string_view column) const {
  for (const ForeignKeySpec& spec : foreign_keys) {
    if (spec.column == column) return &spec;
  }
  return nullptr;
}

const UuidReferenceSpec* ModelSpec::FindUuidReference(std::string_view column) const {
  for (const UuidReferenceSpec& spec : uuid_references) {
    if (spec.column == column) return &spec;
  }
  return nullptr;
}

namespace {

// The words of the declarations below.
using enum ColumnType;
constexpr bool kNullable = true;
constexpr bool kRequired = true;
constexpr bool kOptional = false;

}  // namespace

// The library's models, one declaration each (docs/architecture.md: a new
// model is one more entry here).
// size-rules: table
std::vector<ModelSpec> DefaultModelSpecs() {
  return {
      // Shared: every device learns about every other device.
      ModelSpec{
          .name = "device",
          .ownership = Ownership::kShared,
          .columns = {Column("name", kText), Column("os", kText)},
          .foreign_keys = {},
          .excluded_fields = {},
          .owner_via = {},
          .uuid_from_column = {},
          .uuid_references = {},
      },

      // Owned by the device it lives on. entry_id is the location's root entry:
      // optional, because the location exists before its root is indexed.
      ModelSpec{
          .name = "location",
          .ownership = Ownership::kDeviceOwned,
          .columns = {Column("name", kText), Column("path", kText), Column("total_entries", kInteger, kNullable)},
          .foreign_keys = {ForeignKey("device_id", "device", kRequired), ForeignKey("entry_id", "entry", kOptional)},
          // Progress of this device's own scan of the location.
          .excluded_fields = {"scan_state"},
          .owner_via = "device_id",
          .uuid_from_column = {},
          .uuid_references = {},
      },

      // Owned by the device that owns its location. parent_id is NULL only for
      // a location's root; content and metadata links are optional and repaired
      // when their targets arrive (3.6).
      ModelSpec{
          .name = "entry",
          .ownership = Ownership::kDeviceOwned,
          .columns = {Column("name", kText), Column("extension", kText, kNullable), Column("kind", kInteger),
                      Column("size", kInteger), Column("modified_at", kInteger)},
          .foreign_keys = {ForeignKey("location_id", "location", kRequired), RootedParentKey("parent_id", "entry"),
                           ForeignKey("content_id", "content_identity", kOptional),
                           ForeignKey("metadata_id", "user_metadata", kOptional)},
          // When this device indexed the entry: local bookkeeping.
          .excluded_fields = {"indexed_at"},
          .owner_via = "location_id",
          .uuid_from_column = {},
          .uuid_references = {},
      },

      // Shared; the uuid comes from the content hash so that two devices that
      // index the same bytes create the same record.
      ModelSpec{
          .name = "content_identity",
          .ownership = Ownership::kShared,
          .columns = {Column("content_hash", kText), Column("kind", kText, kNullable), Column("total_size", kInteger),
                      Column("integrity_checksum", kText, kNullable)},
          .foreign_keys = {},
          .excluded_fields = {},
          .owner_via = {},
          .uuid_from_column = "content_hash",
          .uuid_references = {},
      },

      ModelSpec{
          .name = "tag",
          .ownership = Ownership::kShared,
          .columns = {Column("name", kText), Column("color", kText, kNullable)},
          .foreign_keys = {},
          .excluded_fields = {},
          .owner_via = {},
          .uuid_from_column = {},
          .uuid_references = {},
      },

      ModelSpec{
          .name = "tag_relationship",
          .ownership = Ownership::kShared,
          .columns = {Column("strength", kInteger)},
          .foreign_keys = {ForeignKey("parent_tag_id", "tag", kRequired), ForeignKey("child_tag_id", "tag", kRequired)},
          .excluded_fields = {},
          .owner_via = {},
          .uuid_from_column = {},
          .uuid_references = {},
      },

      // Refers to its entry or content by uuid in plain text columns, not FKs,
      // as Spacedrive does: metadata may precede the entry it describes. Both
      // are uuid references, so metadata goes with the entry (or content) it
      // describes, and its tag applications with it.
      ModelSpec{
          .name = "user_metadata",
          .ownership = Ownership::kShared,
          .columns = {Column("entry_uuid", kText, kNullable), Column("content_identity_uuid", kText, kNullable),
                      Column("notes", kText, kNullable), Column("favorite", kInteger)},
          .foreign_keys = {},
          .excluded_fields = {},
          .owner_via = {},
          .uuid_from_column = {},
          .uuid_references = {{"entry_uuid", "entry"}, {"content_identity_uuid", "content_identity"}},
      },

      ModelSpec{
          .name = "user_metadata_tag",
          .ownership = Ownership::kShared,
          .columns = {Column("applied_at", kInteger)},
          .foreign_keys = {ForeignKey("user_metadata_id", "user_metadata", kRequired),
                           ForeignKey("tag_id", "tag", kRequired)},
          .excluded_fields = {},
          .owner_via = {},
          .uuid_from_column = {},
          .uuid_references = {},
      },

      ModelSpec{
          .name = "collection",
          .ownership = Ownership::kShared,
          .columns = {Column("name", kText), Column("description", kText, kNullable)},
          .foreign_keys = {},
          .excluded_fields = {},
          .owner_via = {},
          .uuid_from_column = {},
          .uuid_references = {},
      },

      ModelSpec{
          .name = "collection_entry",
          .ownership = Ownership::kShared,
          .columns = {Column("position", kInteger)},
          .foreign_keys = {ForeignKey("collection_id", "collection", kRequired),
                           ForeignKey("entry_id", "entry", kRequired)},
          .excluded_fields = {},
          .owner_via = {},
          .uuid_from_column = {},
          .uuid_references = {},
      },
  };
}

const ModelRegistry& ModelRegistry::Default() {
  static const ModelRegistry registry = [] {
    ModelRegistry built;
    Status status = Build(DefaultModelSpecs(), &built);
    assert(status.ok() && "the default model declarations are invalid");
    (void)status;
    return built;
  }();
  return registry;
}

Status ModelRegistry::Build(std::vector<ModelSpec> models, ModelRegistry* registry) {
  assert(registry != nullptr);
  NameIndex index_by_name;
  BeforeGraph before(models.size(), std::vector<bool>(models.size(), false));
  if (Status status = IndexModels(models, &index_by_name); !status.ok()) return status;
  if (Status status = AddRequiredEdges(models, index_by_name, &before); !status.ok()) return status;
  std::vector<IgnoredDependency> ignored = AddOptionalEdges(models, index_by_name, &before);

  std::vector<size_t> order = TopologicalOrder(before);
  assert(order.size() == models.size() && "optional FKs were only added when they closed no cycle");
  std::vector<std::string> dependency_order;
  dependency_order.reserve(order.size());
  for (size_t index : order) dependency_order.push_back(models[index].name);

  registry->shared_requirements_ = SharedRequirements(models);
  registry->models_ = std::move(models);
  registry->index_by_name_ = std::move(index_by_name);
  registry->dependency_order_ = std::move(dependency_order);
  registry->ignored_dependencies_ = std::move(ignored);
  return Status::Ok();
}

const std::vector<Requirement>& ModelRegistry::SharedRequirementsOn(std::string_view target) const {
  static const std::vector<Requirement> kNone;
  auto found = shared_requirements_.find(target);
  return found == shared_requirements_.end() ? kNone : found->second;
}

const ModelSpec* ModelRegistry::Find(std::string_view name) const {
  auto found = index_by_name_.find(name);
  return found == index_by_name_.end() ? nullptr : &models_[found->second];
}

}  // namespace syncsim::core
