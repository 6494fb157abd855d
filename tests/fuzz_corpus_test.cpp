// The fuzz targets' seed corpus (fuzz/, tools/run_fuzz.sh) stays made of
// real messages: every file of fuzz/corpus/message_codec is accepted by
// exactly one of the three wire codecs, so that a codec change that makes
// the seeds unreadable (and the fuzzer start from noise) fails here.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/changelog/changelog_messages.h"
#include "core/leader/leader_messages.h"
#include "core/message_codec.h"
#include "tests/test_files.h"

namespace syncsim {
namespace {

TEST_CASE("fuzz corpus: every message seed is accepted by exactly one codec, and every kind has one", "[fuzz]") {
  const std::filesystem::path folder = std::filesystem::path(SYNCSIM_SOURCE_DIR) / "fuzz/corpus/message_codec";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) files.push_back(entry.path());
  REQUIRE(files.size() >= 18);
  std::set<std::string> kinds;
  for (const std::filesystem::path& file : files) {
    const std::string payload = testing::ReadFile(file);
    INFO(file.filename().string());
    core::Message sync = core::Heartbeat{};
    core::changelog::ChangelogMessage changelog = core::changelog::ChangesAck{};
    core::leader::LeaderMessage leader = core::leader::VoteReply{};
    const bool by_sync = core::DecodeMessage(payload, &sync).ok();
    const bool by_changelog = core::changelog::DecodeChangelogMessage(payload, &changelog).ok();
    const bool by_leader = core::leader::DecodeLeaderMessage(payload, &leader).ok();
    CHECK(int{by_sync} + int{by_changelog} + int{by_leader} == 1);
    if (by_sync) kinds.insert(std::string(core::MessageKind(sync)));
    if (by_changelog) kinds.insert(std::string(core::changelog::ChangelogMessageKind(changelog)));
    if (by_leader) kinds.insert(std::string(core::leader::LeaderMessageKind(leader)));
  }
  // Every kind the simulated engines send (the file names say which).
  CHECK(kinds.size() == 18);
}

}  // namespace
}  // namespace syncsim
