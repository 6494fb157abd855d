// Wire records of one small library (a device, its location, entries and a
// content identity), for the tests that apply records to a LibraryDb.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/hlc.h"
#include "core/messages.h"
#include "core/uuid.h"

namespace syncsim::core::test_records {

inline std::string Version(int64_t milliseconds, uint32_t counter = 0, Uuid device = Uuid(1, 1)) {
  return Hlc{milliseconds, counter, device}.ToString();
}

inline const Uuid kDevice(0x1111, 0x1111);
inline const Uuid kLocation(0x2222, 0x2222);
inline const Uuid kRoot(0x3333, 0x0001);
inline const Uuid kDirectory(0x3333, 0x0002);
inline const Uuid kFile(0x3333, 0x0003);
inline const Uuid kContent(0x4444, 0x0001);

inline WireRecord Device(int64_t at) { return {"device", kDevice, {{"name", "alice"}, {"os", "test"}}, Version(at)}; }

inline WireRecord Location(int64_t at) {
  return {"location", kLocation,
          {{"name", "Downloads"}, {"path", "/Downloads"}, {"total_entries", 3}, {"device_uuid", kDevice.ToString()},
           {"entry_uuid", nullptr}},
          Version(at)};
}

inline WireRecord Entry(const Uuid& uuid, const std::string& name, int kind, const Uuid* parent, int64_t at,
                        const Uuid* content = nullptr) {
  return {"entry", uuid,
          {{"name", name}, {"extension", nullptr}, {"kind", kind}, {"size", 10}, {"modified_at", 5},
           {"location_uuid", kLocation.ToString()},
           {"parent_uuid", parent != nullptr ? nlohmann::json(parent->ToString()) : nlohmann::json(nullptr)},
           {"content_uuid", content != nullptr ? nlohmann::json(content->ToString()) : nlohmann::json(nullptr)},
           {"metadata_uuid", nullptr}},
          Version(at)};
}

inline WireRecord Content(int64_t at) {
  return {"content_identity", kContent,
          {{"content_hash", "abc"}, {"kind", "txt"}, {"total_size", 10}, {"integrity_checksum", nullptr}},
          Version(at)};
}

inline WireRecord Deleted(const std::string& model, const Uuid& uuid, int64_t at) {
  return {model, uuid, nlohmann::json::object(), Version(at), /*deleted=*/true};
}

}  // namespace syncsim::core::test_records
