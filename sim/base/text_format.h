// Small text helpers shared by the report writers: thousands separators,
// percentages, and escaping for HTML/XML.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace syncsim::sim {

// 2045 -> "2,045".
std::string Grouped(int64_t value);

// 0.9735 -> "97.4%".
std::string Percent(double share);

// Escapes &, <, >, " and ' for HTML (and XML) text and attribute values.
std::string EscapeHtml(std::string_view text);

}  // namespace syncsim::sim
