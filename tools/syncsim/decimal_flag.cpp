#include "tools/syncsim/decimal_flag.h"

#include <charconv>

namespace syncsim::tools {

bool ParseDecimalU64(std::string_view text, uint64_t* value) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return false;
  if (text.size() > 1 && text[0] == '0') return false;  // "010" would read as octal elsewhere
  uint64_t parsed = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (error != std::errc() || end != text.data() + text.size()) return false;  // above 2^64-1
  *value = parsed;
  return true;
}

void AddSeedOption(CLI::App* command, const std::string& name, std::optional<uint64_t>* seed,
                   const std::string& description) {
  command->add_option_function<std::string>(
      name,
      [name, seed](const std::string& text) {
        uint64_t value = 0;
        if (!ParseDecimalU64(text, &value)) {
          throw CLI::ValidationError(name, "expected a decimal seed from 0 to 18446744073709551615 (digits only, "
                                           "no sign or leading zero), got \"" + text + "\"");
        }
        *seed = value;
      },
      description);
}

}  // namespace syncsim::tools
