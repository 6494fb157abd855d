// Between a change of the log and the wire record the RecordApplier merges:
// a change's fields are the record's data, each with its version (the
// record's field_versions; for a device-owned record every field carries
// the change's HLC, as owned records merge whole).
#pragma once

#include "core/changelog/changelog_messages.h"
#include "core/messages.h"

namespace syncsim::core::changelog {

// REQUIRES: record.version is the HLC that stamped it.
Change ChangeFromRecord(const WireRecord& record, const Uuid& author, bool owned);
WireRecord RecordFromChange(const Change& change);
// The change as the last-writer-wins oracle sees a shared write.
SharedChangeEntry SharedEntryOf(const Change& change, bool existed);

}  // namespace syncsim::core::changelog
