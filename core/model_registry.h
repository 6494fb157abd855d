// ModelRegistry: the synced data models (DESIGN.md 3.1), declared once as
// data. Schema creation, apply, queries, FK mapping between local ids and
// wire uuids, digests and the backfill order are all generic over this
// registry, so adding a model or a column means editing one table here and
// nothing else.
//
// Every table has, besides what a ModelSpec lists, a local
// `id INTEGER PRIMARY KEY` and its global `uuid` (TEXT, unique). Local ids
// never leave a device: a foreign key is stored locally as the target's
// local id (`ForeignKeySpec::column`) and travels on the wire as the
// target's uuid (`ForeignKeySpec::wire_field`).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace syncsim::core {

// Who may write a model's records, which decides how they sync (3.5).
enum class Ownership {
  kDeviceOwned,  // Only the owning device writes; synced as state with owner timestamps.
  kShared,       // Any device writes; synced as an HLC-stamped change log.
};

enum class ColumnType { kInteger, kReal, kText };

// "device_owned" or "shared": the spelling used in snapshots and reports.
std::string_view OwnershipName(Ownership ownership);
// "INTEGER", "REAL" or "TEXT": the SQLite type to declare for a column.
std::string_view ColumnTypeSqlName(ColumnType type);

// A synced data column. Not used for id, uuid or foreign keys, which have
// their own specs.
struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kText;
  bool nullable = false;
};

// A foreign key. Locally an INTEGER column holding the target's local id
// (NULL allowed unless `required`); on the wire a field holding the target's
// uuid.
struct ForeignKeySpec {
  std::string column;        // Local column, e.g. "parent_id".
  std::string wire_field;    // Wire field, e.g. "parent_uuid".
  std::string target_model;  // Name of the referenced model.
  // false: the value may legitimately be NULL, so a record whose target has
  // not arrived can be applied at once with NULL and repaired later (3.6).
  // Optional FKs may also be ignored by DependencyOrder to break a cycle.
  bool required = true;
  // Only with required == false: NULL is legitimate only for the root of a
  // tree (entry.parent_id is NULL exactly for a location's root entry, the
  // one location.entry_id points to). For every other record a NULL here is
  // an orphan, which is what the checker's linkage summary counts. Ordering
  // and apply treat the FK as optional.
  bool null_only_for_root = false;
};

// A data column holding another record's uuid as plain text (DESIGN.md 3.1:
// user_metadata names its entry this way, as Spacedrive does). Unlike a
// foreign key it has no local id, no REFERENCES and is never parked or
// repaired: the record may legitimately arrive before its target. But when
// set it requires the target as much as a required foreign key does: a
// delete of the target deletes the record with it (as a shared change), a
// record that arrives naming a deleted target is obsolete, and at rest a
// value naming no row is a dangling reference.
struct UuidReferenceSpec {
  std::string column;        // A TEXT data column of the model, e.g. "entry_uuid".
  std::string target_model;  // Name of the referenced model.
};

// One way a shared model's records require records of another model: a
// required foreign key (matched by the target's local id) or a uuid
// reference (matched by the target's uuid).
struct Requirement {
  std::string model;   // The requiring shared model.
  std::string column;  // Its FK column or uuid-reference column.
  bool by_uuid = false;
};

struct ModelSpec {
  std::string name;  // Model and table name.
  Ownership ownership = Ownership::kShared;
  std::vector<ColumnSpec> columns;           // Synced data columns, in table order.
  std::vector<ForeignKeySpec> foreign_keys;  // In table order, after the columns.
  // Local-only columns the database also creates (nullable, no declared
  // type), e.g. entry.indexed_at. They never appear on the wire or in
  // digests, because their values legitimately differ between devices.
  std::vector<std::string> excluded_fields;
  // For a device-owned model: the local column of a required FK through
  // which the owning device is found. If its target is itself device-owned
  // the owner is that record's owner (entry: "location_id", the device that
  // owns the location); otherwise the target record is the owning device
  // (location: "device_id"). Empty for shared models.
  std::string owner_via;
  // When not empty, the record uuid is not random but derived from this
  // column (Uuid::FromName over its value), so devices that create the same
  // record independently agree on its uuid: content_identity's "content_hash".
  std::string uuid_from_column;
  // Data columns that name another record by uuid (see UuidReferenceSpec).
  std::vector<UuidReferenceSpec> uuid_references;

  // The synced data column or foreign key with this local column name, or
  // nullptr. The pointer is valid as long as this ModelSpec is unchanged.
  const ColumnSpec* FindColumn(std::string_view column) const;
  const ForeignKeySpec* FindForeignKey(std::string_view column) const;
  const UuidReferenceSpec* FindUuidReference(std::string_view column) const;
};

// A foreign key that DependencyOrder does not honour, and why.
struct IgnoredDependency {
  enum class Reason {
    kSelfReference,  // Target is the model itself (entry.parent_id): the apply
                     // layer handles parent-before-child within the model.
    kClosesCycle,    // An optional FK that would close a cycle with the FKs
                     // already honoured (location.entry_id, while
                     // entry.location_id is required).
  };
  std::string model;         // Referring model.
  std::string column;        // Its FK column.
  std::string target_model;  // The model the FK points to.
  Reason reason = Reason::kSelfReference;
};

// The ten models of DESIGN.md 3.1, in declaration order. Returned by value so
// that tests can build variants with ModelRegistry::Build.
std::vector<ModelSpec> DefaultModelSpecs();

// An immutable, validated set of models plus their dependency order.
class ModelRegistry {
 public:
  // An empty registry (no models). Use Default() or Build().
  ModelRegistry() = default;

  // The registry of DefaultModelSpecs(). Built on first use; lives until the
  // program ends.
  static const ModelRegistry& Default();

  // Validates `models` and, on success, replaces *registry with a registry of
  // them. On failure returns InvalidArgument naming the problem and leaves
  // *registry unchanged. Rejected: a uuid reference that is not a TEXT data
  // column or targets an unknown model; empty or duplicate model names; empty or
  // duplicate field names within a model (data columns, FK columns, wire
  // fields, excluded fields and the reserved "id" and "uuid" share one name
  // space, because they share one table and one wire object); an FK to an
  // unknown model; null_only_for_root on a required FK; owner_via on a
  // shared model, or a device-owned model whose owner_via is not one of its
  // own required, non-self FKs; uuid_from_column that is not a non-nullable
  // data column; a cycle made only of required FKs (no order could apply
  // such records).
  // REQUIRES: registry != nullptr.
  static Status Build(std::vector<ModelSpec> models, ModelRegistry* registry);

  // The model with this name, or nullptr. Valid as long as this registry.
  const ModelSpec* Find(std::string_view name) const;

  // All models, in declaration order.
  const std::vector<ModelSpec>& models() const { return models_; }

  // Model names in an order where each FK's target comes before the model
  // that refers to it, so backfill can send models in this order and never
  // park a record for a missing model. Self references are ignored, and so
  // is each optional FK that would close a cycle with the required FKs and
  // the optional FKs honoured before it (taken in declaration order); see
  // ignored_dependencies(). Among models free to go next, the one declared
  // first goes first, so the order is the same on every run and device.
  std::vector<std::string> DependencyOrder() const { return dependency_order_; }

  // The FKs DependencyOrder does not honour, in declaration order.
  const std::vector<IgnoredDependency>& ignored_dependencies() const { return ignored_dependencies_; }

  // How shared records require records of `target`: every required FK and
  // every uuid reference of a shared model that names `target`, in
  // declaration order. A delete of a `target` record deletes the shared
  // records that require it. Device-owned records are left out: only their
  // owner may delete them. Empty for an unknown model.
  const std::vector<Requirement>& SharedRequirementsOn(std::string_view target) const;

 private:
  std::vector<ModelSpec> models_;
  // Name -> index into models_. Ordered map: lookup only, but keeps to the
  // project rule of no unordered containers.
  std::map<std::string, size_t, std::less<>> index_by_name_;
  std::vector<std::string> dependency_order_;
  std::vector<IgnoredDependency> ignored_dependencies_;
  // Target model -> SharedRequirementsOn(target). Lookup only.
  std::map<std::string, std::vector<Requirement>, std::less<>> shared_requirements_;
};

}  // namespace syncsim::core
