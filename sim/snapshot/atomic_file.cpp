#include "sim/snapshot/atomic_file.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace syncsim::sim {

core::Status CreateTemporaryBeside(const std::string& path, std::string* temporary, int* descriptor) {
  std::string name_template = path + ".partial-XXXXXX";
  std::vector<char> name(name_template.begin(), name_template.end());
  name.push_back('\0');
  // mkstemp opens with O_CREAT | O_EXCL: an existing name, a symbolic link
  // included, is never opened.
  const int opened = mkstemp(name.data());
  if (opened < 0) return core::Status::IoError(path + ": cannot create a temporary file: " + std::strerror(errno));
  *temporary = name.data();
  *descriptor = opened;
  return core::Status::Ok();
}

core::Status WriteFileAtomically(const std::string& path, std::string_view content) {
  std::string temporary;
  int descriptor = -1;
  core::Status status = CreateTemporaryBeside(path, &temporary, &descriptor);
  if (!status.ok()) return status;
  std::error_code error;
  bool written = true;
  for (size_t done = 0; done < content.size() && written;) {
    const ssize_t count = ::write(descriptor, content.data() + done, content.size() - done);
    if (count < 0 && errno == EINTR) continue;
    written = count > 0;
    if (written) done += static_cast<size_t>(count);
  }
  if (::close(descriptor) != 0) written = false;
  if (!written) {
    std::filesystem::remove(temporary, error);
    return core::Status::IoError(path + ": cannot write");
  }
  return PublishTemporary(temporary, path);
}

core::Status PublishTemporary(const std::string& temporary, const std::string& path) {
  std::error_code error;
  // mkstemp makes the file 0600; a summary or report is as readable as any
  // file the user writes.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  std::filesystem::permissions(temporary, static_cast<std::filesystem::perms>(0666 & ~mask), error);
  if (!error) std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    return core::Status::IoError(path + ": " + error.message());
  }
  return core::Status::Ok();
}

core::Status ReadWholeFile(const std::string& path, std::string* content) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return core::Status::NotFound(path + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Status::IoError(path + ": cannot read");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return core::Status::IoError(path + ": cannot read");
  *content = buffer.str();
  return core::Status::Ok();
}

}  // namespace syncsim::sim
