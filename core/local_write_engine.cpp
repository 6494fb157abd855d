#include "core/local_write_engine.h"

#include <cassert>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/model_registry.h"

namespace syncsim::core {

Status PrepareLocalWrite(LibraryDb& library, const LocalWrite& write, WireRecord* record) {
  const ModelSpec* spec = library.registry().Find(write.model);
  if (spec == nullptr) return Status::InvalidArgument(fmt::format("unknown model \"{}\"", write.model));
  if (write.shared != (spec->ownership == Ownership::kShared)) {
    return Status::InvalidArgument(fmt::format("model \"{}\" is {}", write.model, OwnershipName(spec->ownership)));
  }
  record->model = write.model;
  record->uuid = write.uuid;
  record->deleted = write.deleted;
  record->data = nlohmann::json::object();
  if (!write.deleted) {
    if (std::optional<nlohmann::json> existing = library.ReadWireData(*spec, write.uuid); existing.has_value()) {
      record->data = std::move(*existing);
    }
    record->data.update(write.data);
  }
  record->version = "0";  // the engine stamps it; Validate only needs it non-empty
  return Status::Ok();
}

Status LocalWriteEngine::WriteOwned(const std::string& model, const Uuid& uuid, const nlohmann::json& data) {
  return WriteLocal(LocalWrite{.model = model, .uuid = uuid, .data = data, .deleted = false, .shared = false});
}

Status LocalWriteEngine::DeleteOwned(const std::string& model, const Uuid& uuid) {
  const nlohmann::json nothing = nlohmann::json::object();
  return WriteLocal(LocalWrite{.model = model, .uuid = uuid, .data = nothing, .deleted = true, .shared = false});
}

Status LocalWriteEngine::WriteShared(const std::string& model, const Uuid& uuid, const nlohmann::json& data) {
  return WriteLocal(LocalWrite{.model = model, .uuid = uuid, .data = data, .deleted = false, .shared = true});
}

Status LocalWriteEngine::DeleteShared(const std::string& model, const Uuid& uuid) {
  const nlohmann::json nothing = nlohmann::json::object();
  return WriteLocal(LocalWrite{.model = model, .uuid = uuid, .data = nothing, .deleted = true, .shared = true});
}

void LocalWriteEngine::RegisterDevice(const Uuid& device, const std::string& device_name, const Uuid& library_id) {
  LibraryDb& database = library();
  database.SetState("device_uuid", device.ToString());
  database.SetState("device_name", device_name);
  database.SetState("library_id", library_id.ToString());
  const ModelSpec* device_model = database.registry().Find("device");
  assert(device_model != nullptr);
  if (database.LocalId(*device_model, device).has_value()) return;
  Status status = WriteShared("device", device, {{"name", device_name}, {"os", "syncsim"}});
  assert(status.ok());
  (void)status;
}

}  // namespace syncsim::core
