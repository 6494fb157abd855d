// The change-log engine (core/changelog/): range reconciliation sends only
// the change ids that differ, shared records merge per field, a delete is a
// final tombstone, and a change whose target is missing is held until the
// target arrives. Two engines talk over a hand-made queue (no simulator).
#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/changelog/change_id.h"
#include "core/changelog/changelog_messages.h"
#include "core/changelog/changelog_store.h"
#include "core/changelog/range_reconciliation.h"
#include "core/engine.h"
#include "core/engine_registry.h"
#include "core/library_db.h"
#include "core/model_registry.h"
#include "tests/engine_test_doubles.h"

namespace syncsim {
namespace {

using core::Uuid;
namespace cl = core::changelog;

// --- Pure reconciliation: two id sets answer each other until silent. ---

std::vector<std::string> Ids(const std::string& prefix, int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back(fmt::format("{}{:06d}", prefix, i));
  return ids;
}

struct ReconcileRun {
  std::set<std::string> pushed_to_a, pushed_to_b;  // ids each side was sent
  size_t messages = 0;
  size_t ids_listed = 0;  // ids carried in id lists, both ways
  bool matched = false;
};

ReconcileRun RunReconcile(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  auto in_range = [](const std::vector<std::string>& set) {
    return [&set](const std::string& lo, const std::string& hi) {
      std::vector<std::string> out;
      for (const std::string& id : set) {
        if (id >= lo && id < hi) out.push_back(id);
      }
      return out;
    };
  };
  ReconcileRun run;
  std::vector<cl::RangeItem> to_b = {cl::RootItem(a)};
  bool b_turn = true;
  for (int round = 0; round < 100 && !to_b.empty(); ++round) {
    ++run.messages;
    for (const cl::RangeItem& item : to_b) run.ids_listed += item.ids.size();
    const cl::ReconcileStep step = cl::Reconcile(to_b, in_range(b_turn ? b : a));
    run.matched = run.matched || step.root_matched;
    for (const std::string& id : step.push) (b_turn ? run.pushed_to_a : run.pushed_to_b).insert(id);
    to_b = step.reply;
    b_turn = !b_turn;
  }
  return run;
}

TEST_CASE("Changelog reconciliation: equal sets match at the root in one message", "[core][changelog]") {
  const std::vector<std::string> ids = Ids("a", 5'000);
  const ReconcileRun run = RunReconcile(ids, ids);
  CHECK(run.matched);
  CHECK(run.pushed_to_a.empty());
  CHECK(run.pushed_to_b.empty());
  CHECK(run.messages == 2);  // the root check and its match
  CHECK(run.ids_listed == 0);
}

TEST_CASE("Changelog reconciliation: only the differing ids are pushed", "[core][changelog]") {
  std::vector<std::string> common = Ids("c", 4'000);
  std::vector<std::string> a = common;
  std::vector<std::string> b = common;
  const std::vector<std::string> only_a = {"c000100x", "c002500x", "c003999x"};
  const std::vector<std::string> only_b = {"c001234y", "c003000y"};
  a.insert(a.end(), only_a.begin(), only_a.end());
  b.insert(b.end(), only_b.begin(), only_b.end());
  const ReconcileRun run = RunReconcile(a, b);
  CHECK(run.pushed_to_b == std::set<std::string>(only_a.begin(), only_a.end()));
  CHECK(run.pushed_to_a == std::set<std::string>(only_b.begin(), only_b.end()));
  // Only the few ranges around the differences were listed, not the log.
  CHECK(run.ids_listed < 200);
  CHECK_FALSE(run.matched);
}

TEST_CASE("Changelog reconciliation: an empty side is sent everything", "[core][changelog]") {
  const std::vector<std::string> a = Ids("x", 300);
  const ReconcileRun run = RunReconcile(a, {});
  CHECK(run.pushed_to_b == std::set<std::string>(a.begin(), a.end()));
  CHECK(run.pushed_to_a.empty());
  const ReconcileRun back = RunReconcile({}, a);
  CHECK(back.pushed_to_a == std::set<std::string>(a.begin(), a.end()));
}

TEST_CASE("Changelog change ids sort in HLC order", "[core][changelog]") {
  const Uuid device = Uuid::FromRandomBits(3, 3);
  const std::string earlier = cl::ChangeIdFromHlc(core::Hlc{1'000, 5, device});
  const std::string later_counter = cl::ChangeIdFromHlc(core::Hlc{1'000, 6, device});
  const std::string later_ms = cl::ChangeIdFromHlc(core::Hlc{1'001, 0, device});
  CHECK(earlier < later_counter);
  CHECK(later_counter < later_ms);
  CHECK(later_ms < std::string(cl::kChangeIdEnd));
  CHECK(cl::ChangeIdFromHlcText(core::Hlc{1'000, 5, device}.ToString()) == earlier);
  CHECK_FALSE(cl::ChangeIdFromHlcText("not an hlc").has_value());
}

TEST_CASE("Changelog messages round trip and reject damage", "[core][changelog]") {
  cl::ChangesBatch batch{.library = Uuid::FromRandomBits(1, 2), .batch_id = 9};
  const core::Hlc hlc{77, 1, Uuid::FromRandomBits(4, 4)};
  batch.changes.push_back(cl::Change{.id = cl::ChangeIdFromHlc(hlc),
                                     .model = "tag",
                                     .record_uuid = Uuid::FromRandomBits(5, 5),
                                     .author = hlc.device,
                                     .hlc = hlc.ToString(),
                                     .fields = {{"name", {"inbox", hlc.ToString()}}}});
  const std::string payload = cl::EncodeChangelogMessage(batch);
  cl::ChangelogMessage decoded;
  REQUIRE(cl::DecodeChangelogMessage(payload, &decoded).ok());
  CHECK(std::get<cl::ChangesBatch>(decoded) == batch);
  CHECK_FALSE(cl::DecodeChangelogMessage(payload.substr(0, payload.size() - 2), &decoded).ok());
  CHECK_FALSE(cl::DecodeChangelogMessage("{\"kind\":\"ChangelogAck\"}", &decoded).ok());
}

// --- Two engines over a queue. ---

using test::CountingIds;
using test::Envelope;
using test::QueueTransport;
using test::StepClock;

struct Device {
  Device(const Uuid& device_uuid, const std::string& name, uint64_t id_seed, std::deque<Envelope>* queue,
         const core::SyncSettings* settings)
      : uuid(device_uuid), ids(id_seed), transport(device_uuid, queue) {
    REQUIRE(core::LibraryDb::Open(":memory:", core::ModelRegistry::Default(), &library).ok());
    const core::EngineFactory make = core::FindEngine("changelog");
    REQUIRE(make != nullptr);
    engine = make(core::EngineSetup{.library = library.get(),
                                    .clock = &clock,
                                    .ids = &ids,
                                    .transport = &transport,
                                    .hlc_observer = nullptr,
                                    .device = uuid,
                                    .library_id = Uuid::FromRandomBits(7, 7),
                                    .device_name = name,
                                    .settings = settings});
    engine->Start();
  }
  std::optional<nlohmann::json> Read(const std::string& model, const Uuid& record) {
    return library->ReadWireData(*library->registry().Find(model), record);
  }

  Uuid uuid;
  StepClock clock;
  CountingIds ids;
  QueueTransport transport;
  std::unique_ptr<core::LibraryDb> library;
  std::unique_ptr<core::Engine> engine;
};

struct Pair {
  Pair()
      : alice(Uuid::FromRandomBits(1, 1), "alice", 10, &queue, &Default()),
        bob(Uuid::FromRandomBits(2, 2), "bob", 20, &queue, &Default()) {}
  static const core::SyncSettings& Default() {
    static const core::SyncSettings settings = [] {
      core::SyncSettings s;
      s.engine = "changelog";
      return s;
    }();
    return settings;
  }
  Device& Of(const Uuid& uuid) { return uuid == alice.uuid ? alice : bob; }
  void Connect() {
    alice.engine->OnPeerConnected(bob.uuid);
    bob.engine->OnPeerConnected(alice.uuid);
  }
  void Disconnect() {
    alice.engine->OnPeerDisconnected(bob.uuid);
    bob.engine->OnPeerDisconnected(alice.uuid);
    queue.clear();
  }
  // Delivers and ticks until nothing is left (bounded).
  void Settle() {
    for (int round = 0; round < 2'000; ++round) {
      if (queue.empty() && !alice.engine->HasPendingWork() && !bob.engine->HasPendingWork()) return;
      while (!queue.empty()) {
        Envelope envelope = std::move(queue.front());
        queue.pop_front();
        REQUIRE(Of(envelope.to).engine->OnMessage(envelope.from, envelope.payload).ok());
      }
      for (Device* device : {&alice, &bob}) {
        device->clock.Advance(10);
        device->engine->Tick();
      }
    }
    FAIL("the pair did not settle");
  }

  std::deque<Envelope> queue;
  Device alice;
  Device bob;
};

TEST_CASE("Changelog engine: a reconnect sends only the changes the peer lacks", "[core][changelog]") {
  Pair pair;
  for (int i = 0; i < 150; ++i) {
    REQUIRE(pair.alice.engine->WriteShared("tag", pair.alice.engine->NewUuid(), {{"name", fmt::format("t{}", i)}}).ok());
  }
  pair.Connect();
  pair.Settle();
  CHECK(pair.bob.library->Count("tag") == 150);
  CHECK(pair.alice.engine->UnackedSharedChanges(pair.bob.uuid) == 0);
  CHECK(pair.bob.engine->UnackedSharedChanges(pair.alice.uuid) == 0);
  REQUIRE(pair.alice.engine->PeerStatuses().size() == 1);
  CHECK(pair.alice.engine->PeerStatuses()[0].state == core::PeerState::kReady);

  pair.Disconnect();
  const Uuid alice_tag = pair.alice.engine->NewUuid();
  const Uuid bob_tag = pair.bob.engine->NewUuid();
  REQUIRE(pair.alice.engine->WriteShared("tag", alice_tag, {{"name", "late-a"}}).ok());
  REQUIRE(pair.bob.engine->WriteShared("tag", bob_tag, {{"name", "late-b"}}).ok());
  const uint64_t alice_sent = pair.alice.engine->counters().shared_changes_sent;
  const uint64_t bob_sent = pair.bob.engine->counters().shared_changes_sent;
  pair.Connect();
  pair.Settle();
  // 153 changes in each log; one each differed, and only that one went.
  CHECK(pair.alice.engine->counters().shared_changes_sent - alice_sent == 1);
  CHECK(pair.bob.engine->counters().shared_changes_sent - bob_sent == 1);
  CHECK(pair.alice.Read("tag", bob_tag).has_value());
  CHECK(pair.bob.Read("tag", alice_tag).has_value());
  CHECK(pair.alice.engine->UnackedSharedChanges(pair.bob.uuid) == 0);
}

TEST_CASE("Changelog engine: concurrent edits of different fields both survive", "[core][changelog]") {
  Pair pair;
  const Uuid tag = pair.alice.engine->NewUuid();
  REQUIRE(pair.alice.engine->WriteShared("tag", tag, {{"name", "inbox"}, {"color", "red"}}).ok());
  pair.Connect();
  pair.Settle();
  pair.Disconnect();
  // Bob's edit is later by HLC, but it names only the colour.
  pair.alice.clock.Advance(100);
  REQUIRE(pair.alice.engine->WriteShared("tag", tag, {{"name", "archive"}}).ok());
  pair.bob.clock.Advance(500);
  REQUIRE(pair.bob.engine->WriteShared("tag", tag, {{"color", "blue"}}).ok());
  pair.Connect();
  pair.Settle();
  const nlohmann::json expected = {{"name", "archive"}, {"color", "blue"}};
  CHECK(pair.alice.Read("tag", tag) == expected);
  CHECK(pair.bob.Read("tag", tag) == expected);
}

TEST_CASE("Changelog engine: the record-version-guard defect loses the other field's edit", "[core][changelog]") {
  core::SyncSettings settings;
  settings.engine = "changelog";
  settings.defects.insert(std::string(core::kDefectChangelogRecordVersionGuard));
  std::deque<Envelope> queue;
  Device alice(Uuid::FromRandomBits(1, 1), "alice", 10, &queue, &settings);
  Device bob(Uuid::FromRandomBits(2, 2), "bob", 20, &queue, &settings);
  auto settle = [&] {
    for (int round = 0; round < 2'000 && (!queue.empty() || alice.engine->HasPendingWork() ||
                                          bob.engine->HasPendingWork());
         ++round) {
      while (!queue.empty()) {
        Envelope envelope = std::move(queue.front());
        queue.pop_front();
        REQUIRE((envelope.to == alice.uuid ? alice : bob).engine->OnMessage(envelope.from, envelope.payload).ok());
      }
      alice.clock.Advance(10);
      alice.engine->Tick();
      bob.clock.Advance(10);
      bob.engine->Tick();
    }
  };
  const Uuid tag = alice.engine->NewUuid();
  REQUIRE(alice.engine->WriteShared("tag", tag, {{"name", "inbox"}, {"color", "red"}}).ok());
  alice.engine->OnPeerConnected(bob.uuid);
  bob.engine->OnPeerConnected(alice.uuid);
  settle();
  alice.engine->OnPeerDisconnected(bob.uuid);
  bob.engine->OnPeerDisconnected(alice.uuid);
  queue.clear();
  alice.clock.Advance(100);
  REQUIRE(alice.engine->WriteShared("tag", tag, {{"name", "archive"}}).ok());
  bob.clock.Advance(500);
  REQUIRE(bob.engine->WriteShared("tag", tag, {{"color", "blue"}}).ok());
  alice.engine->OnPeerConnected(bob.uuid);
  bob.engine->OnPeerConnected(alice.uuid);
  settle();
  // Bob's whole record (with the old name) wins: alice's rename is lost.
  const nlohmann::json lost = {{"name", "inbox"}, {"color", "blue"}};
  CHECK(alice.Read("tag", tag) == lost);
  CHECK(bob.Read("tag", tag) == lost);
}

TEST_CASE("Changelog engine: a delete is final against a later concurrent edit", "[core][changelog]") {
  Pair pair;
  const Uuid tag = pair.alice.engine->NewUuid();
  REQUIRE(pair.alice.engine->WriteShared("tag", tag, {{"name", "inbox"}}).ok());
  pair.Connect();
  pair.Settle();
  pair.Disconnect();
  REQUIRE(pair.alice.engine->DeleteShared("tag", tag).ok());
  pair.bob.clock.Advance(5'000);  // bob's edit has the greater HLC
  REQUIRE(pair.bob.engine->WriteShared("tag", tag, {{"name", "renamed"}}).ok());
  pair.Connect();
  pair.Settle();
  CHECK_FALSE(pair.alice.Read("tag", tag).has_value());
  CHECK_FALSE(pair.bob.Read("tag", tag).has_value());
  CHECK(pair.alice.library->Count("tag") == 0);
  CHECK(pair.bob.library->Count("tag") == 0);
}

TEST_CASE("Changelog engine: a change whose target is missing is held until it arrives", "[core][changelog]") {
  Pair pair;
  const Uuid parent = pair.alice.engine->NewUuid();
  const Uuid child = pair.alice.engine->NewUuid();
  const Uuid link = pair.alice.engine->NewUuid();
  REQUIRE(pair.alice.engine->WriteShared("tag", parent, {{"name", "parent"}}).ok());
  REQUIRE(pair.alice.engine->WriteShared("tag", child, {{"name", "child"}}).ok());
  REQUIRE(pair.alice.engine->WriteShared("tag_relationship", link,
                                         {{"strength", 3},
                                          {"parent_tag_uuid", parent.ToString()},
                                          {"child_tag_uuid", child.ToString()}})
              .ok());
  // Bob knows alice is connected, but hears nothing else from her yet.
  pair.bob.engine->OnPeerConnected(pair.alice.uuid);
  pair.queue.clear();
  cl::ChangelogStore alice_log(pair.alice.library.get());
  std::vector<cl::Change> changes;
  for (const std::string& id : alice_log.IdsInRange("", std::string(cl::kChangeIdEnd))) {
    changes.push_back(alice_log.Read(id).value());
  }
  auto send = [&](const std::string& model, uint64_t batch_id) {
    cl::ChangesBatch batch{.library = Uuid::FromRandomBits(7, 7), .batch_id = batch_id};
    for (const cl::Change& change : changes) {
      if (change.model == model) batch.changes.push_back(change);
    }
    REQUIRE(pair.bob.engine->OnMessage(pair.alice.uuid, cl::EncodeChangelogMessage(batch)).ok());
  };
  send("tag_relationship", 1);
  CHECK(pair.bob.library->Count("tag_relationship") == 0);
  cl::ChangelogStore bob_log(pair.bob.library.get());
  CHECK(bob_log.UnmergedIds().size() == 1);
  send("tag", 2);
  CHECK(pair.bob.library->Count("tag") == 2);
  CHECK(pair.bob.library->Count("tag_relationship") == 1);
  CHECK(bob_log.UnmergedIds().empty());
  CHECK(pair.bob.Read("tag_relationship", link) == pair.alice.Read("tag_relationship", link));
}

TEST_CASE("Changelog engine: owned changes merge in the owner's order, so a folder delete keeps a moved-out file",
          "[core][changelog]") {
  Pair pair;
  core::Engine& alice = *pair.alice.engine;
  const Uuid location = alice.NewUuid();
  const Uuid root = alice.NewUuid();
  const Uuid folder = alice.NewUuid();
  const Uuid file = alice.NewUuid();
  REQUIRE(alice.WriteOwned("location", location, {{"name", "Docs"}, {"path", "/Docs"}, {"total_entries", 3},
                                                  {"device_uuid", pair.alice.uuid.ToString()}, {"entry_uuid", nullptr}})
              .ok());
  auto entry = [&](const Uuid& uuid, const std::string& name, int kind, const nlohmann::json& parent) {
    REQUIRE(alice.WriteOwned("entry", uuid, {{"name", name}, {"extension", nullptr}, {"kind", kind}, {"size", 1},
                                             {"modified_at", 0}, {"location_uuid", location.ToString()},
                                             {"parent_uuid", parent}, {"content_uuid", nullptr},
                                             {"metadata_uuid", nullptr}})
                .ok());
  };
  entry(root, "root", 1, nullptr);
  entry(folder, "folder", 1, root.ToString());
  entry(file, "file", 0, folder.ToString());
  const std::string before_move = cl::ChangelogStore(pair.alice.library.get()).NewestIdBy(pair.alice.uuid);
  REQUIRE(alice.WriteOwned("entry", file, {{"parent_uuid", root.ToString()}}).ok());  // out of the folder
  const std::string move = cl::ChangelogStore(pair.alice.library.get()).NewestIdBy(pair.alice.uuid);
  REQUIRE(alice.DeleteOwned("entry", folder).ok());
  CHECK(pair.alice.Read("entry", file).has_value());

  pair.bob.engine->OnPeerConnected(pair.alice.uuid);
  pair.queue.clear();
  cl::ChangelogStore alice_log(pair.alice.library.get());
  uint64_t batch_id = 0;
  auto send = [&](const std::vector<std::string>& ids) {
    cl::ChangesBatch batch{.library = Uuid::FromRandomBits(7, 7), .batch_id = ++batch_id};
    for (const std::string& id : ids) batch.changes.push_back(alice_log.Read(id).value());
    REQUIRE(pair.bob.engine->OnMessage(pair.alice.uuid, cl::EncodeChangelogMessage(batch)).ok());
  };
  // Everything up to the move arrives, then the folder's delete, and only
  // then the move: the delete must wait for it.
  std::vector<std::string> early, late;
  for (const std::string& id : alice_log.IdsInRange("", std::string(cl::kChangeIdEnd))) {
    if (id <= before_move) early.push_back(id);
    if (id > move) late.push_back(id);
  }
  send(early);
  CHECK(pair.bob.Read("entry", file).has_value());
  send(late);
  CHECK(pair.bob.Read("entry", folder).has_value());  // held: the move before it is missing
  send({move});
  CHECK_FALSE(pair.bob.Read("entry", folder).has_value());
  REQUIRE(pair.bob.Read("entry", file).has_value());
  CHECK(pair.bob.Read("entry", file) == pair.alice.Read("entry", file));
  CHECK(cl::ChangelogStore(pair.bob.library.get()).UnmergedIds().empty());
}

TEST_CASE("Changelog engine: a malformed or foreign message is rejected whole", "[core][changelog]") {
  Pair pair;
  pair.Connect();
  CHECK_FALSE(pair.bob.engine->OnMessage(pair.alice.uuid, "not a message").ok());
  cl::ChangesAck ack{.library = Uuid::FromRandomBits(9, 9), .batch_id = 1};
  CHECK_FALSE(pair.bob.engine->OnMessage(pair.alice.uuid, cl::EncodeChangelogMessage(ack)).ok());
  CHECK(pair.bob.engine->counters().messages_rejected == 2);
}

}  // namespace
}  // namespace syncsim
