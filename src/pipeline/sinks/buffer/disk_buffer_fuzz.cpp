// libFuzzer target for the disk buffer's reader and recovery (untrusted
// bytes: data and pointer files on disk, docs/formats/disk-buffer.md).
//
// The first input byte picks how the rest becomes a data file in a MemEnv,
// so that the fuzzer reaches past the checksums:
//   0: the bytes are the whole data file;
//   1: a valid file header, then the bytes;
//   2: a valid file header, then records framed with correct checksums from
//      chunks of the input: [u16 length][u8 mode][chunk] ... (mode bit 0:
//      the sequence goes backwards; bit 1: the chunk is the body of a real
//      batch, else the raw payload);
// the second byte, when odd, adds a read pointer built from the next 24.
// Then it opens the buffer (recovery), reads and acknowledges everything,
// appends a batch, reopens and checks: no crash, reads never fail, sequences
// increase, and the second run finds exactly the appended batch, undamaged.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/env_mem.hpp"
#include "pipeline/sinks/buffer/disk_buffer.hpp"
#include "pipeline/sinks/buffer/disk_buffer_format.hpp"

namespace {

constexpr uint64_t kFirst = 1000;
constexpr char kDir[] = "/b";

uint64_t take64(std::string_view* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8 && !in->empty(); ++i) {
    v |= static_cast<uint64_t>(static_cast<uint8_t>((*in)[0])) << (8 * i);
    in->remove_prefix(1);
  }
  return v;
}

std::string build_file(uint8_t mode, std::string_view in) {
  if (mode == 0) return std::string(in);
  std::string file = sluice::buffer::encode_file_header(kFirst);
  if (mode == 1) return file + std::string(in);
  uint64_t seq = kFirst;
  while (in.size() >= 3) {
    size_t len = static_cast<uint8_t>(in[0]) | (static_cast<size_t>(static_cast<uint8_t>(in[1])) << 8);
    uint8_t flags = static_cast<uint8_t>(in[2]);
    in.remove_prefix(3);
    len = std::min(len, in.size());
    std::string_view chunk = in.substr(0, len);
    in.remove_prefix(len);
    std::string payload(chunk);
    if (flags & 2) {
      sluice::LogBatch b;
      b.records.emplace_back();
      b.records.back().body = std::string(chunk);
      if (!sluice::buffer::encode_payload(b, &payload).ok()) std::abort();
    }
    seq = (flags & 1) && seq > 0 ? seq - 1 : seq + 1;
    sluice::buffer::append_record(seq, 1, payload, &file);
  }
  return file;
}

std::unique_ptr<sluice::DiskBuffer> open(sluice::Env* env) {
  sluice::DiskBufferConfig c;
  c.dir = kDir;
  c.max_bytes = 1 << 20;
  c.name = "fuzz";
  auto b = sluice::DiskBuffer::open(env, c);
  if (!b.ok()) std::abort();  // MemEnv never fails I/O: recovery must cope
  return std::move(b).value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.size() < 2) return 0;
  uint8_t mode = static_cast<uint8_t>(in[0]) % 3;
  bool pointer = static_cast<uint8_t>(in[1]) & 1;
  in.remove_prefix(2);
  auto env = sluice::new_mem_env();
  if (!env->create_dirs(kDir).ok()) std::abort();
  if (pointer) {
    sluice::buffer::ReadPointer p;
    p.next_sequence = take64(&in) % (kFirst * 2);
    p.file = take64(&in) % (kFirst * 2);
    p.offset = take64(&in) % 4096;
    if (!env->put_file(std::string(kDir) + "/reader.pos", sluice::buffer::encode_pointer(p)).ok()) std::abort();
  }
  if (!env->put_file(std::string(kDir) + "/" + sluice::buffer::data_file_name(kFirst), build_file(mode, in)).ok()) {
    std::abort();
  }
  uint64_t appended = 0;
  {
    auto b = open(env.get());
    uint64_t last = 0;
    for (int i = 0; i < 100000; ++i) {
      auto item = b->read(std::chrono::nanoseconds(0));
      if (!item.ok()) std::abort();
      if (!item->has_value()) break;
      uint64_t seq = (*item)->sequence;
      if (i > 0 && seq <= last) std::abort();  // delivered out of order
      last = seq;
      if (!b->ack(seq).ok()) std::abort();
    }
    if (b->batches() != 0) std::abort();
    sluice::LogBatch batch;
    batch.records.emplace_back();
    batch.records.back().body = "appended";
    auto s = b->append(batch, std::chrono::nanoseconds(0));
    if (!s.ok()) std::abort();
    if (last != 0 && *s <= last) std::abort();
    appended = *s;
  }
  auto b = open(env.get());
  if (b->corrupt_records() != 0 || b->batches() != 1) std::abort();
  auto item = b->read(std::chrono::nanoseconds(0));
  if (!item.ok() || !item->has_value() || (*item)->sequence != appended) std::abort();
  if ((*item)->batch.records.size() != 1 || (*item)->batch.records[0].body != "appended") std::abort();
  return 0;
}
