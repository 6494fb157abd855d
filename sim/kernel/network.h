// Network: the mock transport between simulated devices.
//
// Real sync traffic is lost, duplicated, reordered, cut by partitions and
// interrupted by disconnects and crashes; the sync core must converge anyway.
// This network produces all of that from its own seeded Random stream, so a
// run's faults are reproducible from the seed, and it traces every message's
// fate so that a run's fingerprint covers the network's decisions.
//
// Message fates (the `fate` field of trace records with kind "message"; the
// record's detail is the message kind, never the reason):
//   "sent"                  at Send, for every message.
//   "duplicated"            at Send, when a second copy is created; each copy
//                           then gets its own final fate.
//   "dropped_random"        at Send: lost to the link's drop probability.
//   "dropped_disconnected"  at Send (the pair has no sync connection) or at
//                           arrival (the connection the message was sent on
//                           was closed since, even if the pair reconnected).
//   "dropped_down"          at Send (the sender is down) or at arrival (the
//                           target is down).
//   "held"                  at arrival: a partition separates sender and
//                           target; the copy waits for Heal.
//   "released"              at Heal(true): a held copy goes back in flight
//                           with a fresh latency, then gets a final fate.
//   "dropped_held"          at Heal(false): a held copy is discarded.
//   "delivered"             at arrival: handed to the target's deliver callback.
// Every copy (the original or a duplicate) ends as exactly one "delivered" or
// "dropped_*", unless it is still in flight or held; so at any time
//   sent + duplicated == delivered + dropped + in_flight() + held().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/kernel/message_counts.h"
#include "sim/kernel/random.h"
#include "sim/kernel/scheduler.h"
#include "sim/kernel/trace.h"

namespace syncsim::sim {

// One directed link's behaviour.
struct LinkSettings {
  // One-way latency, uniform in [latency_us_min, latency_us_max], drawn per
  // copy, so messages on one link overtake each other.
  int64_t latency_us_min = 1000;
  int64_t latency_us_max = 40000;
  double drop = 0;       // Probability a message is lost.
  double duplicate = 0;  // Probability a message is delivered twice.
};

// A message as the target receives it.
struct Envelope {
  uint64_t message_id = 0;  // Shared by a message's duplicate copies.
  std::string from;
  std::string to;
  std::string kind;
  std::string payload;
  uint64_t size_bytes = 0;  // payload.size() + Network::message_header_bytes.
};

// Owns the node table, connections, link settings, partition state and every
// message in flight or held. Uses (does not own) a Scheduler, which must
// outlive it, and a Trace. Callbacks run inside scheduler events, never inside
// a Network method call, so they may call back into the Network freely.
class Network {
 public:
  using Deliver = std::function<void(const Envelope&)>;
  using OnConnection = std::function<void(const std::string& peer, bool connected)>;

  // Fixed per-message overhead counted in size_bytes (framing, ids, HLC).
  static constexpr uint64_t message_header_bytes = 64;
  // Held copies allowed at once; more means a partition that is never healed
  // in a scenario that keeps sending, which is a scenario bug.
  static constexpr uint64_t held_max = 1'000'000;

  // REQUIRES: default_link is valid (0 <= min <= max, probabilities in [0, 1]).
  Network(Scheduler& scheduler, Random network_random, Trace& trace, LinkSettings default_link);
  // Cancels this network's pending scheduler events (deliveries and
  // notifications), so the scheduler never calls into a destroyed network.
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Adds a node, up. Nodes may join at any time.
  // REQUIRES: no node named `name` yet; both callbacks callable.
  void AddNode(std::string name, Deliver deliver, OnConnection on_connection);
  bool HasNode(const std::string& name) const { return nodes_.contains(name); }

  // Opens the logical sync connection between a and b (symmetric). If it was
  // not open, both ends get on_connection(peer, true) in events scheduled at
  // now (skipped for a node that is down when the event runs). No-op if open.
  // REQUIRES: both nodes exist; a != b.
  void Connect(const std::string& a, const std::string& b);
  // Closes the connection; messages in flight on it are dropped on arrival.
  // If it was open, both ends get on_connection(peer, false) as for Connect.
  // REQUIRES: both nodes exist; a != b.
  void Disconnect(const std::string& a, const std::string& b);
  bool IsConnected(const std::string& a, const std::string& b) const;
  // True when a message sent now from `from` could reach `to`: both nodes
  // are up, connected, and no partition cuts from -> to. Drop rates do not
  // count: a lossy link still delivers eventually.
  // REQUIRES: both nodes exist.
  bool CanDeliver(const std::string& from, const std::string& to) const;
  // Nodes with an open connection to `name`, sorted.
  // REQUIRES: the node exists.
  std::vector<std::string> ConnectedPeers(const std::string& name) const;

  // Sets the link used by every directed pair without its own settings.
  // REQUIRES: link is valid.
  void SetDefaultLink(LinkSettings link);
  // Sets the settings of the one directed link from -> to (node names need
  // not exist yet). REQUIRES: link is valid.
  void SetLink(const std::string& from, const std::string& to, LinkSettings link);
  // The settings in force for from -> to.
  const LinkSettings& Link(const std::string& from, const std::string& to) const;

  // Starts a partition, replacing any current one (held copies stay held).
  // Nodes in different groups cannot communicate; nodes named in no group
  // (including nodes added later) form one extra group. With one_way, only
  // sending from the first group to the others is cut. Checked at arrival:
  // copies already in flight are held too. Nobody is notified: a partition is
  // not observable, only its effects are.
  // REQUIRES: no name appears twice across groups.
  void Partition(const std::vector<std::vector<std::string>>& groups, bool one_way);
  // Ends the partition. Held copies are released (back in flight, fresh
  // latency, in the order they were held) or, with release_held false,
  // dropped. Every still-connected pair that any partition since the last
  // heal cut (in either direction) then gets on_connection(peer, true) on
  // both ends, a reconnect that makes the core run anti-entropy.
  void Heal(bool release_held = true);
  bool partitioned() const { return partitioned_; }

  // Marks a node crashed (false) or running (true). A down node sends
  // nothing (its sends are dropped at once), receives nothing (copies for it
  // are dropped on arrival) and gets no connection notifications. Connections
  // are left as they are; whoever crashes a device decides what to close.
  // REQUIRES: the node exists.
  void SetNodeUp(const std::string& name, bool up);
  bool IsNodeUp(const std::string& name) const;

  // Sends one message; returns its id (ids start at 1, one per Send). Fates
  // as described at the top of this file.
  // REQUIRES: both nodes exist; from != to.
  uint64_t Send(const std::string& from, const std::string& to, std::string kind, std::string payload);

  // Copies scheduled for arrival (not counting held ones).
  uint64_t in_flight() const { return in_flight_.size(); }
  // Copies held by the partition.
  uint64_t held() const { return held_.size(); }
  // Connection notifications scheduled and not yet delivered.
  uint64_t notifications_pending() const { return notifications_pending_.size(); }
  MessageCounts counts() const { return counts_; }
  // Bytes of every Send() (payload and header), dropped ones included.
  uint64_t bytes_sent() const { return bytes_sent_; }

 private:
  struct Node {
    Deliver deliver;
    OnConnection on_connection;
    bool up = true;
  };
  // One copy of a message, with the connection it was sent on, so that a
  // disconnect (even followed by a reconnect) loses it.
  struct Copy {
    Envelope envelope;
    uint64_t connection_generation = 0;
    Scheduler::EventId arrival_event = 0;
  };
  using Pair = std::pair<std::string, std::string>;  // Sorted: first < second.

  static Pair MakePair(const std::string& a, const std::string& b);
  static void ValidateLink(const LinkSettings& link);
  const Node& GetNode(const std::string& name) const;
  size_t GroupOf(const std::string& name) const;
  // True when the current partition stops copies from `from` reaching `to`.
  bool Blocks(const std::string& from, const std::string& to) const;
  void RecordFate(const Envelope& envelope, const char* fate);
  // Puts `copy` in flight with a latency drawn for its link.
  void Launch(Copy copy);
  void Arrive(uint64_t copy_id);
  void Notify(const std::string& node, const std::string& peer, bool connected);
  void RememberCutPairs();

  Scheduler& scheduler_;
  Random random_;
  Trace& trace_;
  LinkSettings default_link_;
  std::map<std::string, Node> nodes_;
  std::map<Pair, LinkSettings> links_;  // Directed: (from, to), not sorted.
  std::map<Pair, uint64_t> connections_;  // Open pairs -> connection generation.
  uint64_t connection_generation_next_ = 1;

  bool partitioned_ = false;
  bool one_way_ = false;
  std::map<std::string, size_t> group_of_;
  size_t group_unnamed_ = 0;
  std::set<Pair> cut_pairs_;  // Connected pairs cut since the last heal.

  uint64_t message_id_next_ = 1;
  uint64_t copy_id_next_ = 1;
  std::map<uint64_t, Copy> in_flight_;  // By copy id.
  std::vector<Copy> held_;              // In the order they were held.
  uint64_t notification_id_next_ = 1;
  std::map<uint64_t, Scheduler::EventId> notifications_pending_;
  MessageCounts counts_;
  uint64_t bytes_sent_ = 0;
};

}  // namespace syncsim::sim
