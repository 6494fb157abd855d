// MutateWorkload: a device changes a location it indexed (DESIGN.md 4):
// renames entries, moves files and folders to other folders, and deletes
// files and folders (a folder with its subtree), interleaved at a steady
// rate. Targets are drawn from the seed among the entries the device holds
// at the moment of each operation, so a later operation never touches an
// entry an earlier one deleted, and a move never puts a folder below itself.
//
// Check verifies on the owner what the workload knows it did last to each
// entry; the index workload of the location is told which entries changed,
// so that its own check does not count them as wrong.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/uuid.h"
#include "sim/workloads/workload.h"

namespace syncsim::sim {

class IndexWorkload;

struct MutateSettings {
  std::string device;
  std::string location;  // the location's name, as its index step gave it
  uint32_t renames = 0;
  uint32_t moves = 0;
  uint32_t deletes = 0;
  uint32_t ops_per_s = 100;
};

class MutateWorkload : public Workload {
 public:
  // `cluster` must outlive the workload. `index` is the index workload of the
  // location (nullptr when the scenario has none; the location is then found
  // by name in the device's database).
  MutateWorkload(Cluster* cluster, MutateSettings settings, Random random, IndexWorkload* index);

  std::string_view name() const override { return "mutate"; }
  // Shuffles the operations (renames, moves, deletes) from the seed.
  void Setup() override;
  void Run() override;
  bool done() const override { return done_; }
  // Renamed entries carry their last name, moved ones sit under their last
  // parent, deleted ones (and their subtrees) are gone, on the owner.
  std::vector<std::string> Check() override;

 private:
  enum class Operation { kRename, kMove, kDelete };
  void Step();
  // Each returns false when the location has nothing to apply it to.
  bool Rename();
  bool Move();
  bool Delete();
  // One local write through the device; false when the storage failed under
  // it (storage_failed_ is then set: Step retries the operation).
  bool Write(const std::function<core::Status(core::Engine&)>& write);
  // A uniformly drawn entry of the location: any, or directories only; the
  // root is never drawn. Empty when there is none.
  std::string PickEntry(bool directories_only, bool exclude_root);
  std::string LocationUuid();
  void NoteChanged(const std::string& uuid);

  Cluster& cluster_;
  MutateSettings settings_;
  Random random_;
  IndexWorkload* index_;
  std::vector<Operation> operations_;
  size_t next_operation_ = 0;
  bool done_ = false;
  int64_t step_period_us_ = 0;
  // What the workload did last, for Check.
  std::map<std::string, std::string> expected_names_;
  std::map<std::string, std::string> expected_parents_;
  std::set<std::string> deleted_;
  uint32_t skipped_ = 0;  // operations with no possible target
  bool storage_failed_ = false;
};

}  // namespace syncsim::sim
