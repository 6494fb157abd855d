#include "sim/snapshot/snapshot_work_folder.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "sim/base/assert.h"

namespace fs = std::filesystem;

namespace syncsim::sim {
namespace {

// A fresh, empty folder named "<base>XXXXXX" (mkdtemp), or an empty path.
fs::path MakeUniqueFolder(const fs::path& base) {
  std::string name = base.string() + "XXXXXX";
  if (mkdtemp(name.data()) == nullptr) return {};
  return fs::path(name);
}

}  // namespace

SnapshotWorkFolder::~SnapshotWorkFolder() {
  std::error_code ignored;
  if (!dir_.empty() && !published_) fs::remove_all(dir_, ignored);
  if (published_) return;
  // fs::remove refuses a folder that is not empty: only the ones this run
  // made and left empty go.
  for (auto parent = created_parents_.rbegin(); parent != created_parents_.rend(); ++parent) {
    fs::remove(*parent, ignored);
  }
}

core::Status SnapshotWorkFolder::Create(const fs::path& final_dir) {
  SYNCSIM_ASSERT(dir_.empty());
  const fs::path parent = final_dir.parent_path();
  std::error_code error;
  for (fs::path folder = parent; !folder.empty() && !fs::exists(folder, error); folder = folder.parent_path()) {
    created_parents_.insert(created_parents_.begin(), folder);
    if (folder == folder.parent_path()) break;
  }
  fs::create_directories(parent, error);
  if (error) return core::Status::IoError(parent.string() + ": " + error.message());
  dir_ = MakeUniqueFolder(parent / ("." + final_dir.filename().string() + ".partial-"));
  if (dir_.empty()) return core::Status::IoError(parent.string() + ": cannot create a work folder: " + std::strerror(errno));
  return core::Status::Ok();
}

core::Status SnapshotWorkFolder::Publish(const fs::path& final_dir) {
  SYNCSIM_ASSERT(!dir_.empty() && !published_);
  std::error_code error;
  fs::path aside;
  if (fs::exists(fs::symlink_status(final_dir, error))) {
    // rename(2) replaces an empty folder: the aside name is reserved by
    // mkdtemp, then the old snapshot takes its place.
    aside = MakeUniqueFolder(final_dir.parent_path() / ("." + final_dir.filename().string() + ".old-"));
    if (aside.empty()) return core::Status::IoError(final_dir.string() + ": cannot move the old snapshot aside");
    fs::rename(final_dir, aside, error);
    if (error) {
      std::error_code ignored;
      fs::remove(aside, ignored);
      return core::Status::IoError(final_dir.string() + ": " + error.message());
    }
  }
  fs::rename(dir_, final_dir, error);
  std::error_code ignored;
  if (error) {
    if (!aside.empty()) fs::rename(aside, final_dir, ignored);
    return core::Status::IoError(final_dir.string() + ": " + error.message());
  }
  published_ = true;
  if (!aside.empty()) fs::remove_all(aside, ignored);
  return core::Status::Ok();
}

}  // namespace syncsim::sim
