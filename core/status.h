// Status: the result of an operation that can fail for an expected reason
// (bad input, a missing dependency, a malformed message). Bugs are not
// Statuses: they are assertions.
#pragma once

#include <string>
#include <utility>

namespace syncsim::core {

class Status {
 public:
  enum class Code { kOk, kInvalidArgument, kNotFound, kCorruption, kIoError };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message) { return Status(Code::kInvalidArgument, std::move(message)); }
  static Status NotFound(std::string message) { return Status(Code::kNotFound, std::move(message)); }
  static Status Corruption(std::string message) { return Status(Code::kCorruption, std::move(message)); }
  static Status IoError(std::string message) { return Status(Code::kIoError, std::move(message)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace syncsim::core
