// StateCatalog: what anti-entropy reads from a library database (DESIGN.md
// 3.5). For one (owner, model) — a nil owner meaning the records of a shared
// model — it serves pages of records in (version, uuid) order with
// tombstones, and summarizes the records below a version as a count and an
// order-independent digest, in total and per uuid bucket, so that two
// devices can tell whether they hold the same records and, if not, where
// they differ.
//
// The catalog only reads; it never changes the database.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/library_db.h"
#include "core/messages.h"
#include "core/uuid.h"

namespace syncsim::core {

// One page of a StateResponse.
struct StatePage {
  std::vector<WireRecord> records;
  bool has_more = false;
  StateCursor next;  // the last record returned, when has_more
};

// How a digest identifies a record.
enum class DigestBasis {
  kUuidsAndFields,  // correct: uuid, version and synced fields in wire form
  kLocalIds,        // the `digest_uses_local_ids` defect: the local row id
};

class StateCatalog {
 public:
  // `library` must outlive the catalog.
  explicit StateCatalog(LibraryDb* library) : library_(*library) {}

  // The records of `owner` and `model` after `after` in (version, uuid)
  // order, below version `before` unless it is empty, tombstones as deleted
  // records, only from the digest buckets in `buckets`, at most `limit` (at
  // least 1) of them. REQUIRES: `model` is in the registry.
  StatePage ReadPage(const Uuid& owner, const std::string& model, const StateCursor& after, const std::string& before,
                     uint32_t limit, uint32_t buckets);

  // Count and digests of the records (tombstones included) of `owner` and
  // `model` whose version is below `below` (none when `below` is empty).
  // The result's owner, model, count, digest and buckets are set; its
  // watermark is left empty.
  ModelWatermark Summarize(const Uuid& owner, const std::string& model, const std::string& below,
                           DigestBasis basis);

  // Every (owner, model) this device holds records or tombstones of, with
  // the newest version held, sorted. Shared models appear with a nil owner.
  struct Held {
    Uuid owner;
    std::string model;
    std::string newest_version;
  };
  std::vector<Held> HeldOwnerModels();

 private:
  // The record's synced fields in wire form, links still waiting for their
  // target included.
  nlohmann::json WireDataOf(const ModelSpec& model, const Uuid& uuid);
  // The version of each field of a shared record merged by field; empty
  // for records merged whole.
  std::map<std::string, std::string> FieldVersionsOf(const std::string& model, const Uuid& uuid);

  LibraryDb& library_;
};

// The digest bucket of a uuid: its first hex digit.
int DigestBucketOf(const Uuid& uuid);

}  // namespace syncsim::core
