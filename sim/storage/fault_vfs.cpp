#include "sim/storage/fault_vfs.h"

#include <algorithm>
#include <cstring>

#include "sim/base/assert.h"

namespace syncsim::sim {
namespace {

// What SQLite is told the disk writes atomically. Torn writes tear along
// sectors of this size.
constexpr int64_t kSectorBytes = 512;
// A fixed instant for xCurrentTime (2023-02-24 in Julian days): SQLite reads
// it only for SQL date functions, which the core does not use, and real
// time would make a run depend on when it ran.
constexpr double kFixedJulianDay = 2460000.5;
constexpr sqlite3_int64 kFixedJulianMs = static_cast<sqlite3_int64>(kFixedJulianDay * 86'400'000.0);

// Instance names: a process-wide counter, so that two simulated disks never
// share a name and the name never depends on a pointer value.
uint64_t next_instance = 1;

void Resize(std::vector<uint8_t>* bytes, int64_t size) { bytes->resize(static_cast<size_t>(size), 0); }

void WriteAt(std::vector<uint8_t>* bytes, int64_t offset, const uint8_t* data, size_t length) {
  const size_t end = static_cast<size_t>(offset) + length;
  if (bytes->size() < end) bytes->resize(end, 0);
  std::memcpy(bytes->data() + offset, data, length);
}

}  // namespace

// The sqlite3_vfs and sqlite3_io_methods callbacks. A handle is a
// sqlite3_file followed by what it opened: a named file of the disk, or an
// anonymous temporary file it owns.
class FaultVfs::Callbacks {
 public:
  struct Handle {
    sqlite3_file base;
    FaultVfs* vfs;
    std::string* name;  // null for a temporary file
    File* temporary;    // owned, for a temporary file
    int flags;
  };

  static sqlite3_io_methods Methods() {
    sqlite3_io_methods methods{};
    methods.iVersion = 1;  // no shared memory, no memory mapping
    methods.xClose = Close;
    methods.xRead = Read;
    methods.xWrite = Write;
    methods.xTruncate = Truncate;
    methods.xSync = Sync;
    methods.xFileSize = FileSize;
    methods.xLock = [](sqlite3_file*, int) { return SQLITE_OK; };
    methods.xUnlock = [](sqlite3_file*, int) { return SQLITE_OK; };
    methods.xCheckReservedLock = [](sqlite3_file*, int* result) {
      *result = 0;
      return SQLITE_OK;
    };
    methods.xFileControl = [](sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; };
    methods.xSectorSize = [](sqlite3_file*) { return static_cast<int>(kSectorBytes); };
    // No power-safe overwrite, no safe append, no atomic writes: SQLite
    // must assume the worst of the disk, which is what it is tested for.
    methods.xDeviceCharacteristics = [](sqlite3_file*) { return 0; };
    return methods;
  }

  static FaultVfs& Of(sqlite3_vfs* vfs) { return *static_cast<FaultVfs*>(vfs->pAppData); }
  static Handle& Of(sqlite3_file* file) { return *reinterpret_cast<Handle*>(file); }
  static File& FileOf(Handle& handle) {
    return handle.temporary != nullptr ? *handle.temporary : handle.vfs->files_.at(*handle.name);
  }

  static int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    static const sqlite3_io_methods methods = Methods();
    Handle& handle = Of(file);
    handle.base.pMethods = nullptr;  // SQLite closes no file whose open failed
    handle.vfs = &Of(vfs);
    handle.flags = flags;
    handle.name = nullptr;
    handle.temporary = nullptr;
    if (name == nullptr) {
      handle.temporary = new File();
    } else {
      // As a real disk: a file that does not exist opens only to be made.
      if ((flags & SQLITE_OPEN_CREATE) == 0 && !handle.vfs->files_.contains(name)) return SQLITE_CANTOPEN;
      auto found = handle.vfs->files_.try_emplace(name).first;
      handle.name = new std::string(found->first);
      ++found->second.open_handles;
    }
    if (out_flags != nullptr) *out_flags = flags;
    handle.base.pMethods = &methods;
    return SQLITE_OK;
  }

  static int Close(sqlite3_file* file) {
    Handle& handle = Of(file);
    if (handle.temporary != nullptr) {
      delete handle.temporary;
    } else {
      auto found = handle.vfs->files_.find(*handle.name);
      if (found != handle.vfs->files_.end()) {
        --found->second.open_handles;
        if ((handle.flags & SQLITE_OPEN_DELETEONCLOSE) != 0 && found->second.open_handles == 0) {
          handle.vfs->files_.erase(found);
        }
      }
      delete handle.name;
    }
    handle.base.pMethods = nullptr;
    return SQLITE_OK;
  }

  static int Read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
    const File& data = FileOf(Of(file));
    const int64_t size = static_cast<int64_t>(data.visible.size());
    const int64_t available = std::clamp<int64_t>(size - offset, 0, amount);
    if (available > 0) std::memcpy(buffer, data.visible.data() + offset, static_cast<size_t>(available));
    if (available == amount) return SQLITE_OK;
    // SQLite requires the rest of a short read to be zeros.
    std::memset(static_cast<uint8_t*>(buffer) + available, 0, static_cast<size_t>(amount - available));
    return SQLITE_IOERR_SHORT_READ;
  }

  static int Write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
    Handle& handle = Of(file);
    PendingOperation operation{.is_truncate = false, .offset = offset, .bytes = {}};
    const auto* bytes = static_cast<const uint8_t*>(buffer);
    operation.bytes.assign(bytes, bytes + amount);
    return Apply(handle, std::move(operation), SQLITE_IOERR_WRITE);
  }

  static int Truncate(sqlite3_file* file, sqlite3_int64 size) {
    return Apply(Of(file), PendingOperation{.is_truncate = true, .offset = size, .bytes = {}}, SQLITE_IOERR_TRUNCATE);
  }

  // A write or truncate: reaches what reads see and waits for a sync,
  // unless the disk fails it.
  static int Apply(Handle& handle, PendingOperation operation, int error) {
    File& data = FileOf(handle);
    if (handle.temporary == nullptr) {
      const int fault = handle.vfs->DrawFault(/*is_write=*/!operation.is_truncate);
      if (fault == kCutNow) {
        // The operation the power cut interrupted may have reached the
        // disk, whole or in part: it is pending like any other, and the
        // callback sees it so.
        Perform(operation, &data.visible);
        data.pending.push_back(std::move(operation));
        handle.vfs->RunPowerCutCallback();
        return error;
      }
      if (fault != SQLITE_OK) return fault == SQLITE_FULL ? SQLITE_FULL : error;
      ++handle.vfs->counters_.writes;
    }
    Perform(operation, &data.visible);
    if (handle.temporary == nullptr) data.pending.push_back(std::move(operation));
    return SQLITE_OK;
  }

  static void Perform(const PendingOperation& operation, std::vector<uint8_t>* bytes) {
    if (operation.is_truncate) {
      Resize(bytes, operation.offset);
    } else {
      WriteAt(bytes, operation.offset, operation.bytes.data(), operation.bytes.size());
    }
  }

  static int Sync(sqlite3_file* file, int /*flags*/) {
    Handle& handle = Of(file);
    if (handle.temporary != nullptr) return SQLITE_OK;
    const int fault = handle.vfs->DrawFault(/*is_write=*/false);
    File& data = FileOf(handle);
    if (fault == Callbacks::kCutNow) {
      handle.vfs->RunPowerCutCallback();
      return SQLITE_IOERR_FSYNC;  // the power loss decides
    }
    if (fault != SQLITE_OK) {
      // A failed sync loses the writes it was to make durable, as Linux may
      // drop the dirty pages of a failed fsync: a commit that reports an
      // error has then not happened, and the device, which reopens its
      // database after any storage error, never finds it committed later.
      if (!handle.vfs->power_cut_) {
        data.visible = data.durable;
        data.pending.clear();
      }
      return SQLITE_IOERR_FSYNC;
    }
    // Applying the pending operations costs what they wrote, where copying
    // the file would cost its size at every commit.
    for (const PendingOperation& operation : data.pending) Perform(operation, &data.durable);
    data.pending.clear();
    ++handle.vfs->counters_.syncs;
    return SQLITE_OK;
  }

  static int FileSize(sqlite3_file* file, sqlite3_int64* size) {
    *size = static_cast<sqlite3_int64>(FileOf(Of(file)).visible.size());
    return SQLITE_OK;
  }

  static int Delete(sqlite3_vfs* vfs, const char* name, int /*sync_directory*/) {
    // Durable at once, as in SQLite's crash VFS: a journal deleted is gone.
    auto found = Of(vfs).files_.find(name);
    if (found == Of(vfs).files_.end()) return SQLITE_IOERR_DELETE_NOENT;
    if (found->second.open_handles > 0) return SQLITE_IOERR_DELETE;  // SQLite closes before it deletes
    Of(vfs).files_.erase(found);
    return SQLITE_OK;
  }

  static int Access(sqlite3_vfs* vfs, const char* name, int /*flags*/, int* result) {
    *result = Of(vfs).files_.contains(name) ? 1 : 0;
    return SQLITE_OK;
  }

  static int FullPathname(sqlite3_vfs*, const char* name, int out_bytes, char* out) {
    sqlite3_snprintf(out_bytes, out, "%s", name);
    return SQLITE_OK;
  }

  static int Randomness(sqlite3_vfs* vfs, int bytes, char* out) {
    for (int index = 0; index < bytes; ++index) out[index] = static_cast<char>(Of(vfs).random_.NextU64() & 0xff);
    return bytes;
  }

  static constexpr int kCutNow = -1;
};

FaultVfs::FaultVfs(Random random, StorageFaultSettings settings)
    : random_(random), settings_(settings), name_("syncsim-fault-" + std::to_string(next_instance++)) {
  vfs_ = std::make_unique<sqlite3_vfs>();
  sqlite3_vfs& vfs = *vfs_;
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(sizeof(Callbacks::Handle));
  vfs.mxPathname = 512;
  vfs.zName = name_.c_str();
  vfs.pAppData = this;
  vfs.xOpen = Callbacks::Open;
  vfs.xDelete = Callbacks::Delete;
  vfs.xAccess = Callbacks::Access;
  vfs.xFullPathname = Callbacks::FullPathname;
  vfs.xRandomness = Callbacks::Randomness;
  vfs.xSleep = [](sqlite3_vfs*, int microseconds) { return microseconds; };
  vfs.xCurrentTime = [](sqlite3_vfs*, double* now) {
    *now = kFixedJulianDay;
    return SQLITE_OK;
  };
  vfs.xGetLastError = [](sqlite3_vfs*, int, char*) { return 0; };
  vfs.xCurrentTimeInt64 = [](sqlite3_vfs*, sqlite3_int64* now) {
    *now = kFixedJulianMs;
    return SQLITE_OK;
  };
  SYNCSIM_ASSERT(sqlite3_vfs_register(vfs_.get(), 0) == SQLITE_OK);
  // SQLite draws journal nonces and WAL salts from one process-wide
  // generator, seeded from the operating system on first use: seeded here
  // from the device's stream instead, so the bytes on the disk (and what a
  // torn write leaves of them) are the same in every run.
  sqlite3_test_control(SQLITE_TESTCTRL_PRNG_SEED, static_cast<int>(random_.NextU64() & 0x7fffffff), nullptr);
}

FaultVfs::~FaultVfs() {
  for (const auto& [name, file] : files_) SYNCSIM_ASSERT(file.open_handles == 0);
  sqlite3_vfs_unregister(vfs_.get());
}

const char* FaultVfs::Name() const { return name_.c_str(); }

void FaultVfs::ArmPowerLossAt(uint64_t io_count, std::function<void()> on_power_cut) {
  SYNCSIM_ASSERT(io_count >= 1);
  power_loss_countdown_ = io_count;
  on_power_cut_ = std::move(on_power_cut);
}

void FaultVfs::DisarmPowerLoss() {
  power_loss_countdown_ = 0;
  on_power_cut_ = nullptr;
}

void FaultVfs::CutPower() { power_cut_ = true; }

void FaultVfs::RunPowerCutCallback() {
  std::function<void()> callback = std::move(on_power_cut_);
  on_power_cut_ = nullptr;
  if (callback) callback();
}

int FaultVfs::DrawFault(bool is_write) {
  // A dead device writes nothing, armed or not.
  if (power_cut_) return SQLITE_IOERR;
  if (!armed_) return SQLITE_OK;
  if (power_loss_countdown_ > 0 && --power_loss_countdown_ == 0) {
    CutPower();
    return Callbacks::kCutNow;
  }
  if (random_.Bernoulli(settings_.io_error_probability)) {
    ++counters_.io_errors;
    return SQLITE_IOERR;
  }
  if (is_write && random_.Bernoulli(settings_.disk_full_probability)) {
    ++counters_.disk_full;
    return SQLITE_FULL;
  }
  return SQLITE_OK;
}

PowerLossOutcome FaultVfs::PowerLoss() {
  SYNCSIM_ASSERT(power_cut_);
  PowerLossOutcome outcome;
  for (auto& [name, file] : files_) {
    SYNCSIM_ASSERT(file.open_handles == 0);
    for (const PendingOperation& operation : file.pending) {
      // A truncate changes only the file's size, which the disk either
      // recorded or not: it is kept or dropped, never torn.
      const uint64_t fate = random_.Uniform(operation.is_truncate ? 2 : 3);
      if (fate == 0) {
        ++outcome.kept;
        Callbacks::Perform(operation, &file.durable);
      } else if (fate == 1) {
        ++outcome.dropped;
      } else {
        ++outcome.torn;
        TearInto(operation, &file.durable);
      }
    }
    file.pending.clear();
    file.visible = file.durable;
  }
  power_cut_ = false;
  power_loss_countdown_ = 0;
  ++counters_.power_losses;
  counters_.lost.kept += outcome.kept;
  counters_.lost.dropped += outcome.dropped;
  counters_.lost.torn += outcome.torn;
  return outcome;
}

void FaultVfs::TearInto(const PendingOperation& write, std::vector<uint8_t>* durable) {
  const int64_t end = write.offset + static_cast<int64_t>(write.bytes.size());
  // A write past the end grows the file: the new space holds zeros where
  // a sector kept its old content (there was none).
  if (static_cast<int64_t>(durable->size()) < end) Resize(durable, end);
  for (int64_t sector = write.offset / kSectorBytes * kSectorBytes; sector < end; sector += kSectorBytes) {
    const int64_t from = std::max(sector, write.offset);
    const int64_t to = std::min(sector + kSectorBytes, end);
    const uint64_t fate = random_.Uniform(3);  // 0 old, 1 new, 2 garbage
    for (int64_t at = from; at < to; ++at) {
      if (fate == 1) {
        (*durable)[static_cast<size_t>(at)] = write.bytes[static_cast<size_t>(at - write.offset)];
      } else if (fate == 2) {
        (*durable)[static_cast<size_t>(at)] = static_cast<uint8_t>(random_.NextU64() & 0xff);
      }
    }
  }
}

void FaultVfs::Wipe() {
  for (const auto& [name, file] : files_) SYNCSIM_ASSERT(file.open_handles == 0);
  files_.clear();
}

std::vector<uint8_t> FaultVfs::VisibleBytes(const std::string& name) const {
  auto found = files_.find(name);
  return found == files_.end() ? std::vector<uint8_t>() : found->second.visible;
}

std::vector<uint8_t> FaultVfs::DurableBytes(const std::string& name) const {
  auto found = files_.find(name);
  return found == files_.end() ? std::vector<uint8_t>() : found->second.durable;
}

size_t FaultVfs::PendingOperations(const std::string& name) const {
  auto found = files_.find(name);
  return found == files_.end() ? 0 : found->second.pending.size();
}

}  // namespace syncsim::sim
