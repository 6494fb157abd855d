// Transport: how the sync core talks to its peers. The simulator implements
// it over the mock network; the core never opens a socket. Connection events
// travel the other way: the owner of an Engine (core/engine.h) calls its
// OnPeerConnected / OnPeerDisconnected when the transport reports them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/uuid.h"

namespace syncsim::core {

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one encoded message to `peer`. Fire and forget: the message may be
  // lost, duplicated or reordered; the core's retries and idempotent applies
  // cope. `kind` is the message's kind name, used for tracing only.
  virtual void Send(const Uuid& peer, std::string_view kind, std::string payload) = 0;
  // The peers this device currently has a sync connection with, sorted.
  virtual std::vector<Uuid> ConnectedPeers() const = 0;
};

}  // namespace syncsim::core
