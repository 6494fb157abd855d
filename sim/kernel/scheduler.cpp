#include "sim/kernel/scheduler.h"

#include <limits>
#include <utility>

namespace syncsim::sim {

Scheduler::Scheduler(SchedulerSettings settings, Random tie_break_random, Trace* trace)
    : settings_(settings), tie_break_random_(tie_break_random), trace_(trace) {
  SYNCSIM_ASSERT(settings_.pending_max > 0);
}

Scheduler::QueueKey Scheduler::MakeKey(int64_t time_us) {
  const uint64_t tie_key = settings_.random_tie_break ? tie_break_random_.NextU64() : 0;
  return QueueKey{time_us, tie_key, sequence_next_++};
}

Scheduler::EventId Scheduler::Insert(int64_t time_us, int64_t period_us, std::string label,
                                     std::function<void()> action) {
  SYNCSIM_ASSERT(time_us >= now_us_);
  SYNCSIM_ASSERT(period_us >= 0);
  SYNCSIM_ASSERT(action);
  SYNCSIM_ASSERT(pending_events_.size() < settings_.pending_max);
  const EventId id = event_id_next_++;
  const QueueKey key = MakeKey(time_us);
  queue_.emplace(key, id);
  pending_events_.emplace(
      id, PendingEvent{key, std::move(label), std::make_shared<std::function<void()>>(std::move(action)), period_us});
  SYNCSIM_ASSERT(queue_.size() == pending_events_.size());
  return id;
}

Scheduler::EventId Scheduler::ScheduleAt(int64_t time_us, std::string label, std::function<void()> action) {
  return Insert(time_us, 0, std::move(label), std::move(action));
}

Scheduler::EventId Scheduler::ScheduleAfter(int64_t delay_us, std::string label, std::function<void()> action) {
  SYNCSIM_ASSERT(delay_us >= 0);
  SYNCSIM_ASSERT(delay_us <= std::numeric_limits<int64_t>::max() - now_us_);
  return Insert(now_us_ + delay_us, 0, std::move(label), std::move(action));
}

Scheduler::EventId Scheduler::ScheduleEvery(int64_t first_time_us, int64_t period_us, std::string label,
                                            std::function<void()> action) {
  SYNCSIM_ASSERT(period_us > 0);
  return Insert(first_time_us, period_us, std::move(label), std::move(action));
}

bool Scheduler::Cancel(EventId id) {
  const auto found = pending_events_.find(id);
  if (found == pending_events_.end()) return false;
  const size_t erased = queue_.erase({found->second.key, id});
  SYNCSIM_ASSERT(erased == 1);
  pending_events_.erase(found);
  return true;
}

int64_t Scheduler::next_time_us() const {
  SYNCSIM_ASSERT(!queue_.empty());
  return queue_.begin()->first.time_us;
}

bool Scheduler::RunNext() {
  if (queue_.empty()) return false;
  if (events_run_ >= settings_.events_max) {
    budget_exhausted_ = true;
    return false;
  }
  const auto [key, id] = *queue_.begin();
  queue_.erase(queue_.begin());
  const auto found = pending_events_.find(id);
  SYNCSIM_ASSERT(found != pending_events_.end());
  SYNCSIM_ASSERT(found->second.key == key);
  // Time never goes backwards: ScheduleAt refuses the past, and the queue
  // pops the earliest key.
  SYNCSIM_ASSERT(key.time_us >= now_us_);
  now_us_ = key.time_us;
  events_run_++;

  std::shared_ptr<std::function<void()>> action = found->second.action;
  std::string label = found->second.period_us > 0 ? found->second.label : std::move(found->second.label);
  if (found->second.period_us > 0) {
    // Queue the next firing first, under the same id, so that the action sees
    // its timer as pending and can Cancel it.
    SYNCSIM_ASSERT(found->second.period_us <= std::numeric_limits<int64_t>::max() - key.time_us);
    const QueueKey next_key = MakeKey(key.time_us + found->second.period_us);
    found->second.key = next_key;
    queue_.emplace(next_key, id);
  } else {
    pending_events_.erase(found);
  }
  SYNCSIM_ASSERT(queue_.size() == pending_events_.size());

  if (trace_ != nullptr) {
    TraceRecord record;
    record.time_us = now_us_;
    record.kind = "event";
    record.detail = label;
    trace_->Record(record);
  }
  (*action)();
  return true;
}

void Scheduler::RunUntil(int64_t time_us) {
  SYNCSIM_ASSERT(time_us >= now_us_);
  RunWhile([] { return true; }, time_us);
}

bool Scheduler::RunWhile(const std::function<bool()>& keep_going, int64_t time_us_max) {
  SYNCSIM_ASSERT(time_us_max >= now_us_);
  // Bounded by events_max: every iteration runs one event or returns.
  while (true) {
    if (!keep_going()) return true;
    if (queue_.empty() || next_time_us() > time_us_max) {
      now_us_ = time_us_max;
      return false;
    }
    if (!RunNext()) {
      SYNCSIM_ASSERT(budget_exhausted_);
      return false;
    }
  }
}

}  // namespace syncsim::sim
