// StateFingerprint: a 64-bit digest of what the devices' databases hold, as
// the trace fingerprint is of what the run did. Two runs that sent the same
// messages end in the same state, but two runs that end in different
// databases may still share a trace fingerprint (a bug in what is applied is
// invisible to the trace); this digest tells them apart.
//
// A device's digest covers its synced rows in wire form (ReadSyncedRows:
// uuid, synced columns, foreign keys as the target's uuid) of every model of
// the registry, device-owned and shared alike, and nothing local: local ids,
// excluded columns, sync tables and derived tables do not enter it. It is
// order-independent (a sum of one well-mixed FNV-1a hash per row), so the
// order rows were inserted in, and the local ids they got, cannot change it.
// Two devices holding the same synced rows have the same digest.
//
// A phase's fingerprint folds every device's digest under its name. Both
// are computed from the databases alone, so a live run and `syncsim report`
// on its snapshot agree.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/model_registry.h"
#include "sim/check/convergence.h"

namespace syncsim::sim {

// The digest of one device's synced rows. Models of `rows` that are not in
// `registry` are ignored; a model absent from `rows` counts as empty.
uint64_t DeviceStateDigest(const DeviceRows& rows, const core::ModelRegistry& registry);

// Every device's digest by device name.
std::map<std::string, uint64_t> DeviceStateDigests(const std::vector<DeviceRows>& devices,
                                                   const core::ModelRegistry& registry);

// The fingerprint of a phase: FNV-1a over "name=digest" of every device in
// name order (a device that never started has no rows and is left out), so
// it changes when any device's synced content does, and whichever device
// holds which content matters.
uint64_t StateFingerprint(const std::vector<DeviceRows>& devices, const core::ModelRegistry& registry);

// 16 lower-case hex digits, as the trace fingerprint is printed.
std::string StateDigestHex(uint64_t digest);

}  // namespace syncsim::sim
