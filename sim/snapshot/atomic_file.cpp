#include "sim/snapshot/atomic_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace syncsim::sim {

core::Status WriteFileAtomically(const std::string& path, std::string_view content) {
  const std::string temporary = path + ".partial";
  std::error_code error;
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(temporary, error);
      return core::Status::IoError(path + ": cannot write");
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
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
