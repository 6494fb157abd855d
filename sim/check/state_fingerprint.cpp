#include "sim/check/state_fingerprint.h"

#include <string_view>

#include <fmt/format.h>

namespace syncsim::sim {
namespace {

constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

uint64_t Fnv1a(std::string_view text, uint64_t hash = kFnvOffsetBasis) {
  for (unsigned char byte : text) {
    hash ^= byte;
    hash *= kFnvPrime;
  }
  return hash;
}

// The finalizer of MurmurHash3 (as core/state_catalog.cpp applies it): FNV
// alone leaves the high bits of similar texts close together, and a sum of
// such hashes would let changes in two rows cancel far more often than
// chance.
uint64_t Mix(uint64_t hash) {
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  return hash;
}

}  // namespace

uint64_t DeviceStateDigest(const DeviceRows& rows, const core::ModelRegistry& registry) {
  uint64_t digest = 0;
  for (const core::ModelSpec& model : registry.models()) {
    auto held = rows.rows.find(model.name);
    if (held == rows.rows.end()) continue;
    for (const auto& [uuid, data] : held->second) {
      // The model and uuid name the row; dump() writes the object's keys
      // sorted and numbers in nlohmann's own format, the same bytes with
      // every compiler. Text that is not UTF-8 (a hand-edited snapshot) is
      // replaced rather than thrown on: a digest must not abort a report.
      const std::string identity = model.name + '\n' + uuid + '\n' +
                                   data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      digest += Mix(Fnv1a(identity));
    }
  }
  return digest;
}

std::map<std::string, uint64_t> DeviceStateDigests(const std::vector<DeviceRows>& devices,
                                                   const core::ModelRegistry& registry) {
  std::map<std::string, uint64_t> digests;
  for (const DeviceRows& device : devices) digests[device.name] = DeviceStateDigest(device, registry);
  return digests;
}

uint64_t StateFingerprint(const std::vector<DeviceRows>& devices, const core::ModelRegistry& registry) {
  uint64_t fingerprint = kFnvOffsetBasis;
  for (const auto& [name, digest] : DeviceStateDigests(devices, registry)) {
    fingerprint = Fnv1a(fmt::format("{}={}\n", name, StateDigestHex(digest)), fingerprint);
  }
  return fingerprint;
}

std::string StateDigestHex(uint64_t digest) { return fmt::format("{:016x}", digest); }

}  // namespace syncsim::sim
