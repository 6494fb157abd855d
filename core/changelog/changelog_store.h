// ChangelogStore: the change-log engine's own tables in the device
// database, beside the entity tables that LibraryDb owns:
//
//   changelog_changes(id PRIMARY KEY, model, record_uuid, author_device, hlc,
//                     deleted, owned, seq, merged)   -- one row per change, ever
//   changelog_change_fields(change_id, field, value, version)  -- its fields
//   changelog_peers(peer)                    -- every peer ever connected
//   changelog_acks(peer, change_id)          -- own shared changes a peer holds
//
// The log is grow-only: a change is never updated but for `merged` (set
// once it is folded into the entity tables) and never deleted. Values are
// stored as JSON text so that their types survive exactly.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/changelog/changelog_messages.h"
#include "core/library_db.h"
#include "core/uuid.h"

namespace syncsim::core::changelog {

class ChangelogStore {
 public:
  // `library` must outlive the store.
  explicit ChangelogStore(LibraryDb* library) : library_(*library) {}

  // Creates the tables if the database has none yet.
  void CreateTables();

  // Adds `change` to the log. Returns false (and changes nothing) when its
  // id is there already.
  bool Insert(const Change& change, bool merged);
  std::optional<Change> Read(const std::string& id);
  // True when the change `id` is in the log (merged or not).
  bool Holds(const std::string& id);
  void MarkMerged(const std::string& id);

  // Every id in [lo, hi), sorted.
  std::vector<std::string> IdsInRange(const std::string& lo, const std::string& hi);
  // The changes not merged yet, by id.
  struct Unmerged {
    std::string id;
    bool owned = false;
    Uuid author;
    uint64_t seq = 0;
  };
  std::vector<Unmerged> UnmergedChanges();
  std::vector<std::string> UnmergedIds();
  // The newest HLC of a shared change in the log, or nullopt.
  std::optional<std::string> NewestSharedHlc();
  // The newest id of a change `author` wrote ("" when none).
  std::string NewestIdBy(const Uuid& author);

  // The seq of `author`'s next owned change.
  uint64_t NextOwnedSeq(const Uuid& author);
  // The largest seq such that every owned change of `author` up to it is
  // logged and merged (0: none).
  uint64_t OwnedMergedThrough(const Uuid& author);

  void AddPeer(const Uuid& peer);
  std::vector<Uuid> Peers();
  // Notes that `peer` holds these changes (only `author`'s shared ones count).
  void NoteAcked(const Uuid& peer, const std::vector<std::string>& ids);
  // Notes that `peer` holds every shared change of `author` up to `through`.
  void NoteAckedThrough(const Uuid& peer, const Uuid& author, const std::string& through);
  // The shared changes of `author` that `peer` is not known to hold.
  int64_t CountUnacked(const Uuid& peer, const Uuid& author);

 private:
  std::vector<std::string> ReadIds(Statement& statement);

  LibraryDb& library_;
};

}  // namespace syncsim::core::changelog
