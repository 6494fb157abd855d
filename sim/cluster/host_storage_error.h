// HostStorageError: the disk of the machine running syncsim failed under a
// device database that is not on the simulated disk (the fast mode: in
// memory, or real files under --db-dir), for example a full disk. Unlike a
// StorageError of the fault VFS, it is no simulated fault for the device to
// survive: the run cannot go on, and RunScenario reports it as an error
// naming the database (exit 2) instead of the process aborting.
#pragma once

#include <stdexcept>
#include <string>

namespace syncsim::sim {

class HostStorageError : public std::runtime_error {
 public:
  explicit HostStorageError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace syncsim::sim
