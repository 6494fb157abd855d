#include "core/changelog/range_reconciliation.h"

#include <algorithm>
#include <iterator>

#include "core/changelog/change_id.h"

namespace syncsim::core::changelog {
namespace {

uint64_t HashId(const std::string& id) {
  uint64_t hash = 14695981039346656037ull;
  for (char c : id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

// a \ b, both sorted.
std::vector<std::string> Minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

void Append(std::vector<std::string>* out, const std::vector<std::string>& ids) {
  out->insert(out->end(), ids.begin(), ids.end());
}

RangeItem ListItem(const RangeItem& range, std::vector<std::string> ids, bool final) {
  RangeItem item{.kind = RangeItem::Kind::kIds, .lo = range.lo, .hi = range.hi, .depth = range.depth};
  item.count = ids.size();
  item.ids = std::move(ids);
  item.final = final;
  return item;
}

// Splits `own` (the ids of `range` held here, more than kIdListMax) into
// kSplitFanout ranges cut at its own quantiles, one fingerprint each.
void Split(const RangeItem& range, const std::vector<std::string>& own, std::vector<RangeItem>* reply) {
  std::vector<std::string> cuts{range.lo};
  for (size_t part = 1; part < kSplitFanout; ++part) cuts.push_back(own[own.size() * part / kSplitFanout]);
  cuts.push_back(range.hi);
  for (size_t part = 0; part < kSplitFanout; ++part) {
    std::vector<std::string> inside;
    for (const std::string& id : own) {
      if (id >= cuts[part] && id < cuts[part + 1]) inside.push_back(id);
    }
    const Fingerprint print = FingerprintOf(inside);
    reply->push_back(RangeItem{.kind = RangeItem::Kind::kFingerprint,
                               .lo = cuts[part],
                               .hi = cuts[part + 1],
                               .depth = range.depth + 1,
                               .count = print.count,
                               .digest = print.digest});
  }
}

void AnswerFingerprint(const RangeItem& item, const std::vector<std::string>& own, ReconcileStep* step) {
  const Fingerprint mine = FingerprintOf(own);
  if (mine == Fingerprint{item.count, item.digest}) {
    if (IsRoot(item)) {
      step->root_matched = true;
      step->reply.push_back(RangeItem{.kind = RangeItem::Kind::kMatch, .lo = item.lo, .hi = item.hi,
                                      .count = mine.count, .digest = mine.digest});
    }
    return;
  }
  if (item.count == 0) {  // the peer holds nothing here: all of it is missing there
    Append(&step->push, own);
  } else if (own.size() <= kIdListMax || item.depth >= kReconcileDepthMax) {
    step->reply.push_back(ListItem(item, own, /*final=*/false));
  } else {
    Split(item, own, &step->reply);
  }
}

void AnswerList(const RangeItem& item, const std::vector<std::string>& own, ReconcileStep* step) {
  std::vector<std::string> theirs = item.ids;
  std::sort(theirs.begin(), theirs.end());
  Append(&step->push, Minus(own, theirs));
  if (!item.final && !Minus(theirs, own).empty()) step->reply.push_back(ListItem(item, own, /*final=*/true));
}

}  // namespace

Fingerprint FingerprintOf(const std::vector<std::string>& ids) {
  Fingerprint print;
  for (const std::string& id : ids) {
    ++print.count;
    print.digest ^= HashId(id);
  }
  return print;
}

RangeItem RootItem(const std::vector<std::string>& all_ids) {
  const Fingerprint print = FingerprintOf(all_ids);
  return RangeItem{.kind = RangeItem::Kind::kFingerprint,
                   .lo = "",
                   .hi = std::string(kChangeIdEnd),
                   .count = print.count,
                   .digest = print.digest};
}

bool IsRoot(const RangeItem& item) { return item.lo.empty() && item.hi == kChangeIdEnd; }

ReconcileStep Reconcile(const std::vector<RangeItem>& incoming, const IdsInRange& ids_in_range) {
  ReconcileStep step;
  for (const RangeItem& item : incoming) {
    if (item.kind == RangeItem::Kind::kMatch || item.lo >= item.hi) continue;
    const std::vector<std::string> own = ids_in_range(item.lo, item.hi);
    if (item.kind == RangeItem::Kind::kFingerprint) {
      AnswerFingerprint(item, own, &step);
    } else {
      AnswerList(item, own, &step);
    }
  }
  std::sort(step.push.begin(), step.push.end());
  step.push.erase(std::unique(step.push.begin(), step.push.end()), step.push.end());
  return step;
}

}  // namespace syncsim::core::changelog
