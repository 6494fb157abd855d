// IndexWorkload: a device indexes a synthetic location, as a real indexer
// does (DESIGN.md 4): first the location and its entries, parents before
// children, at a steady rate; then content identification, which creates
// each file's content identity (a shared record whose uuid derives from the
// content hash) and links the entry to it. The tree is drawn from the
// workload's own seed stream: directory shape, sizes, duplicate content and
// files whose identification fails.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/uuid.h"
#include "sim/cluster/cluster.h"
#include "sim/kernel/random.h"
#include "sim/workloads/workload.h"

namespace syncsim::sim {

struct IndexSettings {
  std::string device;
  std::string location;
  // Directories including the location's root. REQUIRES: >= 1.
  uint32_t dirs = 1;
  uint32_t files = 0;
  // Share of files whose content duplicates an earlier file's.
  double duplicate_content = 0;
  // Share of files whose identification fails (no content identity).
  double identify_errors = 0;
  // Entries written per virtual second (and identifications per second).
  uint32_t files_per_s = 300;
};

// Upper bounds that keep a typo from asking for a run that never ends.
inline constexpr uint32_t kIndexDirsMax = 1'000'000;
inline constexpr uint32_t kIndexFilesMax = 10'000'000;

// The key under which an index step records its location in the step
// parse context (sim/action/step_parse_context.h), for the mutate steps
// that name it.
inline constexpr std::string_view kIndexedLocationTopic = "indexed location";
std::string IndexedLocationKey(const std::string& device, const std::string& location);

// The namespace of content-identity uuids: Uuid::FromName(this, hash).
core::Uuid ContentNamespace();

// One planned entry.
struct PlannedEntry {
  core::Uuid uuid;
  int64_t parent = -1;  // index into the plan; -1 for the root
  bool is_directory = false;
  std::string name;
  std::string extension;
  int64_t size = 0;
  std::string content_hash;  // empty when identification fails (or a directory)
};

class IndexWorkload : public Workload {
 public:
  // `cluster` must outlive the workload; the device must exist.
  IndexWorkload(Cluster* cluster, IndexSettings settings, Random random);
  IndexWorkload(const IndexWorkload&) = delete;
  IndexWorkload& operator=(const IndexWorkload&) = delete;

  std::string_view name() const override { return "index"; }
  // Plans the tree from the workload's seed stream.
  void Setup() override;
  // Schedules the indexing from now on. REQUIRES: Setup() ran.
  void Run() override;
  bool done() const override { return done_; }
  // The owner holds every planned entry under its planned parent, and every
  // identified file linked to its content identity (entries a mutate
  // workload moved or deleted excepted).
  std::vector<std::string> Check() override;
  // A later workload (`by`) renamed, moved or deleted this entry: Check
  // leaves it alone, and of several mutate workloads only the last to touch
  // an entry checks it.
  void NoteMutated(const core::Uuid& entry, const Workload* by) { last_mutator_[entry] = by; }
  const Workload* LastMutator(const core::Uuid& entry) const {
    auto found = last_mutator_.find(entry);
    return found == last_mutator_.end() ? nullptr : found->second;
  }

  const IndexSettings& settings() const { return settings_; }
  const core::Uuid& location_uuid() const { return location_uuid_; }
  // Entries in write order: the root first, then directories, then files.
  const std::vector<PlannedEntry>& plan() const { return plan_; }
  // Files that will get a content link, and distinct content identities.
  uint32_t identified_files() const;
  uint32_t distinct_contents() const;

 private:
  void Step();
  // Each returns whether it wrote; storage_failed_ tells a write the
  // storage refused (the step runs again once the device is back).
  bool WriteEntry(size_t index);
  bool Identify(size_t index);
  // One local write through the device (owned, or shared).
  bool Write(const std::string& model, const core::Uuid& uuid, const nlohmann::json& data, bool shared = false);

  Cluster& cluster_;
  IndexSettings settings_;
  Random random_;
  core::Uuid location_uuid_;
  std::vector<PlannedEntry> plan_;
  // Progress: write_index_ counts the location record plus entries, then
  // identification walks the files.
  size_t next_step_ = 0;
  bool storage_failed_ = false;
  bool done_ = false;
  int64_t step_period_us_ = 0;
  std::map<core::Uuid, const Workload*> last_mutator_;
};

}  // namespace syncsim::sim
