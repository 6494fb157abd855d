// libFuzzer target: the three wire codecs (core/message_codec.h, the
// changelog engine's and the leader engine's) on arbitrary bytes. A payload
// from a peer is untrusted input: each decoder either refuses it, leaving
// its output untouched, or decodes a message whose encoding decodes again
// to the same encoding. Anything else (a crash, an escaped exception, a
// sanitizer report, a round trip that changes) is a finding. Seed corpus:
// fuzz/corpus/message_codec (payloads captured from simulated runs; a test
// keeps them decodable). Built by the fuzz preset (tools/run_fuzz.sh).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/changelog/changelog_messages.h"
#include "core/leader/leader_messages.h"
#include "core/message_codec.h"

namespace {

// A finding: libFuzzer saves the input that led here.
[[noreturn]] void Fail(const char* codec, const char* what, const std::string& encoded) {
  std::fprintf(stderr, "%s codec: %s\nencoding: %s\n", codec, what, encoded.c_str());
  std::abort();
}

// Decode with `decode`, and when it accepts, require that the encoding
// decodes again and encodes the same.
template <typename Message, typename Decode, typename Encode>
void CheckCodec(const char* codec, std::string_view payload, Message empty, Decode decode, Encode encode) {
  Message decoded = empty;
  if (!decode(payload, &decoded).ok()) return;
  const std::string encoded = encode(decoded);
  Message again = empty;
  if (!decode(encoded, &again).ok()) Fail(codec, "its own encoding of an accepted payload is refused", encoded);
  if (encode(again) != encoded) Fail(codec, "an accepted payload's encoding changes on a second round trip", encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace core = syncsim::core;
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  CheckCodec("sync", payload, core::Message(core::Heartbeat{}), core::DecodeMessage,
             [](const core::Message& message) { return core::EncodeMessage(message); });
  CheckCodec("changelog", payload, core::changelog::ChangelogMessage(core::changelog::ChangesAck{}),
             core::changelog::DecodeChangelogMessage,
             [](const core::changelog::ChangelogMessage& message) {
               return core::changelog::EncodeChangelogMessage(message);
             });
  CheckCodec("leader", payload, core::leader::LeaderMessage(core::leader::VoteReply{}),
             core::leader::DecodeLeaderMessage,
             [](const core::leader::LeaderMessage& message) { return core::leader::EncodeLeaderMessage(message); });
  return 0;
}
