#include "sim/kernel/network.h"

#include <algorithm>

#include "sim/base/assert.h"

namespace syncsim::sim {

Network::Network(Scheduler& scheduler, Random network_random, Trace& trace, LinkSettings default_link)
    : scheduler_(scheduler), random_(network_random), trace_(trace), default_link_(default_link) {
  ValidateLink(default_link_);
}

Network::~Network() {
  for (const auto& [copy_id, copy] : in_flight_) scheduler_.Cancel(copy.arrival_event);
  for (const auto& [notification_id, event_id] : notifications_pending_) scheduler_.Cancel(event_id);
}

Network::Pair Network::MakePair(const std::string& a, const std::string& b) {
  SYNCSIM_ASSERT(a != b);
  return a < b ? Pair{a, b} : Pair{b, a};
}

void Network::ValidateLink(const LinkSettings& link) {
  SYNCSIM_ASSERT(link.latency_us_min >= 0);
  SYNCSIM_ASSERT(link.latency_us_min <= link.latency_us_max);
  SYNCSIM_ASSERT(link.drop >= 0.0 && link.drop <= 1.0);
  SYNCSIM_ASSERT(link.duplicate >= 0.0 && link.duplicate <= 1.0);
}

const Network::Node& Network::GetNode(const std::string& name) const {
  const auto found = nodes_.find(name);
  SYNCSIM_ASSERT(found != nodes_.end());
  return found->second;
}

void Network::AddNode(std::string name, Deliver deliver, OnConnection on_connection) {
  SYNCSIM_ASSERT(deliver);
  SYNCSIM_ASSERT(on_connection);
  const bool inserted =
      nodes_.emplace(std::move(name), Node{std::move(deliver), std::move(on_connection), true}).second;
  SYNCSIM_ASSERT(inserted);
}

void Network::Connect(const std::string& a, const std::string& b) {
  GetNode(a);
  GetNode(b);
  const Pair pair = MakePair(a, b);
  if (connections_.contains(pair)) return;
  connections_.emplace(pair, connection_generation_next_++);
  if (partitioned_ && (Blocks(a, b) || Blocks(b, a))) cut_pairs_.insert(pair);
  Notify(a, b, true);
  Notify(b, a, true);
}

void Network::Disconnect(const std::string& a, const std::string& b) {
  GetNode(a);
  GetNode(b);
  if (connections_.erase(MakePair(a, b)) == 0) return;
  Notify(a, b, false);
  Notify(b, a, false);
}

bool Network::IsConnected(const std::string& a, const std::string& b) const {
  if (a == b) return false;
  return connections_.contains(MakePair(a, b));
}

bool Network::CanDeliver(const std::string& from, const std::string& to) const {
  return IsNodeUp(from) && IsNodeUp(to) && IsConnected(from, to) && !Blocks(from, to);
}

std::vector<std::string> Network::ConnectedPeers(const std::string& name) const {
  GetNode(name);
  std::vector<std::string> peers;
  for (const auto& [pair, generation] : connections_) {
    if (pair.first == name) peers.push_back(pair.second);
    if (pair.second == name) peers.push_back(pair.first);
  }
  std::sort(peers.begin(), peers.end());
  return peers;
}

void Network::SetDefaultLink(LinkSettings link) {
  ValidateLink(link);
  default_link_ = link;
}

void Network::SetLink(const std::string& from, const std::string& to, LinkSettings link) {
  ValidateLink(link);
  links_[Pair{from, to}] = link;
}

const LinkSettings& Network::Link(const std::string& from, const std::string& to) const {
  const auto found = links_.find(Pair{from, to});
  return found == links_.end() ? default_link_ : found->second;
}

size_t Network::GroupOf(const std::string& name) const {
  const auto found = group_of_.find(name);
  return found == group_of_.end() ? group_unnamed_ : found->second;
}

bool Network::Blocks(const std::string& from, const std::string& to) const {
  if (!partitioned_) return false;
  const size_t group_from = GroupOf(from);
  const size_t group_to = GroupOf(to);
  if (group_from == group_to) return false;
  // One way: the first group is cut off as a sender only.
  if (one_way_) return group_from == 0;
  return true;
}

void Network::RememberCutPairs() {
  for (const auto& [pair, generation] : connections_) {
    if (Blocks(pair.first, pair.second) || Blocks(pair.second, pair.first)) cut_pairs_.insert(pair);
  }
}

void Network::Partition(const std::vector<std::vector<std::string>>& groups, bool one_way) {
  group_of_.clear();
  for (size_t group = 0; group < groups.size(); group++) {
    for (const std::string& name : groups[group]) {
      const bool inserted = group_of_.emplace(name, group).second;
      SYNCSIM_ASSERT(inserted);  // A node belongs to one group.
    }
  }
  group_unnamed_ = groups.size();
  one_way_ = one_way;
  partitioned_ = true;
  RememberCutPairs();
}

void Network::Heal(bool release_held) {
  partitioned_ = false;
  one_way_ = false;
  group_of_.clear();
  group_unnamed_ = 0;

  std::vector<Copy> held = std::move(held_);
  held_.clear();
  for (Copy& copy : held) {
    if (release_held) {
      RecordFate(copy.envelope, "released");
      counts_.released++;
      Launch(std::move(copy));
    } else {
      RecordFate(copy.envelope, "dropped_held");
      counts_.dropped++;
    }
  }

  std::set<Pair> cut_pairs = std::move(cut_pairs_);
  cut_pairs_.clear();
  for (const Pair& pair : cut_pairs) {
    if (!connections_.contains(pair)) continue;
    Notify(pair.first, pair.second, true);
    Notify(pair.second, pair.first, true);
  }
}

void Network::SetNodeUp(const std::string& name, bool up) {
  const auto found = nodes_.find(name);
  SYNCSIM_ASSERT(found != nodes_.end());
  found->second.up = up;
}

bool Network::IsNodeUp(const std::string& name) const { return GetNode(name).up; }

void Network::RecordFate(const Envelope& envelope, const char* fate) {
  trace_.Record(TraceRecord{
      .time_us = scheduler_.now_us(),
      .kind = "message",
      .source = envelope.from,
      .target = envelope.to,
      .detail = envelope.kind,
      .size_bytes = envelope.size_bytes,
      .fate = fate,
      .payload = &envelope.payload,
  });
}

uint64_t Network::Send(const std::string& from, const std::string& to, std::string kind, std::string payload) {
  const Node& sender = GetNode(from);
  GetNode(to);
  SYNCSIM_ASSERT(from != to);

  Copy copy;
  copy.envelope.message_id = message_id_next_++;
  copy.envelope.from = from;
  copy.envelope.to = to;
  copy.envelope.kind = std::move(kind);
  copy.envelope.size_bytes = payload.size() + message_header_bytes;
  copy.envelope.payload = std::move(payload);
  const uint64_t message_id = copy.envelope.message_id;

  RecordFate(copy.envelope, "sent");
  counts_.sent++;
  bytes_sent_ += copy.envelope.size_bytes;
  if (!sender.up) {
    RecordFate(copy.envelope, "dropped_down");
    counts_.dropped++;
    return message_id;
  }
  const auto connection = connections_.find(MakePair(from, to));
  if (connection == connections_.end()) {
    RecordFate(copy.envelope, "dropped_disconnected");
    counts_.dropped++;
    return message_id;
  }
  copy.connection_generation = connection->second;

  // Draw order is fixed (drop, duplicate, then one latency per copy) so a run
  // replays exactly from the seed.
  const LinkSettings& link = Link(from, to);
  if (random_.Bernoulli(link.drop)) {
    RecordFate(copy.envelope, "dropped_random");
    counts_.dropped++;
    return message_id;
  }
  const bool duplicate = random_.Bernoulli(link.duplicate);
  if (duplicate) {
    RecordFate(copy.envelope, "duplicated");
    counts_.duplicated++;
    Launch(copy);
  }
  Launch(std::move(copy));
  return message_id;
}

void Network::Launch(Copy copy) {
  const LinkSettings& link = Link(copy.envelope.from, copy.envelope.to);
  const int64_t latency_us = random_.Range(link.latency_us_min, link.latency_us_max);
  const uint64_t copy_id = copy_id_next_++;
  std::string label = "deliver " + copy.envelope.kind + " " + copy.envelope.from + "->" + copy.envelope.to;
  copy.arrival_event = scheduler_.ScheduleAfter(latency_us, std::move(label), [this, copy_id] { Arrive(copy_id); });
  const bool inserted = in_flight_.emplace(copy_id, std::move(copy)).second;
  SYNCSIM_ASSERT(inserted);
}

void Network::Arrive(uint64_t copy_id) {
  const auto found = in_flight_.find(copy_id);
  SYNCSIM_ASSERT(found != in_flight_.end());
  Copy copy = std::move(found->second);
  in_flight_.erase(found);
  const Envelope& envelope = copy.envelope;

  const Node& target = GetNode(envelope.to);
  if (!target.up) {
    RecordFate(envelope, "dropped_down");
    counts_.dropped++;
    return;
  }
  const auto connection = connections_.find(MakePair(envelope.from, envelope.to));
  if (connection == connections_.end() || connection->second != copy.connection_generation) {
    RecordFate(envelope, "dropped_disconnected");
    counts_.dropped++;
    return;
  }
  if (Blocks(envelope.from, envelope.to)) {
    SYNCSIM_ASSERT(held_.size() < held_max);
    RecordFate(envelope, "held");
    counts_.held++;
    copy.arrival_event = 0;
    held_.push_back(std::move(copy));
    return;
  }
  RecordFate(envelope, "delivered");
  counts_.delivered++;
  // Safe to call through the reference: nodes are never removed and std::map
  // nodes do not move when the callback adds nodes.
  target.deliver(envelope);
}

void Network::Notify(const std::string& node, const std::string& peer, bool connected) {
  const uint64_t notification_id = notification_id_next_++;
  std::string label = "connection " + node + " peer " + peer + (connected ? " up" : " down");
  const Scheduler::EventId event_id =
      scheduler_.ScheduleAfter(0, std::move(label), [this, notification_id, node, peer, connected] {
        notifications_pending_.erase(notification_id);
        const Node& target = GetNode(node);
        if (!target.up) return;
        target.on_connection(peer, connected);
      });
  notifications_pending_.emplace(notification_id, event_id);
}

}  // namespace syncsim::sim
