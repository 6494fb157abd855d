// linkage_min: every receiver links at least this share of each owner's
// content and parent links (sim/check/convergence.h's Linkage); the weakest
// pair is named.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

double Share(const Linkage& link) { return std::min(link.content_share, link.parent_share); }

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  if (!facts.expect.linkage_min.has_value()) return;
  const double linkage_min = *facts.expect.linkage_min;
  auto weakest = std::min_element(facts.linkage.begin(), facts.linkage.end(),
                                  [](const Linkage& left, const Linkage& right) { return Share(left) < Share(right); });
  const bool any = weakest != facts.linkage.end();
  const double lowest = any ? Share(*weakest) : 1.0;
  const std::string lowest_text =
      any ? fmt::format("{} links {} of the {} files {} links; {} of {} parents", weakest->receiver,
                        weakest->receiver_content_links, weakest->owner_content_links, weakest->owner,
                        weakest->receiver_parent_links, weakest->owner_parent_links)
          : std::string("no device owns a location");
  // The tolerance absorbs floating-point rounding in the shares.
  out->push_back({"linkage_min", lowest + 1e-12 >= linkage_min,
                  fmt::format("lowest linkage {:.4f} (need >= {:.4f}): {}", lowest, linkage_min, lowest_text)});
}

const bool kRegistered = RegisterCheck({.name = "linkage_min",
                                        .per_device_model = false,
                                        .order = 50,
                                        .listed = 3,
                                        .expect_keys = {"linkage_min"},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
