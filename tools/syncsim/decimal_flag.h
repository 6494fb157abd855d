// Decimal flags: how the syncsim command reads the numbers a person types
// (a seed, a seed range, a shard). Seeds are decimal only: "010" is not 8,
// "0x10" is not 16, "-5" does not wrap to 18446744073709551611 and a value
// above 2^64-1 is not clamped; each is refused with the flag named (exit 2)
// instead of silently running another seed than the one asked for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

// Sets *value and returns true when `text` is a decimal number from 0 to
// 18446744073709551615: ASCII digits only, no sign, no spaces, no leading
// zero (except "0" itself). Returns false and leaves *value alone otherwise.
bool ParseDecimalU64(std::string_view text, uint64_t* value);

// Adds option `name` (e.g. "--seed") to `command`, read with
// ParseDecimalU64 into *seed. A bad value is a CLI11 parse error that names
// the flag and the value (the tool exits 2).
// REQUIRES: `seed` outlives the parse.
void AddSeedOption(CLI::App* command, const std::string& name, std::optional<uint64_t>* seed,
                   const std::string& description);

}  // namespace syncsim::tools
