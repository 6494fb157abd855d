// Tests for sim/kernel/network.h: message fates under each fault (drop, duplicate,
// partitions, disconnects, crashed nodes), connection notifications, and
// reproducibility of a whole faulty run from its seed.
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/kernel/network.h"
#include "sim/kernel/random.h"
#include "sim/kernel/scheduler.h"
#include "sim/kernel/trace.h"

namespace {

using syncsim::sim::Envelope;
using syncsim::sim::LinkSettings;
using syncsim::sim::MessageCounts;
using syncsim::sim::Network;
using syncsim::sim::Random;
using syncsim::sim::Scheduler;
using syncsim::sim::SchedulerSettings;
using syncsim::sim::SeedStreams;
using syncsim::sim::Trace;

struct Received {
  int64_t time_us;
  Envelope envelope;
};

LinkSettings FixedLatency(int64_t latency_us) {
  return LinkSettings{.latency_us_min = latency_us, .latency_us_max = latency_us, .drop = 0, .duplicate = 0};
}

// Three nodes a, b, c, all connected (notifications already delivered), with
// every delivery and notification recorded.
struct World {
  explicit World(LinkSettings link, uint64_t seed = 1)
      : scheduler(SchedulerSettings{.events_max = 1'000'000}, Random(seed), &trace),
        network(scheduler, Random(seed + 1000), trace, link) {
    trace.SetSink(&sink);
    for (const std::string name : {"a", "b", "c"}) {
      network.AddNode(
          name, [this](const Envelope& envelope) { received.push_back(Received{scheduler.now_us(), envelope}); },
          [this, name](const std::string& peer, bool connected) {
            notifications.push_back(name + ":" + peer + (connected ? ":up" : ":down"));
          });
    }
    network.Connect("a", "b");
    network.Connect("a", "c");
    network.Connect("b", "c");
    scheduler.RunUntil(0);
    notifications.clear();
  }

  void Drain() {
    while (scheduler.RunNext()) {
    }
  }
  size_t DeliveredCount(uint64_t message_id) const {
    return static_cast<size_t>(std::count_if(received.begin(), received.end(), [message_id](const Received& r) {
      return r.envelope.message_id == message_id;
    }));
  }
  // Copies conserved: every copy is delivered, dropped, in flight or held.
  bool Conserved() const {
    const MessageCounts counts = network.counts();
    return counts.sent + counts.duplicated == counts.delivered + counts.dropped + network.in_flight() + network.held();
  }

  Trace trace;
  std::ostringstream sink;
  Scheduler scheduler;
  Network network;
  std::vector<Received> received;
  std::vector<std::string> notifications;
};

struct RunResult {
  std::string trace_text;
  uint64_t fingerprint;
  MessageCounts counts;
};

// A small faulty run: three nodes ping random peers every 5 ms and answer
// pings, over lossy, duplicating, reordering links, with a partition from
// 100 ms to 200 ms.
RunResult RunScenario(uint64_t seed) {
  const SeedStreams streams(seed);
  Trace trace;
  std::ostringstream sink;
  trace.SetSink(&sink);
  Scheduler scheduler(SchedulerSettings{.events_max = 100'000}, streams.Stream("scheduler"), &trace);
  Network network(scheduler, streams.Stream("network"), trace,
                  LinkSettings{.latency_us_min = 1000, .latency_us_max = 20'000, .drop = 0.1, .duplicate = 0.1});
  Random workload = streams.Stream("workload");
  const std::vector<std::string> names = {"a", "b", "c"};
  for (const std::string& name : names) {
    network.AddNode(
        name,
        [&network, name](const Envelope& envelope) {
          if (envelope.kind == "ping") network.Send(name, envelope.from, "pong", envelope.payload);
        },
        [](const std::string&, bool) {});
  }
  network.Connect("a", "b");
  network.Connect("a", "c");
  network.Connect("b", "c");
  int64_t start_us = 0;
  for (const std::string& name : names) {
    scheduler.ScheduleEvery(start_us, 5000, "tick " + name, [&network, &workload, name] {
      const std::vector<std::string> peers = network.ConnectedPeers(name);
      network.Send(name, workload.Choice(peers), "ping", std::string(workload.Uniform(100), 'x'));
    });
    start_us += 1000;
  }
  scheduler.ScheduleAt(100'000, "partition", [&network] { network.Partition({{"a"}, {"b", "c"}}, false); });
  scheduler.ScheduleAt(200'000, "heal", [&network] { network.Heal(true); });
  scheduler.RunUntil(300'000);
  return RunResult{sink.str(), trace.fingerprint(), network.counts()};
}

}  // namespace

TEST_CASE("Network: with faults off every message is delivered exactly once", "[sim]") {
  World world(LinkSettings{.latency_us_min = 1000, .latency_us_max = 40'000});
  Random workload(99);
  const std::vector<std::string> names = {"a", "b", "c"};
  std::map<uint64_t, int64_t> sent_at_us;
  std::map<uint64_t, std::string> payload_of;
  for (int burst = 0; burst < 10; burst++) {
    world.scheduler.ScheduleAt(burst * 3000, "burst", [&] {
      for (int index = 0; index < 30; index++) {
        const std::string& from = workload.Choice(names);
        std::string to = workload.Choice(names);
        while (to == from) to = workload.Choice(names);
        const std::string payload = "payload " + std::to_string(workload.NextU64());
        const uint64_t id = world.network.Send(from, to, "push", payload);
        sent_at_us[id] = world.scheduler.now_us();
        payload_of[id] = payload;
        CHECK(world.Conserved());
      }
    });
  }
  world.Drain();
  REQUIRE(sent_at_us.size() == 300);
  CHECK(world.received.size() == 300);
  for (const auto& [id, time_us] : sent_at_us) CHECK(world.DeliveredCount(id) == 1);
  bool reordered = false;
  std::map<std::pair<std::string, std::string>, uint64_t> last_id_on_link;
  for (const Received& received : world.received) {
    const Envelope& envelope = received.envelope;
    CHECK(envelope.payload == payload_of[envelope.message_id]);
    CHECK(envelope.size_bytes == envelope.payload.size() + Network::message_header_bytes);
    const int64_t latency_us = received.time_us - sent_at_us[envelope.message_id];
    CHECK(latency_us >= 1000);
    CHECK(latency_us <= 40'000);
    uint64_t& last_id = last_id_on_link[{envelope.from, envelope.to}];
    if (envelope.message_id < last_id) reordered = true;
    last_id = std::max(last_id, envelope.message_id);
  }
  CHECK(reordered);  // Random latencies let later messages overtake.
  const MessageCounts counts = world.network.counts();
  CHECK(counts == MessageCounts{.sent = 300, .delivered = 300});
  CHECK(world.trace.message_counts() == counts);
  CHECK(world.network.in_flight() == 0);
  CHECK(world.Conserved());
}

TEST_CASE("Network: drop 1.0 delivers nothing", "[sim]") {
  World world(LinkSettings{.latency_us_min = 10, .latency_us_max = 100, .drop = 1.0});
  for (int index = 0; index < 50; index++) world.network.Send("a", "b", "push", "x");
  CHECK(world.network.in_flight() == 0);
  world.Drain();
  CHECK(world.received.empty());
  CHECK(world.network.counts() == MessageCounts{.sent = 50, .dropped = 50});
  CHECK(world.sink.str().find("\"fate\":\"dropped_random\"") != std::string::npos);
}

TEST_CASE("Network: duplicate 1.0 delivers each message twice", "[sim]") {
  World world(LinkSettings{.latency_us_min = 10, .latency_us_max = 5000, .duplicate = 1.0});
  std::vector<uint64_t> ids;
  for (int index = 0; index < 50; index++) ids.push_back(world.network.Send("b", "c", "push", "x"));
  CHECK(world.network.in_flight() == 100);
  world.Drain();
  for (const uint64_t id : ids) CHECK(world.DeliveredCount(id) == 2);
  CHECK(world.network.counts() == MessageCounts{.sent = 50, .delivered = 100, .duplicated = 50});
  CHECK(world.trace.message_counts() == world.network.counts());
}

TEST_CASE("Network: per-link settings override the default link", "[sim]") {
  World world(FixedLatency(1000));
  world.network.SetLink("a", "b", LinkSettings{.latency_us_min = 7000, .latency_us_max = 7000, .drop = 1.0});
  world.network.SetLink("b", "a", FixedLatency(3000));
  world.network.Send("a", "b", "push", "");
  world.network.Send("b", "a", "push", "");
  world.network.Send("a", "c", "push", "");
  world.Drain();
  REQUIRE(world.received.size() == 2);
  CHECK(world.received[0].envelope.to == "c");
  CHECK(world.received[0].time_us == 1000);
  CHECK(world.received[1].envelope.to == "a");
  CHECK(world.received[1].time_us == 3000);
  world.network.SetDefaultLink(FixedLatency(500));
  world.network.Send("c", "a", "push", "");
  world.Drain();
  CHECK(world.received.back().time_us == 3500);
}

TEST_CASE("Network: a partition holds traffic both ways and heal releases it", "[sim]") {
  World world(FixedLatency(1000));
  world.network.Partition({{"a", "b"}}, false);  // c is in the extra group.
  CHECK(world.network.partitioned());
  const uint64_t inside = world.network.Send("a", "b", "push", "");
  const uint64_t out = world.network.Send("a", "c", "push", "");
  const uint64_t in = world.network.Send("c", "b", "push", "");
  world.Drain();
  CHECK(world.DeliveredCount(inside) == 1);
  CHECK(world.DeliveredCount(out) == 0);
  CHECK(world.DeliveredCount(in) == 0);
  CHECK(world.network.held() == 2);
  CHECK(world.network.in_flight() == 0);
  CHECK(world.notifications.empty());  // A partition is not announced.
  CHECK(world.Conserved());

  world.scheduler.RunUntil(10'000);
  world.network.Heal();
  CHECK_FALSE(world.network.partitioned());
  CHECK(world.network.held() == 0);
  CHECK(world.network.in_flight() == 2);
  world.Drain();
  CHECK(world.DeliveredCount(out) == 1);
  CHECK(world.DeliveredCount(in) == 1);
  CHECK(world.received.back().time_us == 11'000);  // A fresh latency after the heal.
  CHECK(world.network.counts() == MessageCounts{.sent = 3, .delivered = 3, .held = 2, .released = 2});
  CHECK(world.trace.message_counts() == world.network.counts());
}

TEST_CASE("Network: a one-way partition holds only the first group's outbound traffic", "[sim]") {
  World world(FixedLatency(1000));
  world.network.Partition({{"a"}, {"b", "c"}}, true);
  const uint64_t a_to_b = world.network.Send("a", "b", "push", "");
  const uint64_t a_to_c = world.network.Send("a", "c", "push", "");
  const uint64_t b_to_a = world.network.Send("b", "a", "push", "");
  const uint64_t c_to_a = world.network.Send("c", "a", "push", "");
  const uint64_t b_to_c = world.network.Send("b", "c", "push", "");
  world.Drain();
  CHECK(world.DeliveredCount(a_to_b) == 0);
  CHECK(world.DeliveredCount(a_to_c) == 0);
  CHECK(world.DeliveredCount(b_to_a) == 1);
  CHECK(world.DeliveredCount(c_to_a) == 1);
  CHECK(world.DeliveredCount(b_to_c) == 1);
  CHECK(world.network.held() == 2);
  world.network.Heal(true);
  world.Drain();
  CHECK(world.DeliveredCount(a_to_b) == 1);
  CHECK(world.DeliveredCount(a_to_c) == 1);
}

TEST_CASE("Network: heal without release drops held messages", "[sim]") {
  World world(FixedLatency(1000));
  world.network.Partition({{"a"}, {"b"}, {"c"}}, false);
  world.network.Send("a", "b", "push", "");
  world.network.Send("c", "a", "push", "");
  world.Drain();
  CHECK(world.network.held() == 2);
  world.network.Heal(false);
  world.Drain();
  CHECK(world.received.empty());
  CHECK(world.network.held() == 0);
  CHECK(world.network.counts() == MessageCounts{.sent = 2, .dropped = 2, .held = 2});
  CHECK(world.sink.str().find("\"fate\":\"dropped_held\"") != std::string::npos);
  CHECK(world.Conserved());
}

TEST_CASE("Network: heal notifies a reconnect on both ends of every cut pair", "[sim]") {
  World world(FixedLatency(1000));
  world.network.Partition({{"a"}, {"b", "c"}}, false);
  world.Drain();
  CHECK(world.notifications.empty());
  world.network.Heal();
  CHECK(world.notifications.empty());  // Scheduled as events, not called inside Heal.
  world.Drain();
  std::vector<std::string> notifications = world.notifications;
  std::sort(notifications.begin(), notifications.end());
  CHECK(notifications == std::vector<std::string>{"a:b:up", "a:c:up", "b:a:up", "c:a:up"});

  // A one-way partition cuts the pair too; a disconnected pair is not
  // reconnected by a heal.
  world.notifications.clear();
  world.network.Partition({{"b"}, {"a", "c"}}, true);
  world.network.Disconnect("a", "b");
  world.network.Heal();
  world.Drain();
  notifications = world.notifications;
  std::sort(notifications.begin(), notifications.end());
  CHECK(notifications == std::vector<std::string>{"a:b:down", "b:a:down", "b:c:up", "c:b:up"});

  // A heal with no partition notifies nobody.
  world.notifications.clear();
  world.network.Heal();
  world.Drain();
  CHECK(world.notifications.empty());
}

TEST_CASE("Network: messages in flight when a partition starts are held", "[sim]") {
  World world(FixedLatency(1000));
  const uint64_t id = world.network.Send("a", "b", "push", "");
  world.scheduler.ScheduleAt(500, "partition", [&] { world.network.Partition({{"a"}, {"b"}}, false); });
  world.scheduler.RunUntil(2000);
  CHECK(world.DeliveredCount(id) == 0);
  CHECK(world.network.held() == 1);
  world.network.Heal();
  world.Drain();
  CHECK(world.DeliveredCount(id) == 1);
  CHECK(world.received.back().time_us == 3000);
}

TEST_CASE("Network: disconnect drops in-flight messages and later sends", "[sim]") {
  World world(FixedLatency(1000));
  const uint64_t lost = world.network.Send("a", "b", "push", "");
  const uint64_t other_pair = world.network.Send("a", "c", "push", "");
  world.scheduler.RunUntil(500);
  world.network.Disconnect("b", "a");
  CHECK_FALSE(world.network.IsConnected("a", "b"));
  const uint64_t refused = world.network.Send("a", "b", "push", "");
  world.Drain();
  CHECK(world.DeliveredCount(lost) == 0);
  CHECK(world.DeliveredCount(refused) == 0);
  CHECK(world.DeliveredCount(other_pair) == 1);
  CHECK(world.network.counts() == MessageCounts{.sent = 3, .delivered = 1, .dropped = 2});
  CHECK(world.sink.str().find("\"fate\":\"dropped_disconnected\"") != std::string::npos);

  // A message sent on a connection that closes and reopens before it arrives
  // is still lost: it belonged to the old connection.
  world.network.Connect("a", "b");
  world.Drain();
  const uint64_t old_connection = world.network.Send("a", "b", "push", "");
  world.network.Disconnect("a", "b");
  world.network.Connect("a", "b");
  const uint64_t new_connection = world.network.Send("a", "b", "push", "");
  world.Drain();
  CHECK(world.DeliveredCount(old_connection) == 0);
  CHECK(world.DeliveredCount(new_connection) == 1);
  CHECK(world.Conserved());
}

TEST_CASE("Network: a node that is down neither sends nor receives", "[sim]") {
  World world(FixedLatency(1000));
  const uint64_t in_flight_to_b = world.network.Send("a", "b", "push", "");
  world.network.SetNodeUp("b", false);
  CHECK_FALSE(world.network.IsNodeUp("b"));
  const uint64_t to_b = world.network.Send("c", "b", "push", "");
  const uint64_t from_b = world.network.Send("b", "a", "push", "");
  CHECK(world.network.in_flight() == 2);  // b's own send never left.
  world.network.Disconnect("a", "b");      // b, being down, is not told.
  world.network.Connect("a", "b");
  world.Drain();
  CHECK(world.DeliveredCount(in_flight_to_b) == 0);
  CHECK(world.DeliveredCount(to_b) == 0);
  CHECK(world.DeliveredCount(from_b) == 0);
  CHECK(world.network.counts() == MessageCounts{.sent = 3, .dropped = 3});
  CHECK(world.sink.str().find("\"fate\":\"dropped_down\"") != std::string::npos);
  std::vector<std::string> notifications = world.notifications;
  CHECK(notifications == std::vector<std::string>{"a:b:down", "a:b:up"});

  world.network.SetNodeUp("b", true);
  const uint64_t after_restart = world.network.Send("c", "b", "push", "");
  world.Drain();
  CHECK(world.DeliveredCount(after_restart) == 1);
}

TEST_CASE("Network: connect and disconnect notify both ends as events", "[sim]") {
  World world(FixedLatency(1000));
  world.network.AddNode("d", [](const Envelope&) {}, [&](const std::string& peer, bool connected) {
    world.notifications.push_back("d:" + peer + (connected ? ":up" : ":down"));
  });
  CHECK(world.network.ConnectedPeers("d").empty());
  world.network.Connect("d", "a");
  world.network.Connect("a", "d");  // Already open: no second notification.
  CHECK(world.notifications.empty());
  CHECK(world.network.IsConnected("a", "d"));
  CHECK(world.network.IsConnected("d", "a"));
  CHECK(world.network.ConnectedPeers("a") == std::vector<std::string>{"b", "c", "d"});
  world.Drain();
  std::vector<std::string> notifications = world.notifications;
  std::sort(notifications.begin(), notifications.end());
  CHECK(notifications == std::vector<std::string>{"a:d:up", "d:a:up"});
  CHECK(world.scheduler.now_us() == 0);  // Notified at the time of the call.

  world.notifications.clear();
  world.network.Disconnect("a", "d");
  world.network.Disconnect("a", "d");  // Already closed: nothing more.
  world.Drain();
  notifications = world.notifications;
  std::sort(notifications.begin(), notifications.end());
  CHECK(notifications == std::vector<std::string>{"a:d:down", "d:a:down"});
  CHECK(world.network.ConnectedPeers("a") == std::vector<std::string>{"b", "c"});
}

TEST_CASE("Network: one seed gives one trace, different seeds differ", "[sim]") {
  const RunResult first = RunScenario(7);
  const RunResult second = RunScenario(7);
  CHECK(first.trace_text == second.trace_text);
  CHECK(first.fingerprint == second.fingerprint);
  // The scenario exercises every fate it is meant to.
  CHECK(first.counts.sent > 100);
  CHECK(first.counts.delivered > 0);
  CHECK(first.counts.dropped > 0);
  CHECK(first.counts.duplicated > 0);
  CHECK(first.counts.held > 0);
  CHECK(first.counts.released > 0);

  std::set<uint64_t> fingerprints = {first.fingerprint};
  for (uint64_t seed = 1; seed <= 5; seed++) fingerprints.insert(RunScenario(seed).fingerprint);
  CHECK(fingerprints.size() == 6);
}

TEST_CASE("Network: message copies are conserved under random operations", "[sim]") {
  rc::prop("sent + duplicated == delivered + dropped + in flight + held", [](uint64_t seed) {
    const auto operations = *rc::gen::container<std::vector<std::pair<int, uint64_t>>>(
        rc::gen::pair(rc::gen::inRange(0, 7), rc::gen::arbitrary<uint64_t>()));
    World world(LinkSettings{.latency_us_min = 0, .latency_us_max = 3000, .drop = 0.2, .duplicate = 0.2}, seed);
    const std::vector<std::string> names = {"a", "b", "c"};
    const auto name = [&names](uint64_t value) { return names[value % names.size()]; };
    for (const auto& [operation, value] : operations) {
      const std::string first = name(value);
      const std::string second = name(value / 3 + 1 + value % 3);
      switch (operation) {
        case 0:
        case 1:
          if (first != second) world.network.Send(first, second, "push", "p");
          break;
        case 2: world.scheduler.RunUntil(world.scheduler.now_us() + static_cast<int64_t>(value % 2000)); break;
        case 3: world.network.Partition({{first}}, value % 2 == 0); break;
        case 4: world.network.Heal(value % 2 == 0); break;
        case 5:
          if (first != second) {
            if (value % 2 == 0) world.network.Disconnect(first, second);
            else world.network.Connect(first, second);
          }
          break;
        case 6: world.network.SetNodeUp(first, value % 2 == 0); break;
      }
      RC_ASSERT(world.Conserved());
      RC_ASSERT(world.trace.message_counts() == world.network.counts());
    }
    world.network.Heal(true);
    world.Drain();
    RC_ASSERT(world.network.in_flight() == 0u);
    RC_ASSERT(world.network.held() == 0u);
    RC_ASSERT(world.Conserved());
    RC_ASSERT(world.network.counts().delivered <= world.received.size());
    RC_ASSERT(world.network.counts().delivered == world.received.size());
  });
}
