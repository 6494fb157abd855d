// Scheduler: the simulator's single discrete-event queue in virtual time.
//
// Everything that happens in a run (a device's timer, a message arriving, a
// fault starting) is an event here. Virtual time jumps from one event to the
// next; nothing waits on the host. Events at the same virtual time are ordered
// by a random key drawn from a seeded stream when they are scheduled, which is
// the same as a seeded choice among simultaneous events (so different seeds
// explore different interleavings) at O(log n); insertion order breaks the
// remaining ties and is the whole order when random tie breaking is off
// (DESIGN.md section 2.3).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "sim/kernel/random.h"
#include "sim/kernel/trace.h"

namespace syncsim::sim {

struct SchedulerSettings {
  // How many events a Scheduler runs in its lifetime before RunNext refuses:
  // the run's budget, so a livelocked simulation ends instead of spinning.
  uint64_t events_max = 0;
  // Order simultaneous events by a seeded random key (true) or FIFO (false).
  bool random_tie_break = true;
  // How many events may be pending at once. Exceeding it is an assertion
  // failure: a queue that grows without bound is a simulator or scenario bug.
  uint64_t pending_max = 4'000'000;
};

// Owns the pending events (labels and actions) and the virtual clock; does not
// own the trace. Single-threaded; actions may schedule and cancel events,
// including their own periodic timer.
class Scheduler {
 public:
  using EventId = uint64_t;  // 0 is never a valid id.

  // `tie_break_random` is consumed only when settings.random_tie_break.
  // `trace` may be null (no event lines); otherwise it must outlive this.
  Scheduler(SchedulerSettings settings, Random tie_break_random, Trace* trace);
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Current virtual time in microseconds since the start of the run. Never
  // decreases.
  int64_t now_us() const { return now_us_; }

  // Schedules `action` to run once at `time_us`. Returns its id.
  // REQUIRES: time_us >= now_us(); action is callable; pending() < pending_max.
  EventId ScheduleAt(int64_t time_us, std::string label, std::function<void()> action);

  // Schedules `action` to run once, `delay_us` after now.
  // REQUIRES: delay_us >= 0; as ScheduleAt.
  EventId ScheduleAfter(int64_t delay_us, std::string label, std::function<void()> action);

  // Schedules `action` at first_time_us, then every period_us after that,
  // always under the returned id, until Cancel(id). The next firing is queued
  // before the action runs, so the action may cancel its own timer.
  // REQUIRES: first_time_us >= now_us(); period_us > 0; as ScheduleAt.
  EventId ScheduleEvery(int64_t first_time_us, int64_t period_us, std::string label,
                        std::function<void()> action);

  // Removes a pending event (or stops a periodic timer). Returns true if it was
  // pending, false if it already ran (one-shot), was cancelled, or never existed.
  bool Cancel(EventId id);

  // Runs the earliest pending event: advances now to its time, records it in
  // the trace (kind "event", detail = label) and calls its action. Returns
  // false without running anything when no event is pending or when
  // events_max events have already run (then budget_exhausted() is true).
  bool RunNext();

  // Runs every event with time <= time_us (including events those events
  // schedule within that window), then advances now to time_us. If the budget
  // runs out first, stops there and leaves now at the last event's time.
  // REQUIRES: time_us >= now_us().
  void RunUntil(int64_t time_us);

  // Runs events while keep_going() returns true (checked before each event)
  // and the next event's time is <= time_us_max. Returns true if it stopped
  // because keep_going() returned false. Otherwise returns false: either no
  // event is left at or before time_us_max (now then advances to time_us_max,
  // as in RunUntil) or the budget ran out (now stays at the last event).
  // REQUIRES: time_us_max >= now_us().
  bool RunWhile(const std::function<bool()>& keep_going, int64_t time_us_max);

  // Pending events (a periodic timer counts once).
  size_t pending() const { return pending_events_.size(); }
  // Events run so far.
  uint64_t events_run() const { return events_run_; }
  // True once RunNext has refused a pending event because events_max events
  // had run. Stays true.
  bool budget_exhausted() const { return budget_exhausted_; }
  // The time of the earliest pending event. REQUIRES: pending() > 0.
  int64_t next_time_us() const;
  // The trace events are recorded in (null: none); others record into it too.
  Trace* trace() const { return trace_; }

 private:
  // Queue order: time, then the tie key (random or 0), then the insertion
  // sequence, which is unique and so makes the order total.
  struct QueueKey {
    int64_t time_us;
    uint64_t tie_key;
    uint64_t sequence;
    auto operator<=>(const QueueKey&) const = default;
  };
  struct PendingEvent {
    QueueKey key;
    std::string label;
    // Shared so that a periodic action stays alive (with its captured state)
    // while it runs, even if it cancels itself.
    std::shared_ptr<std::function<void()>> action;
    int64_t period_us;  // 0 for one-shot events.
  };

  QueueKey MakeKey(int64_t time_us);
  EventId Insert(int64_t time_us, int64_t period_us, std::string label, std::function<void()> action);

  SchedulerSettings settings_;
  Random tie_break_random_;
  Trace* trace_;
  int64_t now_us_ = 0;
  uint64_t sequence_next_ = 0;
  EventId event_id_next_ = 1;
  uint64_t events_run_ = 0;
  bool budget_exhausted_ = false;
  std::set<std::pair<QueueKey, EventId>> queue_;
  std::map<EventId, PendingEvent> pending_events_;
};

}  // namespace syncsim::sim
