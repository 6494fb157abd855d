// CollectWorkload: a device builds collections of entries (DESIGN.md 4):
// each collection is a shared record, and each membership a shared
// collection_entry that references the collection and an entry. Entries are
// drawn from the seed, one write per step at a steady rate, among the
// entries the device holds at that moment that belong to the locations of
// `owner` (the scenario's optional `owner` key; by default the collecting
// device itself). Collecting another device's entries races with that
// owner's deletes: the core deletes a member whose entry is deleted on
// whichever device holds it (the leaderless engine's
// LeaderlessEngine::DeleteRequirers).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/uuid.h"
#include "sim/workloads/workload.h"

namespace syncsim::sim {

// The settings of a collect step, as its action parses them.
struct CollectSettings {
  std::string device;
  std::string owner;  // whose entries; empty: the collecting device's own
  uint32_t collections = 0;
  uint32_t entries_per_collection = 0;
};

class CollectWorkload : public Workload {
 public:
  // Writes per virtual second (the scenario format gives collect no rate).
  static constexpr uint32_t kWritesPerSecond = 100;

  // `cluster` must outlive the workload. REQUIRES: `device` and `owner`
  // exist; `owner` may be `device`.
  CollectWorkload(Cluster* cluster, std::string device, std::string owner, uint32_t collections,
                  uint32_t entries_per_collection, Random random);

  std::string_view name() const override { return "collect"; }
  // Draws the collections' uuids from the seed.
  void Setup() override;
  void Run() override;
  bool done() const override { return done_; }
  // Every collection exists on the device with the members it added (less
  // those whose entry was deleted since).
  std::vector<std::string> Check() override;

 private:
  void Step();
  // Adds one drawn entry of the owner to the collection, if the device holds
  // any. False when the device's storage failed under the write.
  bool AddMember(size_t collection_index, uint64_t position);

  Cluster& cluster_;
  std::string device_;
  std::string owner_;
  uint32_t entries_per_collection_;
  Random random_;
  std::vector<core::Uuid> collections_;
  // Members added, per collection (an entry drawn twice is added once).
  std::vector<std::vector<std::string>> members_;
  uint64_t next_write_ = 0;
  bool done_ = false;
};

}  // namespace syncsim::sim
