#include "sim/action/step_parse_context.h"

#include "sim/base/assert.h"
#include "sim/base/json_readers.h"

namespace syncsim::sim {

using core::Status;
using nlohmann::json;

StepParseContext::StepParseContext(const std::vector<std::pair<std::string, bool>>& devices) {
  for (const auto& [name, starts] : devices) {
    device_names_.insert(name);
    power_.Declare(name, starts);
  }
}

Status StepParseContext::ReadDevice(const json& value, const std::string& path, std::string* out) const {
  if (!value.is_string()) return Invalid(path, "expected a device name, got " + Describe(value));
  const std::string& name = value.get_ref<const std::string&>();
  if (device_names_.count(name) == 0) {
    return Invalid(path, "unknown device " + Quoted(name) + Suggestion(name, device_names_));
  }
  *out = name;
  return Status::Ok();
}

Status StepParseContext::ReadDeviceList(const json& value, const std::string& path, size_t min_count,
                                        std::vector<std::string>* out) const {
  if (!value.is_array()) return Invalid(path, "expected an array of device names, got " + Describe(value));
  if (value.size() < min_count) {
    return Invalid(path, "expected at least " + std::to_string(min_count) + " device name" +
                             (min_count == 1 ? "" : "s") + ", got " + std::to_string(value.size()));
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string element_path = ElementPath(path, i);
    std::string name;
    SYNCSIM_RETURN_IF_ERROR(ReadDevice(value[i], element_path, &name));
    for (const std::string& listed : names) {
      if (listed == name) return Invalid(element_path, "device " + Quoted(name) + " is listed twice");
    }
    names.push_back(std::move(name));
  }
  *out = std::move(names);
  return Status::Ok();
}

std::optional<std::string> StepParseContext::FirstPathOf(std::string_view topic, const std::string& key) const {
  auto found = first_paths_.find(std::make_pair(std::string(topic), key));
  if (found == first_paths_.end()) return std::nullopt;
  return found->second;
}

void StepParseContext::Record(std::string_view topic, const std::string& key, std::string path) {
  const bool inserted = first_paths_.emplace(std::make_pair(std::string(topic), key), std::move(path)).second;
  SYNCSIM_ASSERT(inserted);
}

}  // namespace syncsim::sim
