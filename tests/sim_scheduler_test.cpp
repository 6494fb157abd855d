// Tests for sim/kernel/scheduler.h: time order, tie breaking, periodic timers,
// cancellation, the event budget, and the trace of executed events.
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/kernel/random.h"
#include "sim/kernel/scheduler.h"
#include "sim/kernel/trace.h"

namespace {

using syncsim::sim::Random;
using syncsim::sim::Scheduler;
using syncsim::sim::SchedulerSettings;
using syncsim::sim::Trace;

Scheduler MakeFifo(uint64_t events_max = 1000) {
  return Scheduler(SchedulerSettings{.events_max = events_max, .random_tie_break = false}, Random(1), nullptr);
}

// The order in which ten simultaneous events run under `seed`.
std::vector<int> TieOrder(uint64_t seed) {
  Scheduler scheduler(SchedulerSettings{.events_max = 100, .random_tie_break = true}, Random(seed), nullptr);
  std::vector<int> order;
  for (int index = 0; index < 10; index++) {
    scheduler.ScheduleAt(50, "tie", [&order, index] { order.push_back(index); });
  }
  scheduler.RunUntil(50);
  return order;
}

}  // namespace

TEST_CASE("Scheduler: runs events in time order and advances now", "[sim]") {
  Scheduler scheduler = MakeFifo();
  std::vector<int64_t> times;
  for (const int64_t time_us : {30, 10, 20, 5, 25}) {
    scheduler.ScheduleAt(time_us, "t", [&times, &scheduler] { times.push_back(scheduler.now_us()); });
  }
  CHECK(scheduler.pending() == 5);
  CHECK(scheduler.next_time_us() == 5);
  while (scheduler.RunNext()) {
  }
  CHECK(times == std::vector<int64_t>{5, 10, 20, 25, 30});
  CHECK(scheduler.now_us() == 30);
  CHECK(scheduler.pending() == 0);
  CHECK(scheduler.events_run() == 5);
  CHECK_FALSE(scheduler.budget_exhausted());

  // ScheduleAfter is relative to now; zero delay runs at now.
  int64_t ran_at = -1;
  scheduler.ScheduleAfter(0, "now", [&] { ran_at = scheduler.now_us(); });
  CHECK(scheduler.RunNext());
  CHECK(ran_at == 30);
}

TEST_CASE("Scheduler: ties run in insertion order without random tie break", "[sim]") {
  Scheduler scheduler = MakeFifo();
  std::vector<int> order;
  for (int index = 0; index < 20; index++) {
    scheduler.ScheduleAt(100, "tie", [&order, index] { order.push_back(index); });
  }
  // Events scheduled from inside an action at the same time run after the
  // ones already queued.
  scheduler.ScheduleAt(50, "parent", [&] { scheduler.ScheduleAt(100, "child", [&] { order.push_back(99); }); });
  scheduler.RunUntil(100);
  std::vector<int> expected;
  for (int index = 0; index < 20; index++) expected.push_back(index);
  expected.push_back(99);
  CHECK(order == expected);
}

TEST_CASE("Scheduler: seeded tie break repeats for one seed and varies across seeds", "[sim]") {
  CHECK(TieOrder(3) == TieOrder(3));
  std::set<std::vector<int>> orders;
  for (uint64_t seed = 0; seed < 20; seed++) orders.insert(TieOrder(seed));
  CHECK(orders.size() > 10);
  // Random ties never reorder different times.
  Scheduler scheduler(SchedulerSettings{.events_max = 100}, Random(5), nullptr);
  std::vector<int64_t> times;
  for (int64_t time_us = 10; time_us > 0; time_us--) {
    scheduler.ScheduleAt(time_us, "t", [&] { times.push_back(scheduler.now_us()); });
  }
  scheduler.RunUntil(10);
  CHECK(std::is_sorted(times.begin(), times.end()));
}

TEST_CASE("Scheduler: periodic timer fires at its period until cancelled", "[sim]") {
  Scheduler scheduler = MakeFifo();
  std::vector<int64_t> fired;
  int counter = 0;  // State captured by value survives between firings.
  const Scheduler::EventId timer = scheduler.ScheduleEvery(100, 250, "tick", [&fired, &scheduler, counter]() mutable {
    counter++;
    fired.push_back(scheduler.now_us() * 1000 + counter);
  });
  scheduler.RunUntil(1000);
  CHECK(fired == std::vector<int64_t>{100'001, 350'002, 600'003, 850'004});
  CHECK(scheduler.now_us() == 1000);
  CHECK(scheduler.pending() == 1);
  CHECK(scheduler.Cancel(timer));
  CHECK_FALSE(scheduler.Cancel(timer));
  scheduler.RunUntil(5000);
  CHECK(fired.size() == 4);
  CHECK(scheduler.pending() == 0);
}

TEST_CASE("Scheduler: a periodic timer can cancel itself from its own action", "[sim]") {
  Scheduler scheduler = MakeFifo();
  int fired = 0;
  bool cancelled = false;
  Scheduler::EventId timer = 0;
  timer = scheduler.ScheduleEvery(0, 10, "self-cancelling", [&] {
    fired++;
    if (fired == 3) cancelled = scheduler.Cancel(timer);
  });
  scheduler.RunUntil(1000);
  CHECK(fired == 3);
  CHECK(cancelled);
  CHECK(scheduler.pending() == 0);
  CHECK(scheduler.events_run() == 3);
}

TEST_CASE("Scheduler: cancel removes one-shot events", "[sim]") {
  Scheduler scheduler = MakeFifo();
  std::vector<std::string> ran;
  const Scheduler::EventId keep = scheduler.ScheduleAt(10, "keep", [&] { ran.push_back("keep"); });
  const Scheduler::EventId drop = scheduler.ScheduleAt(10, "drop", [&] { ran.push_back("drop"); });
  Scheduler::EventId later = 0;
  scheduler.ScheduleAt(5, "canceller", [&] { CHECK(scheduler.Cancel(later)); });
  later = scheduler.ScheduleAt(20, "later", [&] { ran.push_back("later"); });
  CHECK(keep != drop);
  CHECK(scheduler.Cancel(drop));
  CHECK_FALSE(scheduler.Cancel(drop));
  CHECK_FALSE(scheduler.Cancel(12345));
  scheduler.RunUntil(100);
  CHECK(ran == std::vector<std::string>{"keep"});
  CHECK_FALSE(scheduler.Cancel(keep));  // Already ran.
}

TEST_CASE("Scheduler: events_max stops the run", "[sim]") {
  Scheduler scheduler = MakeFifo(5);
  int fired = 0;
  scheduler.ScheduleEvery(0, 1, "forever", [&] { fired++; });
  scheduler.RunUntil(1'000'000);
  CHECK(fired == 5);
  CHECK(scheduler.events_run() == 5);
  CHECK(scheduler.budget_exhausted());
  CHECK(scheduler.now_us() == 4);  // Time stays at the last event run.
  CHECK_FALSE(scheduler.RunNext());
  CHECK(fired == 5);
}

TEST_CASE("Scheduler: RunUntil and RunWhile stop where they should", "[sim]") {
  Scheduler scheduler = MakeFifo();
  int fired = 0;
  for (int64_t time_us = 10; time_us <= 100; time_us += 10) scheduler.ScheduleAt(time_us, "t", [&] { fired++; });
  scheduler.RunUntil(35);
  CHECK(fired == 3);
  CHECK(scheduler.now_us() == 35);
  CHECK(scheduler.RunWhile([&] { return fired < 6; }, 1000));
  CHECK(fired == 6);
  CHECK(scheduler.now_us() == 60);
  CHECK_FALSE(scheduler.RunWhile([] { return true; }, 85));
  CHECK(fired == 8);
  CHECK(scheduler.now_us() == 85);
  CHECK_FALSE(scheduler.RunWhile([] { return true; }, 1000));
  CHECK(fired == 10);
  CHECK(scheduler.now_us() == 1000);  // Queue empty: time still advances to the limit.
}

TEST_CASE("Scheduler: every executed event is traced", "[sim]") {
  Trace trace;
  std::ostringstream sink;
  trace.SetSink(&sink);
  Scheduler scheduler(SchedulerSettings{.events_max = 100, .random_tie_break = false}, Random(1), &trace);
  scheduler.ScheduleAt(7, "first", [] {});
  const Scheduler::EventId cancelled = scheduler.ScheduleAt(8, "cancelled", [] {});
  scheduler.ScheduleAt(9, "second", [] {});
  scheduler.Cancel(cancelled);
  scheduler.RunUntil(10);
  CHECK(trace.records() == 2);
  CHECK(sink.str() ==
        "{\"time_us\":7,\"kind\":\"event\",\"source\":\"\",\"target\":\"\",\"detail\":\"first\",\"size_bytes\":0,"
        "\"fate\":\"\"}\n"
        "{\"time_us\":9,\"kind\":\"event\",\"source\":\"\",\"target\":\"\",\"detail\":\"second\",\"size_bytes\":0,"
        "\"fate\":\"\"}\n");
}

TEST_CASE("Scheduler: never runs an event before an earlier-timed one", "[sim]") {
  rc::prop("each event runs at its time, after every earlier event", [](uint64_t seed, bool random_tie_break) {
    const auto initial = *rc::gen::container<std::vector<int64_t>>(rc::gen::inRange<int64_t>(0, 1000));
    // Per executed event: how many children it schedules, their delays, and
    // whether it cancels some other pending event.
    const auto children = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 3));
    const auto delays = *rc::gen::container<std::vector<int64_t>>(rc::gen::inRange<int64_t>(0, 300));
    const auto cancels = *rc::gen::container<std::vector<bool>>(rc::gen::arbitrary<bool>());

    Scheduler scheduler(SchedulerSettings{.events_max = 10'000, .random_tie_break = random_tie_break}, Random(seed),
                        nullptr);
    std::map<Scheduler::EventId, int64_t> outstanding;  // Scheduled, not run, not cancelled.
    size_t executed = 0;
    size_t delay_index = 0;
    int64_t last_time_us = 0;
    std::function<void(Scheduler::EventId)> on_run;
    const auto schedule = [&](int64_t time_us) {
      auto id = std::make_shared<Scheduler::EventId>(0);
      *id = scheduler.ScheduleAt(time_us, "e", [&on_run, id] { on_run(*id); });
      outstanding.emplace(*id, time_us);
    };
    on_run = [&](Scheduler::EventId id) {
      const auto found = outstanding.find(id);
      RC_ASSERT(found != outstanding.end());
      RC_ASSERT(found->second == scheduler.now_us());
      RC_ASSERT(scheduler.now_us() >= last_time_us);
      for (const auto& [other, time_us] : outstanding) RC_ASSERT(time_us >= scheduler.now_us());
      last_time_us = scheduler.now_us();
      outstanding.erase(found);
      const size_t step = executed++;
      if (step < children.size()) {
        for (int child = 0; child < children[step] && delay_index < delays.size(); child++) {
          schedule(scheduler.now_us() + delays[delay_index++]);
        }
      }
      if (step < cancels.size() && cancels[step] && !outstanding.empty()) {
        const auto victim = outstanding.begin();
        RC_ASSERT(scheduler.Cancel(victim->first));
        outstanding.erase(victim);
      }
    };
    for (const int64_t time_us : initial) schedule(time_us);
    scheduler.RunUntil(1'000'000);
    RC_ASSERT(outstanding.empty());
    RC_ASSERT(scheduler.pending() == 0u);
  });
}
