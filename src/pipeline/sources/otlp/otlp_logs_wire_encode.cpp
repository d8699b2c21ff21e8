#include "pipeline/sources/otlp/otlp_logs_wire_encode.hpp"

#include <cstring>
#include <vector>

#include "common/assert.hpp"
#include "common/byte_copy.hpp"
#include "common/varint_length.hpp"
#include "model/utf8.hpp"
#include "pipeline/sources/otlp/otlp_ids.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

/// Bytes of a length-delimited field with a one-byte tag and `n` bytes.
size_t len_field(size_t n) { return 1 + varint_length(n) + n; }

/// Bytes of an AnyValue holding string `s` (string_value = 1).
size_t any_string_size(std::string_view s) { return len_field(s.size()); }

/// Bytes of a KeyValue {key, value.string_value}; proto3 leaves out an empty key.
inline size_t key_value_size(std::string_view k, std::string_view v) {
  return (k.empty() ? 0 : len_field(k.size())) + len_field(any_string_size(v));
}

/// True when `hex` is 2 * `bytes` hex digits (the id is then sent).
bool id_ok(const std::string& hex, size_t bytes) {
  if (hex.size() != 2 * bytes) return false;
  for (char c : hex) {
    if (hex_digit_value(c) < 0) return false;
  }
  return true;
}

// Writes into a buffer sized beforehand from the computed message sizes.
class Writer {
 public:
  explicit Writer(char* at) : p_(at) {}
  char* position() const { return p_; }
  void byte(uint8_t b) { *p_++ = static_cast<char>(b); }
  void varint(uint64_t v) {
    while (v >= 0x80) {
      *p_++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p_++ = static_cast<char>(v);
  }
  void fixed64(uint8_t tag, uint64_t v) {
    byte(tag);
    std::memcpy(p_, &v, 8);  // little-endian host
    p_ += 8;
  }
  void fixed32(uint8_t tag, uint32_t v) {
    byte(tag);
    std::memcpy(p_, &v, 4);
    p_ += 4;
  }
  void header(uint8_t tag, size_t n) {
    byte(tag);
    varint(n);
  }
  void raw(std::string_view s) { p_ = append_bytes(p_, s); }
  void bytes(uint8_t tag, std::string_view s) {
    header(tag, s.size());
    raw(s);
  }
  void any_string(uint8_t tag, std::string_view s) {
    header(tag, any_string_size(s));
    bytes(0x0a, s);
  }
  void key_value(uint8_t tag, std::string_view k, std::string_view v) {
    header(tag, key_value_size(k, v));
    if (!k.empty()) bytes(0x0a, k);
    any_string(0x12, v);
  }
  void id(uint8_t tag, const std::string& hex) {
    header(tag, hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
      byte(static_cast<uint8_t>(hex_digit_value(hex[i]) << 4 | hex_digit_value(hex[i + 1])));
    }
  }

 private:
  char* p_;
};

/// The resource's attributes as fill_otlp_resource writes them: its
/// "service.name" replaced by `service` (first kept, later dropped), added
/// when absent.
std::vector<std::pair<std::string_view, std::string_view>> resource_attributes(const LogRecord& r) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  out.reserve(r.resource.size() + 1);
  bool service_written = false;
  for (const auto& [k, v] : r.resource) {
    if (k == "service.name" && !r.service_name.empty()) {
      if (service_written) continue;
      out.emplace_back(k, r.service_name);
      service_written = true;
    } else {
      out.emplace_back(k, v);
    }
  }
  if (!service_written && !r.service_name.empty()) out.emplace_back("service.name", r.service_name);
  return out;
}

bool texts_valid(const LogRecord& r) {
  if (!is_valid_utf8(r.body) || !is_valid_utf8(r.severity_text) || !is_valid_utf8(r.scope_name) ||
      !is_valid_utf8(r.scope_version) || !is_valid_utf8(r.service_name)) {
    return false;
  }
  for (const auto& [k, v] : r.attributes) {
    if (!is_valid_utf8(k) || !is_valid_utf8(v)) return false;
  }
  for (const auto& [k, v] : r.resource) {
    if (!is_valid_utf8(k) || !is_valid_utf8(v)) return false;
  }
  return true;
}

size_t record_size(const LogRecord& r) {
  size_t n = 0;
  if (r.timestamp_ns > 0) n += 9;
  if (r.severity_number != 0 && r.severity_number <= 24) n += 2;
  if (!r.severity_text.empty()) n += len_field(r.severity_text.size());
  n += len_field(any_string_size(r.body));
  for (const auto& [k, v] : r.attributes) n += len_field(key_value_size(k, v));
  if (r.trace_flags != 0) n += 5;
  if (id_ok(r.trace_id, 16)) n += len_field(16);
  if (id_ok(r.span_id, 8)) n += len_field(8);
  if (r.observed_timestamp_ns > 0) n += 9;
  return n;
}

void write_record(Writer& w, const LogRecord& r, size_t size) {
  w.header(0x12, size);  // ScopeLogs.log_records = 2
  if (r.timestamp_ns > 0) w.fixed64(0x09, static_cast<uint64_t>(r.timestamp_ns));
  if (r.severity_number != 0 && r.severity_number <= 24) {
    w.byte(0x10);
    w.varint(r.severity_number);
  }
  if (!r.severity_text.empty()) w.bytes(0x1a, r.severity_text);
  w.any_string(0x2a, r.body);
  for (const auto& [k, v] : r.attributes) w.key_value(0x32, k, v);
  if (r.trace_flags != 0) w.fixed32(0x45, r.trace_flags);
  if (id_ok(r.trace_id, 16)) w.id(0x4a, r.trace_id);
  if (id_ok(r.span_id, 8)) w.id(0x52, r.span_id);
  if (r.observed_timestamp_ns > 0) w.fixed64(0x59, static_cast<uint64_t>(r.observed_timestamp_ns));
}

/// The encoder sends an InstrumentationScope only when it has a name or version.
bool has_scope(const LogRecord& r) { return !r.scope_name.empty() || !r.scope_version.empty(); }

size_t scope_size(const LogRecord& r) {
  return (r.scope_name.empty() ? 0 : len_field(r.scope_name.size())) +
         (r.scope_version.empty() ? 0 : len_field(r.scope_version.size()));
}

/// A run of records sharing one ScopeLogs.
struct ScopeRun {
  size_t begin, end;
  size_t size;  ///< of the ScopeLogs message
};

/// A run of records sharing one ResourceLogs.
struct ResourceRun {
  size_t begin, end;
  std::vector<ScopeRun> scopes;
  size_t resource_size;  ///< of the Resource message
  size_t size;           ///< of the ResourceLogs message
};

}  // namespace

std::optional<std::string> encode_otlp_logs_wire(std::span<const LogRecord> records,
                                                 std::string_view sluice_positions) {
  std::string out;
  if (!encode_otlp_logs_wire(records, sluice_positions, &out)) return std::nullopt;
  return out;
}

bool encode_otlp_logs_wire(std::span<const LogRecord> records, std::string_view sluice_positions, std::string* out) {
  std::vector<size_t> sizes(records.size());
  std::vector<ResourceRun> runs;
  for (size_t i = 0; i < records.size(); ++i) {
    const LogRecord& r = records[i];
    if (!texts_valid(r)) return false;
    sizes[i] = record_size(r);
    const LogRecord* prev = i == 0 ? nullptr : &records[i - 1];
    if (prev == nullptr || r.resource != prev->resource || r.service_name != prev->service_name) {
      runs.push_back(ResourceRun{i, i, {}, 0, 0});
    }
    ResourceRun& run = runs.back();
    if (run.scopes.empty() || r.scope_name != prev->scope_name || r.scope_version != prev->scope_version) {
      run.scopes.push_back(ScopeRun{i, i, 0});
    }
    run.scopes.back().end = i + 1;
    run.end = i + 1;
  }
  size_t total = 0;
  for (ResourceRun& run : runs) {
    for (const auto& [k, v] : resource_attributes(records[run.begin]))
      run.resource_size += len_field(key_value_size(k, v));
    run.size = len_field(run.resource_size);
    for (ScopeRun& s : run.scopes) {
      const LogRecord& first = records[s.begin];
      if (has_scope(first)) s.size += len_field(scope_size(first));
      for (size_t i = s.begin; i < s.end; ++i) s.size += len_field(sizes[i]);
      run.size += len_field(s.size);
    }
    total += len_field(run.size);
  }
  uint64_t positions_tag = static_cast<uint64_t>(kSluicePositionsField) << 3 | 2;
  if (!sluice_positions.empty()) {
    total += varint_length(positions_tag) + varint_length(sluice_positions.size()) + sluice_positions.size();
  }
  out->resize(total);
  Writer w(out->data());
  for (const ResourceRun& run : runs) {
    w.header(0x0a, run.size);           // ExportLogsServiceRequest.resource_logs = 1
    w.header(0x0a, run.resource_size);  // ResourceLogs.resource = 1
    for (const auto& [k, v] : resource_attributes(records[run.begin])) w.key_value(0x0a, k, v);
    for (const ScopeRun& s : run.scopes) {
      w.header(0x12, s.size);  // ResourceLogs.scope_logs = 2
      const LogRecord& first = records[s.begin];
      if (has_scope(first)) {
        w.header(0x0a, scope_size(first));  // ScopeLogs.scope = 1
        if (!first.scope_name.empty()) w.bytes(0x0a, first.scope_name);
        if (!first.scope_version.empty()) w.bytes(0x12, first.scope_version);
      }
      for (size_t i = s.begin; i < s.end; ++i) write_record(w, records[i], sizes[i]);
    }
  }
  if (!sluice_positions.empty()) {
    w.varint(positions_tag);
    w.varint(sluice_positions.size());
    w.raw(sluice_positions);
  }
  SLUICE_ASSERT(w.position() == out->data() + out->size(), "OTLP logs encoder: computed size differs from written");
  return true;
}

}  // namespace sluice
