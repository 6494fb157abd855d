// The engine seam (core/engine.h, core/engine_registry.h): engines are found
// by name, and an engine built through the registry syncs two devices using
// nothing but the interface, over a hand-made transport, clock and id
// source (no simulator).
#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine.h"
#include "core/engine_registry.h"
#include "core/library_db.h"
#include "core/model_registry.h"
#include "tests/engine_test_doubles.h"

namespace syncsim {
namespace {

using core::Uuid;

TEST_CASE("EngineRegistry: the leaderless engine is found by name, unknown names are not",
          "[core][engine_registry]") {
  CHECK(core::FindEngine("leaderless") != nullptr);
  CHECK(core::FindEngine(core::kDefaultEngineName) != nullptr);
  CHECK(core::FindEngine("raft") == nullptr);
  CHECK(core::FindEngine("") == nullptr);
  CHECK(core::FindEngine("Leaderless") == nullptr);
}

TEST_CASE("EngineRegistry: names are sorted and hold the default", "[core][engine_registry]") {
  const std::vector<std::string_view> names = core::EngineNames();
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
  CHECK(std::find(names.begin(), names.end(), core::kDefaultEngineName) != names.end());
}

using test::CountingIds;
using test::Envelope;
using test::QueueTransport;
using test::StepClock;

// One device: its database and an engine built through the registry.
struct Device {
  Device(const Uuid& uuid, const Uuid& library_id, const std::string& name, uint64_t id_seed,
         std::deque<Envelope>* queue, const core::SyncSettings* settings)
      : ids(id_seed), transport(uuid, queue) {
    REQUIRE(core::LibraryDb::Open(":memory:", core::ModelRegistry::Default(), &library).ok());
    const core::EngineFactory make = core::FindEngine(settings->engine);
    REQUIRE(make != nullptr);
    engine = make(core::EngineSetup{.library = library.get(),
                                    .clock = &clock,
                                    .ids = &ids,
                                    .transport = &transport,
                                    .hlc_observer = nullptr,
                                    .device = uuid,
                                    .library_id = library_id,
                                    .device_name = name,
                                    .settings = settings});
    engine->Start();
  }

  StepClock clock;
  CountingIds ids;
  QueueTransport transport;
  std::unique_ptr<core::LibraryDb> library;
  std::unique_ptr<core::Engine> engine;
};

TEST_CASE("Engine: an engine built through the interface syncs two devices", "[core][engine_registry]") {
  const core::SyncSettings settings;  // the default engine
  const Uuid library_id = Uuid::FromRandomBits(7, 7);
  const Uuid alice_uuid = Uuid::FromRandomBits(1, 1);
  const Uuid bob_uuid = Uuid::FromRandomBits(2, 2);
  std::deque<Envelope> queue;
  Device alice(alice_uuid, library_id, "alice", 10, &queue, &settings);
  Device bob(bob_uuid, library_id, "bob", 20, &queue, &settings);
  std::map<Uuid, Device*> devices = {{alice_uuid, &alice}, {bob_uuid, &bob}};

  const Uuid tag = alice.engine->NewUuid();
  REQUIRE(alice.engine->WriteShared("tag", tag, {{"name", "inbox"}, {"color", "red"}}).ok());
  CHECK_FALSE(alice.engine->WriteShared("no_such_model", tag, {}).ok());
  // Alice's log holds her device record and the tag; bob has not acked them.
  CHECK(alice.engine->NewestChangeHlc().has_value());
  CHECK(alice.engine->UnackedSharedChanges(bob_uuid) == 2);
  alice.transport.Connect(bob_uuid);
  bob.transport.Connect(alice_uuid);
  alice.engine->OnPeerConnected(bob_uuid);
  bob.engine->OnPeerConnected(alice_uuid);

  // Deliver and tick until nothing is left to do (bounded).
  for (int round = 0; round < 1'000 && (!queue.empty() || alice.engine->HasPendingWork() ||
                                        bob.engine->HasPendingWork());
       ++round) {
    while (!queue.empty()) {
      Envelope envelope = std::move(queue.front());
      queue.pop_front();
      REQUIRE(devices.at(envelope.to)->engine->OnMessage(envelope.from, envelope.payload).ok());
    }
    for (auto& [uuid, device] : devices) {
      device->clock.Advance(10);
      device->engine->Tick();
    }
  }

  CHECK(queue.empty());
  CHECK_FALSE(alice.engine->HasPendingWork());
  CHECK_FALSE(bob.engine->HasPendingWork());
  // Bob holds the tag and both device records; alice's change is acked.
  CHECK(bob.library->Count("tag") == 1);
  CHECK(bob.library->Count("device") == 2);
  CHECK(alice.library->Count("device") == 2);
  CHECK(alice.engine->AckingPeers() == std::vector<Uuid>{bob_uuid});
  CHECK(alice.engine->UnackedSharedChanges(bob_uuid) == 0);
  // Every peer acked every change, so the log (her two changes and bob's
  // device record, logged as it arrived) is pruned empty.
  CHECK(alice.engine->counters().log_entries_pruned == 3);
  CHECK_FALSE(alice.engine->NewestChangeHlc().has_value());
  REQUIRE(alice.engine->PeerStatuses().size() == 1);
  CHECK(alice.engine->PeerStatuses()[0].peer == bob_uuid);
  CHECK(alice.engine->PeerStatuses()[0].state == core::PeerState::kReady);
  CHECK(bob.engine->counters().messages_rejected == 0);
  CHECK(alice.engine->counters().messages_sent > 0);
  // A malformed message is rejected whole and counted.
  CHECK_FALSE(bob.engine->OnMessage(alice_uuid, "not a message").ok());
  CHECK(bob.engine->counters().messages_rejected == 1);
}

}  // namespace
}  // namespace syncsim
