// Tests of core/uuid.h: the canonical text form round trips and sorts like
// the bits, and name-based uuids are deterministic (two devices that index
// the same content must agree on its uuid without talking).
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/uuid.h"

namespace syncsim::core {
namespace {

// The version nibble: the high 4 bits of the 7th byte.
uint64_t VersionOf(const Uuid& uuid) { return (uuid.high() >> 12) & 0xf; }
// The variant: the top two bits of the 9th byte, 0b10 for RFC 4122 uuids.
uint64_t VariantOf(const Uuid& uuid) { return uuid.low() >> 62; }

TEST_CASE("core uuid: canonical form", "[core][uuid]") {
  const Uuid uuid(0x0123456789abcdefULL, 0xfedcba9876543210ULL);
  CHECK(uuid.ToString() == "01234567-89ab-cdef-fedc-ba9876543210");
  CHECK(Uuid().ToString() == "00000000-0000-0000-0000-000000000000");
  CHECK(Uuid().is_nil());
  CHECK_FALSE(uuid.is_nil());
}

TEST_CASE("core uuid: parse and format round trip", "[core][uuid]") {
  rc::prop("Parse(ToString(u)) == u, and text order equals uuid order", [](uint64_t high, uint64_t low,
                                                                         uint64_t other_high, uint64_t other_low) {
    const Uuid uuid(high, low);
    const std::optional<Uuid> parsed = Uuid::Parse(uuid.ToString());
    RC_ASSERT(parsed.has_value());
    RC_ASSERT(parsed->high() == high);
    RC_ASSERT(parsed->low() == low);

    const Uuid other(other_high, other_low);
    RC_ASSERT((uuid < other) == (uuid.ToString() < other.ToString()));
  });
}

TEST_CASE("core uuid: parse accepts upper case and rejects malformed text", "[core][uuid]") {
  const std::optional<Uuid> upper = Uuid::Parse("01234567-89AB-CDEF-FEDC-BA9876543210");
  REQUIRE(upper.has_value());
  CHECK(*upper == Uuid(0x0123456789abcdefULL, 0xfedcba9876543210ULL));

  const std::vector<std::string> malformed = {
      "",
      "01234567-89ab-cdef-fedc-ba987654321",    // too short
      "01234567-89ab-cdef-fedc-ba98765432100",  // too long
      "0123456789abcdeffedcba9876543210",       // no dashes
      "01234567_89ab-cdef-fedc-ba9876543210",   // wrong separator
      "0123456-789ab-cdef-fedc-ba9876543210",   // dash moved
      "01234567-89ab-cdef-fedc-ba987654321g",   // non-hex digit
      "{1234567-89ab-cdef-fedc-ba9876543210",   // brace
  };
  for (const std::string& text : malformed) {
    INFO("text: '" << text << "'");
    CHECK_FALSE(Uuid::Parse(text).has_value());
  }
}

TEST_CASE("core uuid: random-bits uuids are version 4", "[core][uuid]") {
  const Uuid uuid = Uuid::FromRandomBits(~0ULL, ~0ULL);
  CHECK(VersionOf(uuid) == 4);
  CHECK(VariantOf(uuid) == 2);
}

TEST_CASE("core uuid: name-based uuids are deterministic version 5", "[core][uuid]") {
  const Uuid name_space(0x6ba7b8109dad11d1ULL, 0x80b400c04fd430c8ULL);
  const Uuid first = Uuid::FromName(name_space, "blake3:0123abcd");
  const Uuid again = Uuid::FromName(name_space, "blake3:0123abcd");
  CHECK(first == again);
  CHECK(VersionOf(first) == 5);
  CHECK(VariantOf(first) == 2);
  // Same name in another namespace: another uuid.
  CHECK(Uuid::FromName(Uuid(), "blake3:0123abcd") != first);
  // The empty name is a name like any other.
  CHECK(VersionOf(Uuid::FromName(name_space, "")) == 5);
}

TEST_CASE("core uuid: distinct names give distinct uuids", "[core][uuid]") {
  rc::prop("FromName is deterministic and tells names apart", [](const std::string& name, const std::string& other) {
    const Uuid name_space(0x6ba7b8109dad11d1ULL, 0x80b400c04fd430c8ULL);
    const Uuid uuid = Uuid::FromName(name_space, name);
    RC_ASSERT(uuid == Uuid::FromName(name_space, name));
    RC_ASSERT(VersionOf(uuid) == 5u);
    RC_ASSERT(VariantOf(uuid) == 2u);
    RC_PRE(name != other);
    RC_ASSERT(uuid != Uuid::FromName(name_space, other));
  });
}

TEST_CASE("core uuid: names that differ by a trailing zero byte differ", "[core][uuid]") {
  // The name length is mixed in, so a name and the same name plus a NUL
  // (or an empty name and "\0") do not collide.
  const Uuid name_space;
  CHECK(Uuid::FromName(name_space, std::string_view("", 0)) != Uuid::FromName(name_space, std::string_view("\0", 1)));
  CHECK(Uuid::FromName(name_space, std::string_view("ab", 2)) !=
        Uuid::FromName(name_space, std::string_view("ab\0", 3)));
}

}  // namespace
}  // namespace syncsim::core
