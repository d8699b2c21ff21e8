// libFuzzer target for WAL recovery and reading (untrusted bytes: segment
// files on disk).
//
// The first input byte picks how the rest becomes a segment file in a
// MemEnv, so that the fuzzer reaches past the checksums:
//   0: the bytes are the whole segment file;
//   1: a valid file header, then the bytes;
//   2: a valid file header, then entries sealed with correct checksums from
//      chunks of the input: [u16 payload length][u8 record count][u8 mode]
//      [payload] ... (mode bit 0: wrong first_offset, bit 1: unknown type).
// Then it opens the WAL (recovery), reads every entry, appends, syncs,
// reopens, and checks: no crash, a second recovery finds a clean WAL with
// the same records plus the appended one, reads never fail.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/env_mem.hpp"
#include "store/wal/coding.hpp"
#include "store/wal/wal.hpp"
#include "store/wal/wal_format.hpp"

namespace {

constexpr uint64_t kBase = 1000;

std::string build_segment(std::string_view in) {
  if (in.empty()) return {};
  uint8_t mode = static_cast<uint8_t>(in[0]) % 3;
  in.remove_prefix(1);
  if (mode == 0) return std::string(in);
  sluice::wal::FileHeader header;
  header.base_offset = kBase;
  std::string file = sluice::wal::encode_file_header(header);
  if (mode == 1) return file + std::string(in);
  uint64_t next = kBase;
  while (in.size() >= 4) {
    size_t len = static_cast<uint8_t>(in[0]) | (static_cast<size_t>(static_cast<uint8_t>(in[1])) << 8);
    uint32_t count = static_cast<uint8_t>(in[2]);
    uint8_t flags = static_cast<uint8_t>(in[3]);
    in.remove_prefix(4);
    len = std::min(len, in.size());
    std::string entry(sluice::wal::kEntryHeaderSize, '\0');
    entry.append(in.substr(0, len));
    in.remove_prefix(len);
    uint64_t first = (flags & 1) ? next + 1 : next;
    uint8_t type = (flags & 2) ? 7 : sluice::wal::kEntryTypeLogBatch;
    sluice::wal::seal_entry(entry.data(), entry.size(), type, first, count);
    file += entry;
    next += count;
  }
  return file;
}

std::vector<sluice::LogRecord> read_all(const sluice::Wal& wal) {
  std::vector<sluice::LogRecord> out;
  auto reader = wal.read_from(wal.first_offset());
  if (!reader.ok()) std::abort();
  sluice::WalEntry e;
  while (true) {
    auto more = (*reader)->next(&e);
    if (!more.ok()) std::abort();  // recovery validated every kept byte
    if (!*more) break;
    if (e.first_offset != wal.first_offset() + out.size()) std::abort();
    out.insert(out.end(), e.batch.records.begin(), e.batch.records.end());
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto env = sluice::new_mem_env();
  const std::string dir = "/fuzz";
  if (!env->create_dirs(dir).ok()) std::abort();
  std::string file = build_segment(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!env->put_file(dir + "/" + sluice::wal::segment_file_name(kBase), file).ok()) std::abort();

  sluice::RecoveryReport report;
  auto wal = sluice::Wal::open(env.get(), dir, {}, &report);
  if (!wal.ok()) return 0;  // e.g. a valid header of a newer version: refused, nothing changed
  std::vector<sluice::LogRecord> records = read_all(**wal);
  if (records.size() != report.records) std::abort();

  sluice::LogBatch more;
  more.records.emplace_back();
  more.records.back().body = "appended after recovery";
  if (!(*wal)->append(more).ok() || !(*wal)->sync().ok()) std::abort();
  wal->reset();

  sluice::RecoveryReport again;
  auto reopened = sluice::Wal::open(env.get(), dir, {}, &again);
  if (!reopened.ok() || !again.first_error.ok()) std::abort();
  records.push_back(more.records.back());
  if (read_all(**reopened) != records) std::abort();
  return 0;
}
