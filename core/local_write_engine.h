// LocalWriteEngine: the part of an Engine every engine does the same way.
// Engine's four local writes (WriteOwned, DeleteOwned, WriteShared,
// DeleteShared) come down to one, WriteLocal, that an engine implements;
// before its own bookkeeping, an engine's WriteLocal completes the write with
// PrepareLocalWrite (the model exists and has the ownership the call named;
// an update names only the fields it changes, so the record is merged with
// what the device holds to carry every field). And every engine's Start ends
// by naming its device in the database (RegisterDevice).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/engine.h"
#include "core/library_db.h"
#include "core/messages.h"
#include "core/status.h"
#include "core/uuid.h"

namespace syncsim::core {

// One local write as the workload asked for it.
struct LocalWrite {
  const std::string& model;
  const Uuid& uuid;
  const nlohmann::json& data;  // the fields it changes (nothing for a delete)
  bool deleted = false;
  bool shared = false;
};

// Fills *record with the whole record `write` leaves: model, uuid, deleted,
// the data held merged with the fields written (empty for a delete), and
// version "0" for the engine to replace. Reads `library`, writes nothing.
// Returns InvalidArgument, and leaves *record unspecified, when the model is
// unknown or its ownership is not the one the write names.
Status PrepareLocalWrite(LibraryDb& library, const LocalWrite& write, WireRecord* record);

class LocalWriteEngine : public Engine {
 public:
  Status WriteOwned(const std::string& model, const Uuid& uuid, const nlohmann::json& data) final;
  Status DeleteOwned(const std::string& model, const Uuid& uuid) final;
  Status WriteShared(const std::string& model, const Uuid& uuid, const nlohmann::json& data) final;
  Status DeleteShared(const std::string& model, const Uuid& uuid) final;

 protected:
  // Does one local write in one transaction (see Engine's contracts of the
  // four calls). Failure: InvalidArgument, nothing written.
  virtual Status WriteLocal(const LocalWrite& write) = 0;

  // Writes the device's uuid and name and the library's id into the
  // database's state (so a snapshot explains itself) and, on a database
  // that has no `device` record of this device yet, writes it as a shared
  // record through WriteShared. REQUIRES: called from Start, once the
  // engine can take local writes.
  void RegisterDevice(const Uuid& device, const std::string& device_name, const Uuid& library_id);
};

}  // namespace syncsim::core
