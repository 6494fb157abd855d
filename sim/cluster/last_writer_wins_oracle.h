// LastWriterWinsOracle: what every device must end with for each shared
// record, computed from the writes the devices made (each engine reports its
// local shared writes through Engine::SetSharedWriteObserver), never from
// what any device holds. A check that compares devices only with each other
// would call two replicas that lost the same write converged.
//
// Two merges, chosen by the writes themselves:
// - whole record (a write's `field_versions` empty): the write with the
//   greatest HLC wins whole; a delete wins when it is the greatest.
// - per field (`field_versions` set): each field holds the value of the
//   write with the greatest version of that field; a delete is final (a
//   tombstone absorbs every write of the record, earlier or later), so the
//   merge is a semilattice whatever order changes arrive in.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/messages.h"
#include "sim/check/convergence.h"

namespace syncsim::sim {

class LastWriterWinsOracle {
 public:
  // Records one write. Ties (the same HLC twice) keep the first: a write
  // reported twice changes nothing.
  void Observe(const core::SharedChangeEntry& change);

  // model -> uuid -> the expected value (nullopt: the record must not exist).
  SharedOracle Values() const;

 private:
  struct FieldWrite {
    std::string version;
    nlohmann::json value;
  };
  // A delete carries no fields, so the merge of a record is known from its
  // other writes (there is always one: a device deletes what it holds).
  struct RecordWrites {
    std::string hlc;  // whole record: the winning write's HLC
    std::optional<nlohmann::json> data;  // whole record: its value
    bool deleted = false;  // some write deleted it
    bool merge_known = false;  // a write that is not a delete was seen
    bool by_field = false;
    std::map<std::string, FieldWrite> fields;  // by field: field -> winner
  };
  static void ObserveFields(const core::SharedChangeEntry& change, RecordWrites* writes);
  std::map<std::string, std::map<std::string, RecordWrites>> records_;
};

}  // namespace syncsim::sim
