// partition: splits the devices into groups that cannot reach each other
// (devices named in no group form one more group). One-way: only messages
// from a lower group to a higher one are held. Held messages wait for a
// heal. The swarm draws partitions with their heals.
#include <any>
#include <map>

#include "sim/action/action.h"
#include "sim/action/action_run.h"
#include "sim/action/step_parse_context.h"
#include "sim/action/swarm_bounds.h"
#include "sim/base/json_readers.h"
#include "sim/faults/fault_settings.h"

namespace syncsim::sim {
namespace {

using nlohmann::json;

// One group: a non-empty list of devices no earlier group holds.
core::Status ParseGroup(const json& group, const std::string& group_path, size_t index,
                        const StepParseContext& context, std::map<std::string, std::string, std::less<>>* group_of,
                        std::vector<std::string>* members) {
  if (!group.is_array() || group.empty()) {
    return Invalid(group_path, "expected a non-empty list of device names, got " + Describe(group));
  }
  for (size_t i = 0; i < group.size(); ++i) {
    const std::string member_path = ElementPath(group_path, i);
    std::string name;
    SYNCSIM_RETURN_IF_ERROR(context.ReadDevice(group[i], member_path, &name));
    const std::string shown_group = "groups[" + std::to_string(index) + "]";
    if (auto [it, inserted] = group_of->emplace(name, shown_group); !inserted) {
      return Invalid(member_path, "device " + Quoted(name) + " is already in " + it->second);
    }
    members->push_back(std::move(name));
  }
  return core::Status::Ok();
}

core::Status Parse(const json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  const std::string groups_path = MemberPath(path, "groups");
  const json& groups = step["groups"];
  if (!groups.is_array()) return Invalid(groups_path, "expected an array of groups, got " + Describe(groups));
  if (groups.empty()) return Invalid(groups_path, "expected at least one group");
  PartitionSettings parsed;
  std::map<std::string, std::string, std::less<>> group_of;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<std::string> members;
    SYNCSIM_RETURN_IF_ERROR(ParseGroup(groups[g], ElementPath(groups_path, g), g, *context, &group_of, &members));
    parsed.groups.push_back(std::move(members));
  }
  if (const json* one_way = Find(step, "one_way")) {
    SYNCSIM_RETURN_IF_ERROR(ReadBool(*one_way, MemberPath(path, "one_way"), &parsed.one_way));
  }
  *settings = std::move(parsed);
  return core::Status::Ok();
}

core::Status Run(const std::any& settings, ActionRun* run) {
  const PartitionSettings& partition = std::any_cast<const PartitionSettings&>(settings);
  run->cluster().network().Partition(partition.groups, partition.one_way);
  return core::Status::Ok();
}

// Up to kSwarmPartitionsMax partitions of all devices in two, each with its
// heal. A later one may start while an earlier one holds: it replaces its
// groups, and the first heal ends both. A single partition misses the bugs
// that need the second (a heal that re-announces connections while a device
// is still down).
void Draw(const SwarmWorld& world, Random* random, std::vector<DrawnStep>* steps) {
  const std::vector<std::string>& names = world.devices;
  const int64_t partitions = names.size() >= 2 && random->Bernoulli(0.5) ? random->Range(1, kSwarmPartitionsMax) : 0;
  for (int64_t partition_index = 0; partition_index < partitions; ++partition_index) {
    std::vector<std::string> shuffled = names;
    random->Shuffle(shuffled);
    const size_t split = static_cast<size_t>(random->Range(1, static_cast<int64_t>(shuffled.size()) - 1));
    json groups = {std::vector<std::string>(shuffled.begin(), shuffled.begin() + static_cast<long>(split)),
                   std::vector<std::string>(shuffled.begin() + static_cast<long>(split), shuffled.end())};
    const int64_t start = random->Range(0, kSwarmFaultStartMsMax);
    json partition = {{"action", "partition"}, {"groups", groups}};
    if (random->Bernoulli(0.25)) partition["one_way"] = true;
    const size_t group = steps->size();
    steps->push_back({start, partition, group});
    steps->push_back({start + random->Range(100, kSwarmFaultLengthMsMax), {{"action", "heal"}}, group});
  }
}

const bool kRegistered = RegisterAction(
    {.name = "partition",
     .kind = ActionKind::kFault,
     .listing_order = 30,
     .keys = {{"groups", true, "a non-empty array of non-empty device lists, each device in one group at most"},
              {"one_way", false, "true or false (default false)"}},
     .parse = Parse,
     .run = Run,
     .swarm = Draw,
     .swarm_order = 10});

}  // namespace
}  // namespace syncsim::sim
