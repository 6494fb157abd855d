// RecordStory: the story of one record across a run, told by watching a
// replay of it (a RunObserver): when and where the record was written,
// each message that carried it and that message's fate, when it appeared,
// changed, was parked (and on what), or was deleted on each device, and at
// the end what each device holds and, where it lacks or differs, why.
//
// How it sees: a message carries the record when its payload names the
// record's uuid; a device's view of the record is read from its database
// (the model's row, record_versions, tombstones, pending_dependencies)
// before each event and step, whenever the connection has changed rows
// since the last read, so a change is attributed to the event that made
// it. Reading never changes the run: its fingerprint stays the original's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/uuid.h"
#include "sim/cluster/run_observer.h"

namespace syncsim::sim {

class SimDevice;

// One line of the story.
struct StoryEntry {
  int64_t time_us = 0;
  std::string device;  // the device it happened on, or the sender of a message
  std::string kind;    // "message", "state", "end"
  std::string text;    // a sentence for a person
  nlohmann::json detail;  // the same, for --json
};

// What one device holds of the record at one moment.
struct RecordView {
  bool present = false;
  std::string version;            // record_versions (the whole-record version), if any
  std::string tombstone_version;  // set when the device holds a tombstone
  nlohmann::json data;            // the wire form of the row (foreign keys as uuids)
  std::vector<std::string> waiting_for;  // parked: "MODEL UUID (FIELD)" per missing dependency
  bool operator==(const RecordView&) const = default;
};

class RecordStory : public RunObserver {
 public:
  // `device`: tell only what concerns this device (empty: every device).
  RecordStory(const core::Uuid& record, std::string device);

  void OnStart(Cluster& cluster) override;
  void OnTraceRecord(const TraceRecord& record) override;
  void OnFinish(Cluster& cluster) override;

  // The model of the record, once any device held it ("" if none did).
  const std::string& model() const { return model_; }
  const std::vector<StoryEntry>& entries() const { return entries_; }
  // Each device's view at the end of the run.
  const std::map<std::string, RecordView>& final_views() const { return final_views_; }

 private:
  struct DeviceWatch {
    int64_t changes_seen = -1;  // sqlite3_total_changes at the last read
    RecordView view;
    // Copies carrying the record that reached the device since its last
    // change, and in all.
    uint64_t deliveries_since_change = 0;
    uint64_t deliveries = 0;
  };

  void ReadAll(bool force);
  std::optional<RecordView> Read(SimDevice& device);
  void NoteChange(const std::string& device, const RecordView& before, const RecordView& after);
  void NoteMessage(const TraceRecord& record);
  void TellEnd();
  std::string WhyMissing(const std::string& name, const RecordView& view);
  bool Concerns(const std::string& device) const { return device_.empty() || device_ == device; }

  core::Uuid record_;
  std::string uuid_text_;
  std::string device_;
  Cluster* cluster_ = nullptr;
  std::string model_;
  std::string last_label_ = "the run's start";
  int64_t now_us_ = 0;
  std::map<std::string, DeviceWatch> watches_;
  std::vector<StoryEntry> entries_;
  std::map<std::string, RecordView> final_views_;
  // Per (sender, receiver): copies of carrying messages sent, and their fates.
  std::map<std::pair<std::string, std::string>, std::map<std::string, uint64_t>> fates_;
};

// The story as text, a line per entry, then the end state per device.
std::string FormatStory(const RecordStory& story, const std::string& uuid);
// The story as JSON: {"record", "model", "entries": [...], "devices": {...}}.
nlohmann::json StoryToJson(const RecordStory& story, const std::string& uuid);

}  // namespace syncsim::sim
