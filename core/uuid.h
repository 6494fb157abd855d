// Uuid: a 128-bit global identifier. Local integer ids never leave a device;
// every record and every foreign key travels as a Uuid. Random-looking uuids
// come from an IdSource (seeded by the simulator); content identities derive
// theirs from the content hash (name-based, v5 style) so that two devices
// that identify the same content agree without talking.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace syncsim::core {

class Uuid {
 public:
  Uuid() = default;  // the nil uuid
  Uuid(uint64_t high, uint64_t low) : high_(high), low_(low) {}

  // Builds a version-4 style uuid from 128 bits (the version and variant bits
  // are overwritten).
  static Uuid FromRandomBits(uint64_t high, uint64_t low);
  // Builds a version-5 style (name-based) uuid: a deterministic 128-bit hash
  // of `namespace_uuid` and `name`. Same inputs, same uuid, on every device.
  static Uuid FromName(const Uuid& namespace_uuid, std::string_view name);
  // Parses the canonical 36-character form (lower or upper case hex).
  // Returns nullopt on any other input.
  static std::optional<Uuid> Parse(std::string_view text);

  bool is_nil() const { return high_ == 0 && low_ == 0; }
  uint64_t high() const { return high_; }
  uint64_t low() const { return low_; }
  // Canonical lower-case 8-4-4-4-12 form; sorts like the uuid's bits.
  std::string ToString() const;

  auto operator<=>(const Uuid&) const = default;

 private:
  uint64_t high_ = 0;
  uint64_t low_ = 0;
};

// IdSource: where the core gets new record uuids. The simulator implements it
// with a seeded stream, so ids are reproducible from the seed.
class IdSource {
 public:
  virtual ~IdSource() = default;
  // Returns a fresh uuid, never the nil uuid.
  virtual Uuid NewUuid() = 0;
};

}  // namespace syncsim::core
