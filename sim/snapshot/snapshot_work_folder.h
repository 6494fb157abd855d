// SnapshotWorkFolder: where a run builds its snapshot before publishing it.
// Each process gets a folder of its own beside the final one
// (".seed-N.partial-XXXXXX", made by mkdtemp), so two runs of one scenario
// and seed into one --out never write into each other's folder; publishing
// renames it into place, and an existing snapshot (--force) is first renamed
// aside and removed only after the new one is in place, so there is never
// a moment without a whole snapshot. A folder never published (a failed run,
// an internal error unwinding) is removed by the destructor, with the empty
// parent folders Create made.
#pragma once

#include <filesystem>
#include <vector>

#include "core/status.h"

namespace syncsim::sim {

class SnapshotWorkFolder {
 public:
  SnapshotWorkFolder() = default;
  ~SnapshotWorkFolder();
  SnapshotWorkFolder(const SnapshotWorkFolder&) = delete;
  SnapshotWorkFolder& operator=(const SnapshotWorkFolder&) = delete;

  // Makes the private folder for `final_dir`, creating its parents.
  // REQUIRES: not created yet. Returns IoError naming the folder.
  core::Status Create(const std::filesystem::path& final_dir);

  // Renames the folder to `final_dir`, replacing what is there. REQUIRES:
  // created, not published. On failure the old snapshot is put back and
  // IoError names `final_dir`.
  core::Status Publish(const std::filesystem::path& final_dir);

  // Empty before Create.
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  bool published_ = false;
  // Folders Create made on the way, deepest last: removed when empty.
  std::vector<std::filesystem::path> created_parents_;
};

}  // namespace syncsim::sim
