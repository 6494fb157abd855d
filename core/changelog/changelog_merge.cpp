// ChangelogEngine, merging: received changes go from the log into the
// entity tables through the RecordApplier (per field by HLC for shared
// records, whole for device-owned ones; tombstones final). A change whose
// required target (a required foreign key, or an entry's parent) is
// neither present nor deleted here is held: it stays unmerged in the log
// and is merged by a later pass, once the target arrives. So is a
// device-owned change until every earlier owned change of its author is
// merged: the owner's changes apply in the order it made them.
#include <algorithm>
#include <cassert>

#include "core/changelog/change_record.h"
#include "core/changelog/changelog_engine.h"

namespace syncsim::core::changelog {

bool ChangelogEngine::MissesTarget(const Change& change) {
  if (change.deleted) return false;
  const ModelSpec* spec = library_.registry().Find(change.model);
  assert(spec != nullptr);
  for (const ForeignKeySpec& key : spec->foreign_keys) {
    if (!key.required && !key.null_only_for_root) continue;  // optional links are repaired later
    auto field = change.fields.find(key.wire_field);
    if (field == change.fields.end() || !field->second.value.is_string()) continue;
    const std::optional<Uuid> target_uuid = Uuid::Parse(field->second.value.get<std::string>());
    assert(target_uuid.has_value());  // ValidateChange checked it
    const ModelSpec* target = library_.registry().Find(key.target_model);
    assert(target != nullptr);
    if (library_.LocalId(*target, *target_uuid).has_value()) continue;
    // A deleted target makes the change obsolete, which the applier decides.
    Statement& tombstone = library_.sql().Prepare("SELECT 1 FROM tombstones WHERE model = ?1 AND uuid = ?2");
    tombstone.Bind(1, key.target_model).Bind(2, target_uuid->ToString());
    const bool deleted = tombstone.Step();
    tombstone.Reset();
    if (!deleted) return true;
  }
  return false;
}

uint64_t& ChangelogEngine::OwnedFrontier(const Uuid& author) {
  auto found = owned_frontier_.find(author);
  if (found == owned_frontier_.end()) found = owned_frontier_.emplace(author, store_.OwnedMergedThrough(author)).first;
  return found->second;
}

bool ChangelogEngine::TryMerge(const Change& change) {
  // The owner's changes go in the order it made them.
  if (change.owned && change.seq > OwnedFrontier(change.author) + 1) return false;
  if (MissesTarget(change)) return false;
  const WireRecord record = RecordFromChange(change);
  applier_.Apply(record, change.owned ? change.author : Uuid(), /*local=*/false);
  if (change.owned) {
    uint64_t& frontier = OwnedFrontier(change.author);
    frontier = std::max(frontier, change.seq);
  }
  return true;
}

void ChangelogEngine::MergeUnmerged() {
  size_t passes = 0;
  for (bool progress = true; progress; ++passes) {
    assert(passes < kMergePassesMax);
    progress = false;
    for (const ChangelogStore::Unmerged& unmerged : store_.UnmergedChanges()) {
      // Most held changes wait for an earlier change of their owner: skip
      // them without reading them.
      if (unmerged.owned && unmerged.seq > OwnedFrontier(unmerged.author) + 1) continue;
      std::optional<Change> change = store_.Read(unmerged.id);
      assert(change.has_value());
      if (!TryMerge(*change)) continue;
      store_.MarkMerged(unmerged.id);
      progress = true;
    }
  }
}

void ChangelogEngine::ApplyMarkedMerged() {
  SqliteDb::Transaction transaction(library_.sql());
  std::vector<std::string> still_held;
  size_t passes = 0;
  for (bool progress = true; progress && !marked_unapplied_.empty(); ++passes) {
    assert(passes < kMergePassesMax);
    progress = false;
    still_held.clear();
    for (const std::string& id : marked_unapplied_) {
      std::optional<Change> change = store_.Read(id);
      assert(change.has_value());
      if (TryMerge(*change)) {
        progress = true;
      } else {
        still_held.push_back(id);
      }
    }
    marked_unapplied_ = still_held;
  }
  marked_blocked_ = !marked_unapplied_.empty();
  DeleteRequirers();
  PersistHlc();
  transaction.Commit();
  marked_since_ms_ = clock_.monotonic_ms();
}

}  // namespace syncsim::core::changelog
