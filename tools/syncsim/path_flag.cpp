#include "tools/syncsim/path_flag.h"

#include <unistd.h>

#include <filesystem>

#include "sim/snapshot/atomic_file.h"

namespace syncsim::tools {

CLI::Validator NonEmptyPath() {
  return CLI::Validator(
      [](const std::string& value) { return value.empty() ? std::string("expected a path, got an empty string") : ""; },
      "PATH");
}

bool CanWriteBeside(const std::string& path, std::string* problem) {
  std::string temporary;
  int descriptor = -1;
  const core::Status status = sim::CreateTemporaryBeside(path, &temporary, &descriptor);
  if (!status.ok()) {
    *problem = status.message();
    return false;
  }
  ::close(descriptor);
  std::error_code ignored;
  std::filesystem::remove(temporary, ignored);
  return true;
}

}  // namespace syncsim::tools
