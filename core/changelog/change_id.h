// Change ids of the change-log engine (`sync.engine: changelog`): every
// change is named by a UUIDv7-like id derived from the HLC that stamped it,
// so that ids sort in HLC order and set reconciliation can cut the id space
// into ranges that mean the same on every device.
//
// Form: 12 hex digits of the HLC's milliseconds (48 bits, as UUIDv7's
// unix_ts_ms), '-', 8 hex digits of its counter, '-', the device uuid (58
// characters). Lower case and fixed width: byte order is HLC order.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/hlc.h"

namespace syncsim::core::changelog {

// Above every change id: the open end of the whole id range.
inline constexpr std::string_view kChangeIdEnd = "~";

// The id of the change stamped with `hlc`.
// REQUIRES: hlc.timestamp_ms < 2^48.
std::string ChangeIdFromHlc(const Hlc& hlc);

// The id of the change stamped with the HLC string `hlc_text`, or nullopt
// when it is not a canonical HLC (or its milliseconds do not fit 48 bits).
std::optional<std::string> ChangeIdFromHlcText(std::string_view hlc_text);

}  // namespace syncsim::core::changelog
