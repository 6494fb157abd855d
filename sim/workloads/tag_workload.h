// TagWorkload: several devices tag entries at the same time (DESIGN.md 4).
// Every device writes every tag of the plan (same uuids, its own colours),
// so concurrent writes to one shared record race and last-writer-wins must
// pick the same winner everywhere; then each device applies tags to entries
// it holds through user_metadata and user_metadata_tag. Metadata and
// tag-application uuids derive from what they describe, so two devices that
// tag the same entry with the same tag write the same records.
//
// entry.metadata_id: an entry is device-owned, so only its owner may write
// it. A device that tags an entry it owns links the entry to the metadata
// (WriteOwned, a new entry version that syncs like any other); a device that
// tags another device's entry writes the shared metadata only, which names
// the entry by its uuid reference. The owner links it when it tags that
// entry itself (the metadata uuid derives from the entry, so both devices
// write the same record).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/uuid.h"
#include "sim/workloads/workload.h"

namespace syncsim::sim {

// The settings of a tag step, as its action parses them.
struct TagSettings {
  std::vector<std::string> devices;
  uint32_t tags = 0;
  uint32_t applications = 0;
  uint32_t ops_per_s = 100;
};

class TagWorkload : public Workload {
 public:
  TagWorkload(Cluster* cluster, std::vector<std::string> devices, uint32_t tags, uint32_t applications,
              uint32_t ops_per_s, Random random);

  std::string_view name() const override { return "tag"; }
  void Setup() override;
  void Run() override;
  bool done() const override { return remaining_devices_ == 0; }
  // Shared records converge through the oracle; nothing device-specific.
  std::vector<std::string> Check() override { return {}; }

 private:
  struct DeviceProgress {
    std::string device;
    Random random;
    uint32_t next_operation = 0;
  };
  void Step(size_t device_index);
  // Each returns false when the device's storage failed under a write (the
  // step runs again once the device is back).
  bool WriteTag(DeviceProgress& progress, uint32_t tag_index);
  bool ApplyTag(DeviceProgress& progress);
  // Sets the entry's metadata_id to `metadata` when this device owns the
  // entry and it is not linked so yet. REQUIRES: both exist on the device.
  bool LinkOwnEntry(DeviceProgress& progress, const std::string& entry_uuid, const core::Uuid& metadata);

  Cluster& cluster_;
  uint32_t tags_;
  uint32_t applications_;
  int64_t step_period_us_;
  Random random_;
  std::vector<core::Uuid> tag_uuids_;
  std::vector<DeviceProgress> progress_;
  size_t remaining_devices_ = 0;
};

}  // namespace syncsim::sim
