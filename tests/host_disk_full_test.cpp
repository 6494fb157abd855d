// The disk of the machine running syncsim fills up under --db-dir (issue 19
// item 4): the run ends with an error naming the database (exit 2), not an
// abort (exit 134, a core dump). The full disk is a file size limit
// (ulimit -f, with SIGXFSZ ignored, so that a write past it fails as a
// full disk's would).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "tests/test_files.h"

namespace syncsim {
namespace {

namespace fs = std::filesystem;

TEST_CASE("a full host disk under --db-dir is an error naming the database, not an abort", "[cli][storage]") {
  const fs::path dir = fs::temp_directory_path() / "syncsim-host-disk-full-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path output = dir / "output.txt";
  // 256 KiB per file: room for the schema (64 KiB fails the open, which
  // was reported well before), not for the first second of indexing.
  const std::string command = "bash -c \"trap '' XFSZ; ulimit -f 256; " + std::string(SYNCSIM_BINARY) + " run " +
                              SYNCSIM_SOURCE_DIR + "/scenarios/regression/realtime_alice_to_bob.json --db-dir " +
                              (dir / "db").string() + " --no-snapshot\" > " + output.string() + " 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  const std::string printed = testing::ReadFile(output);
  INFO(printed);
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(printed.find((dir / "db").string()) != std::string::npos);
  CHECK(printed.find("the disk failed under device") != std::string::npos);
}

}  // namespace
}  // namespace syncsim
