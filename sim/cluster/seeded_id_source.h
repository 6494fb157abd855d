// SeededIdSource: record uuids drawn from a seeded stream, so every id a
// device creates is reproducible from the run's seed.
#pragma once

#include "core/uuid.h"
#include "sim/kernel/random.h"

namespace syncsim::sim {

class SeededIdSource : public core::IdSource {
 public:
  explicit SeededIdSource(Random random) : random_(random) {}
  core::Uuid NewUuid() override {
    const uint64_t high = random_.NextU64();
    const uint64_t low = random_.NextU64();
    return core::Uuid::FromRandomBits(high, low);
  }

 private:
  Random random_;
};

}  // namespace syncsim::sim
