// LogBatch codec; see batch_codec.hpp and docs/formats/wal.md "Payload".
//
// payload  := varint record_count, varint position_count, position*, record*,
//             section*
// section  := u8 type, varint count (> 0), item*; type 1 = samples, 2 = spans,
//             each at most once, in increasing type order
// position := str source, str key, varint offset, str path
// record   := u8 flags, fixed64 timestamp_ns, fixed64 observed_timestamp_ns,
//             u8 severity_number, varint trace_flags, str severity_text,
//             str body, (kvs_ref if kAttrKeyRefs else kvs) attributes,
//             [kvs resource]                 unless kSameResource
//             [str service_name]             unless kSameService
//             [str scope_name, str scope_version] unless kSameScope
//             trace_id: 16 raw bytes if kTraceIdRaw else str
//             span_id:  8 raw bytes  if kSpanIdRaw  else str
// kvs      := varint count, (str key, str value)*
// kvs_ref  := varint count, (varint tag, [key bytes], str value)*: an odd tag
//             is the key at index tag>>1 of the previous record's attributes,
//             an even tag a literal key of tag>>1 bytes that follow
// sample   := u8 flags, fixed64 timestamp_ns, fixed64 value (IEEE 754 bits),
//             u8 kind, str name, (kvs_ref if kAttrKeyRefs else kvs) labels,
//             [kvs resource]                 unless kSameResource
// span     := u8 flags, fixed64 start_ns, fixed64 end_ns, u8 kind,
//             u8 status_code, varint span flags, str name,
//             trace_id (16 raw bytes if kTraceIdRaw else str),
//             span_id (8 raw bytes if kSpanIdRaw else str),
//             parent_span_id (8 raw bytes if kParentIdRaw else str),
//             str trace_state, str status_message,
//             (kvs_ref if kAttrKeyRefs else kvs) attributes,
//             [kvs resource] unless kSameResource,
//             [str service_name] unless kSameService,
//             [str scope_name, str scope_version] unless kSameScope,
//             varint event_count, (fixed64 ts, str name, kvs attributes)*,
//             varint link_count, (str trace_id, str span_id, str trace_state,
//             kvs attributes)*
// str      := varint length, bytes
#include "store/wal/batch_codec.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "common/assert.hpp"
#include "common/byte_copy.hpp"
#include "store/wal/coding.hpp"

namespace sluice {
namespace {

using wal::get_fixed64;
using wal::get_varint64;
using wal::put_fixed64;
using wal::put_varint64;

// Record flag bits.
constexpr uint8_t kSameResource = 1 << 0;  // resource equals the previous record's
constexpr uint8_t kSameService = 1 << 1;   // service_name equals the previous record's
constexpr uint8_t kSameScope = 1 << 2;     // scope_name and scope_version equal the previous record's
constexpr uint8_t kTraceIdRaw = 1 << 3;    // trace_id stored as 16 raw bytes (was 32 lower-case hex chars)
constexpr uint8_t kSpanIdRaw = 1 << 4;     // span_id stored as 8 raw bytes (was 16 lower-case hex chars)
constexpr uint8_t kAttrKeyRefs = 1 << 5;   // attribute keys may refer to the previous record's (kvs_ref)
constexpr uint8_t kKnownFlags = 0x3f;
constexpr uint8_t kKnownSampleFlags = kSameResource | kAttrKeyRefs;
constexpr uint8_t kParentIdRaw = 1 << 6;  // span parent_span_id stored as 8 raw bytes
constexpr uint8_t kKnownSpanFlags = 0x7f;
// Section types after the records.
constexpr uint8_t kSectionSamples = 1;
constexpr uint8_t kSectionSpans = 2;
// Keys of the previous record searched for a match (parsed records have ~12).
constexpr size_t kMaxKeyRefSearch = 64;

// Footprint accounting (see batch_footprint()).
constexpr uint64_t kRecordFootprint = 384;  // >= sizeof(LogRecord) on 64-bit targets
static_assert(sizeof(LogRecord) <= kRecordFootprint, "kRecordFootprint must cover a LogRecord");
constexpr uint64_t kSampleFootprint = 160;  // >= sizeof(MetricSample) on 64-bit targets
static_assert(sizeof(MetricSample) <= kSampleFootprint, "kSampleFootprint must cover a MetricSample");
constexpr uint64_t kSpanFootprint = 512;  // >= sizeof(Span) on 64-bit targets
static_assert(sizeof(Span) <= kSpanFootprint, "kSpanFootprint must cover a Span");
constexpr uint64_t kEventFootprint = 96;  // >= sizeof(SpanEvent)
static_assert(sizeof(SpanEvent) <= kEventFootprint, "kEventFootprint must cover a SpanEvent");
constexpr uint64_t kLinkFootprint = 160;  // >= sizeof(SpanLink)
static_assert(sizeof(SpanLink) <= kLinkFootprint, "kLinkFootprint must cover a SpanLink");
constexpr uint64_t kPositionFootprint = 128;
constexpr uint64_t kPairFootprint = 64;

// Smallest possible encodings, used to cap counts before allocating.
constexpr uint64_t kMinRecordBytes = 24;  // flags, 2 timestamps, severity, trace_flags, 5 empty strs/counts
constexpr uint64_t kMinSampleBytes = 19;  // flags, timestamp, value, kind, empty name, labels count
constexpr uint64_t kMinSpanBytes = 29;    // flags, 2 timestamps, kind, status, flags, 8 empty strs, 3 counts
constexpr uint64_t kMinEventBytes = 10;
constexpr uint64_t kMinLinkBytes = 4;
constexpr uint64_t kMinPositionBytes = 4;
constexpr uint64_t kMinPairBytes = 2;

bool is_lower_hex(const std::string& s, size_t len) {
  if (s.size() != len) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

int hex_value(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

char* put_hex_as_raw(char* p, const std::string& hex) {
  for (size_t i = 0; i < hex.size(); i += 2) {
    *p++ = static_cast<char>((hex_value(hex[i]) << 4) | hex_value(hex[i + 1]));
  }
  return p;
}

void raw_to_hex(const char* p, size_t n, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->resize(n * 2);
  char* o = out->data();
  for (size_t i = 0; i < n; ++i) {
    auto b = static_cast<uint8_t>(p[i]);
    o[2 * i] = kHex[b >> 4];
    o[2 * i + 1] = kHex[b & 15];
  }
}

size_t str_size(const std::string& s) { return varint_length(s.size()) + s.size(); }

size_t kvs_size(const KeyValues& kvs) {
  size_t n = varint_length(kvs.size());
  for (const auto& [k, v] : kvs) n += str_size(k) + str_size(v);
  return n;
}

uint64_t kvs_footprint(const KeyValues& kvs) {
  uint64_t n = kvs.size() * kPairFootprint;
  for (const auto& [k, v] : kvs) n += k.size() + v.size();
  return n;
}

uint64_t record_footprint(const LogRecord& r) {
  return kRecordFootprint + r.severity_text.size() + r.body.size() + r.service_name.size() + r.scope_name.size() +
         r.scope_version.size() + r.trace_id.size() + r.span_id.size() + kvs_footprint(r.attributes) +
         kvs_footprint(r.resource);
}

uint64_t sample_footprint(const MetricSample& m) {
  return kSampleFootprint + m.name.size() + kvs_footprint(m.labels) + kvs_footprint(m.resource);
}

uint64_t span_footprint(const Span& x) {
  uint64_t n = kSpanFootprint + x.trace_id.size() + x.span_id.size() + x.parent_span_id.size() + x.trace_state.size() +
               x.name.size() + x.status_message.size() + x.service_name.size() + x.scope_name.size() +
               x.scope_version.size() + kvs_footprint(x.attributes) + kvs_footprint(x.resource);
  for (const auto& e : x.events) n += kEventFootprint + e.name.size() + kvs_footprint(e.attributes);
  for (const auto& l : x.links) {
    n += kLinkFootprint + l.trace_id.size() + l.span_id.size() + l.trace_state.size() + kvs_footprint(l.attributes);
  }
  return n;
}

uint64_t position_footprint(const SourcePosition& p) {
  return kPositionFootprint + p.source.size() + p.key.size() + p.path.size();
}

char* put_str(char* p, const std::string& s) {
  p = put_varint64(p, s.size());
  return append_bytes(p, s);
}

char* put_kvs(char* p, const KeyValues& kvs) {
  p = put_varint64(p, kvs.size());
  for (const auto& [k, v] : kvs) {
    p = put_str(p, k);
    p = put_str(p, v);
  }
  return p;
}

// Index of `k`, the key of pair `i`, among the previous record's attribute
// keys, or -1. Parsed records repeat their keys, usually at the same index
// or a few away (an optional attribute shifts the ones after it), so those
// are compared first. A record's keys are unique, so the index found is
// the one a search from the first key finds.
int64_t key_ref(const KeyValues* prev, size_t i, const AttributeKey& k) {
  if (prev == nullptr) return -1;
  if (i < prev->size() && (*prev)[i].first == k) return static_cast<int64_t>(i);
  const size_t n = std::min(prev->size(), kMaxKeyRefSearch);
  constexpr size_t kNear = 2;
  for (size_t d = 1; d <= kNear; ++d) {
    if (i >= d && i - d < n && (*prev)[i - d].first == k) return static_cast<int64_t>(i - d);
    if (i + d < n && (*prev)[i + d].first == k) return static_cast<int64_t>(i + d);
  }
  for (size_t j = 0; j < n; ++j) {
    if ((*prev)[j].first == k) return static_cast<int64_t>(j);
  }
  return -1;
}

// The key references the size pass found, in order, for the write pass to
// use without comparing the keys again.
struct KeyRefs {
  std::vector<int32_t> refs;  // -1: the key is written out
  size_t next = 0;
};

size_t kvs_ref_size(const KeyValues& kvs, const KeyValues* prev, KeyRefs& refs) {
  size_t n = varint_length(kvs.size());
  for (size_t i = 0; i < kvs.size(); ++i) {
    int64_t ref = key_ref(prev, i, kvs[i].first);
    refs.refs.push_back(static_cast<int32_t>(ref));
    n += ref >= 0 ? varint_length(static_cast<uint64_t>(ref) * 2 + 1)
                  : varint_length(kvs[i].first.size() * 2) + kvs[i].first.size();
    n += str_size(kvs[i].second);
  }
  return n;
}

char* put_kvs_ref(char* p, const KeyValues& kvs, KeyRefs& refs) {
  p = put_varint64(p, kvs.size());
  for (size_t i = 0; i < kvs.size(); ++i) {
    int64_t ref = refs.refs[refs.next++];
    if (ref >= 0) {
      p = put_varint64(p, static_cast<uint64_t>(ref) * 2 + 1);
    } else {
      p = put_varint64(p, kvs[i].first.size() * 2);
      p = append_bytes(p, kvs[i].first);
    }
    p = put_str(p, kvs[i].second);
  }
  return p;
}

uint8_t record_flags(const LogRecord& r, const LogRecord* prev) {
  uint8_t f = 0;
  if (prev != nullptr) {
    f |= kAttrKeyRefs;
    if (r.resource == prev->resource) f |= kSameResource;
    if (r.service_name == prev->service_name) f |= kSameService;
    if (r.scope_name == prev->scope_name && r.scope_version == prev->scope_version) f |= kSameScope;
  }
  if (is_lower_hex(r.trace_id, 32)) f |= kTraceIdRaw;
  if (is_lower_hex(r.span_id, 16)) f |= kSpanIdRaw;
  return f;
}

size_t record_size(const LogRecord& r, uint8_t f, const LogRecord* prev, KeyRefs& refs) {
  size_t n = 1 + 8 + 8 + 1 + varint_length(r.trace_flags) + str_size(r.severity_text) + str_size(r.body) +
             ((f & kAttrKeyRefs) ? kvs_ref_size(r.attributes, &prev->attributes, refs) : kvs_size(r.attributes));
  if (!(f & kSameResource)) n += kvs_size(r.resource);
  if (!(f & kSameService)) n += str_size(r.service_name);
  if (!(f & kSameScope)) n += str_size(r.scope_name) + str_size(r.scope_version);
  n += (f & kTraceIdRaw) ? 16 : str_size(r.trace_id);
  n += (f & kSpanIdRaw) ? 8 : str_size(r.span_id);
  return n;
}

char* put_record(char* p, const LogRecord& r, uint8_t f, const LogRecord* prev, KeyRefs& refs) {
  *p++ = static_cast<char>(f);
  put_fixed64(p, static_cast<uint64_t>(r.timestamp_ns));
  put_fixed64(p + 8, static_cast<uint64_t>(r.observed_timestamp_ns));
  p += 16;
  *p++ = static_cast<char>(r.severity_number);
  p = put_varint64(p, r.trace_flags);
  p = put_str(p, r.severity_text);
  p = put_str(p, r.body);
  p = (f & kAttrKeyRefs) ? put_kvs_ref(p, r.attributes, refs) : put_kvs(p, r.attributes);
  if (!(f & kSameResource)) p = put_kvs(p, r.resource);
  if (!(f & kSameService)) p = put_str(p, r.service_name);
  if (!(f & kSameScope)) {
    p = put_str(p, r.scope_name);
    p = put_str(p, r.scope_version);
  }
  p = (f & kTraceIdRaw) ? put_hex_as_raw(p, r.trace_id) : put_str(p, r.trace_id);
  p = (f & kSpanIdRaw) ? put_hex_as_raw(p, r.span_id) : put_str(p, r.span_id);
  return p;
}

uint8_t sample_flags(const MetricSample& m, const MetricSample* prev) {
  if (prev == nullptr) return 0;
  return static_cast<uint8_t>(kAttrKeyRefs | (m.resource == prev->resource ? kSameResource : 0));
}

size_t sample_size(const MetricSample& m, uint8_t f, const MetricSample* prev, KeyRefs& refs) {
  size_t n = 1 + 8 + 8 + 1 + str_size(m.name) +
             ((f & kAttrKeyRefs) ? kvs_ref_size(m.labels, &prev->labels, refs) : kvs_size(m.labels));
  if (!(f & kSameResource)) n += kvs_size(m.resource);
  return n;
}

char* put_sample(char* p, const MetricSample& m, uint8_t f, const MetricSample* prev, KeyRefs& refs) {
  *p++ = static_cast<char>(f);
  uint64_t bits = 0;
  std::memcpy(&bits, &m.value, sizeof bits);
  put_fixed64(p, static_cast<uint64_t>(m.timestamp_ns));
  put_fixed64(p + 8, bits);
  p += 16;
  *p++ = static_cast<char>(m.kind);
  p = put_str(p, m.name);
  p = (f & kAttrKeyRefs) ? put_kvs_ref(p, m.labels, refs) : put_kvs(p, m.labels);
  if (!(f & kSameResource)) p = put_kvs(p, m.resource);
  return p;
}

uint8_t span_flags(const Span& x, const Span* prev) {
  uint8_t f = 0;
  if (prev != nullptr) {
    f |= kAttrKeyRefs;
    if (x.resource == prev->resource) f |= kSameResource;
    if (x.service_name == prev->service_name) f |= kSameService;
    if (x.scope_name == prev->scope_name && x.scope_version == prev->scope_version) f |= kSameScope;
  }
  if (is_lower_hex(x.trace_id, 32)) f |= kTraceIdRaw;
  if (is_lower_hex(x.span_id, 16)) f |= kSpanIdRaw;
  if (is_lower_hex(x.parent_span_id, 16)) f |= kParentIdRaw;
  return f;
}

size_t span_size(const Span& x, uint8_t f, const Span* prev, KeyRefs& refs) {
  size_t n = 1 + 8 + 8 + 1 + 1 + varint_length(x.flags) + str_size(x.name) +
             ((f & kTraceIdRaw) ? 16 : str_size(x.trace_id)) + ((f & kSpanIdRaw) ? 8 : str_size(x.span_id)) +
             ((f & kParentIdRaw) ? 8 : str_size(x.parent_span_id)) + str_size(x.trace_state) +
             str_size(x.status_message) +
             ((f & kAttrKeyRefs) ? kvs_ref_size(x.attributes, &prev->attributes, refs) : kvs_size(x.attributes));
  if (!(f & kSameResource)) n += kvs_size(x.resource);
  if (!(f & kSameService)) n += str_size(x.service_name);
  if (!(f & kSameScope)) n += str_size(x.scope_name) + str_size(x.scope_version);
  n += varint_length(x.events.size());
  for (const auto& e : x.events) n += 8 + str_size(e.name) + kvs_size(e.attributes);
  n += varint_length(x.links.size());
  for (const auto& l : x.links) {
    n += str_size(l.trace_id) + str_size(l.span_id) + str_size(l.trace_state) + kvs_size(l.attributes);
  }
  return n;
}

char* put_span(char* p, const Span& x, uint8_t f, const Span* prev, KeyRefs& refs) {
  *p++ = static_cast<char>(f);
  put_fixed64(p, static_cast<uint64_t>(x.start_timestamp_ns));
  put_fixed64(p + 8, static_cast<uint64_t>(x.end_timestamp_ns));
  p += 16;
  *p++ = static_cast<char>(x.kind);
  *p++ = static_cast<char>(x.status_code);
  p = put_varint64(p, x.flags);
  p = put_str(p, x.name);
  p = (f & kTraceIdRaw) ? put_hex_as_raw(p, x.trace_id) : put_str(p, x.trace_id);
  p = (f & kSpanIdRaw) ? put_hex_as_raw(p, x.span_id) : put_str(p, x.span_id);
  p = (f & kParentIdRaw) ? put_hex_as_raw(p, x.parent_span_id) : put_str(p, x.parent_span_id);
  p = put_str(p, x.trace_state);
  p = put_str(p, x.status_message);
  p = (f & kAttrKeyRefs) ? put_kvs_ref(p, x.attributes, refs) : put_kvs(p, x.attributes);
  if (!(f & kSameResource)) p = put_kvs(p, x.resource);
  if (!(f & kSameService)) p = put_str(p, x.service_name);
  if (!(f & kSameScope)) {
    p = put_str(p, x.scope_name);
    p = put_str(p, x.scope_version);
  }
  p = put_varint64(p, x.events.size());
  for (const auto& e : x.events) {
    put_fixed64(p, static_cast<uint64_t>(e.timestamp_ns));
    p = put_str(p + 8, e.name);
    p = put_kvs(p, e.attributes);
  }
  p = put_varint64(p, x.links.size());
  for (const auto& l : x.links) {
    p = put_str(p, l.trace_id);
    p = put_str(p, l.span_id);
    p = put_str(p, l.trace_state);
    p = put_kvs(p, l.attributes);
  }
  return p;
}

// ---- Decoding ----

/// Reads [begin, end) front to back. On the first failure it records a
/// message (with the payload byte offset) and every later read fails. The
/// hot paths are small and inline; messages are built in cold functions.
class Cursor {
 public:
  explicit Cursor(std::string_view data) : begin_(data.data()), p_(data.data()), end_(data.data() + data.size()) {}

  uint64_t remaining() const { return static_cast<uint64_t>(end_ - p_); }
  bool at_end() const { return p_ == end_; }
  uint64_t pos() const { return static_cast<uint64_t>(p_ - begin_); }

  bool varint(uint64_t* v, const char* what) {
    if (p_ < end_ && static_cast<uint8_t>(*p_) < 0x80) [[likely]] {
      *v = static_cast<uint8_t>(*p_++);
      return true;
    }
    const char* q = get_varint64(p_, end_, v);
    if (q == nullptr) [[unlikely]]
      return bad_varint(what);
    p_ = q;
    return true;
  }
  bool byte(uint8_t* v, const char* what) {
    if (p_ == end_) [[unlikely]]
      return short_of(1, what);
    *v = static_cast<uint8_t>(*p_++);
    return true;
  }
  /// The next byte without consuming it.
  bool peek(uint8_t* v) {
    if (p_ == end_) [[unlikely]]
      return short_of(1, "section type");
    *v = static_cast<uint8_t>(*p_);
    return true;
  }
  void skip(size_t n) { p_ += std::min<size_t>(n, remaining()); }
  bool fixed64(uint64_t* v, const char* what) {
    if (remaining() < 8) [[unlikely]]
      return short_of(8, what);
    *v = get_fixed64(p_);
    p_ += 8;
    return true;
  }
  bool raw(size_t n, const char** out, const char* what) {
    if (remaining() < n) [[unlikely]]
      return short_of(n, what);
    *out = p_;
    p_ += n;
    return true;
  }
  /// A length-prefixed string as a view into the payload.
  bool str(std::string_view* s, const char* what) {
    const char* start = p_;
    uint64_t n = 0;
    if (!varint(&n, what)) [[unlikely]]
      return false;
    if (n > remaining()) [[unlikely]]
      return bad_string(start, n, what);
    *s = std::string_view(p_, static_cast<size_t>(n));
    p_ += n;
    return true;
  }
  /// A count of elements of at least `min_element_bytes` each, so it cannot
  /// exceed remaining() / min_element_bytes.
  bool count(uint64_t* n, uint64_t min_element_bytes, const char* what) {
    if (!varint(n, what)) [[unlikely]]
      return false;
    if (*n > remaining() / min_element_bytes) [[unlikely]]
      return bad_count(*n, min_element_bytes, what);
    return true;
  }

  [[gnu::cold, gnu::noinline]] bool fail(std::string msg) {
    if (error_.empty()) error_ = "batch payload byte " + std::to_string(pos()) + ": " + msg;
    return false;
  }
  [[gnu::cold, gnu::noinline]] bool bad_count(uint64_t n, uint64_t min_element_bytes, const char* what) {
    return fail(std::string("expected ") + what + " of at most " + std::to_string(remaining() / min_element_bytes) +
                " (" + std::to_string(remaining()) + " bytes left), found " + std::to_string(n));
  }
  const std::string& error() const { return error_; }

 private:
  [[gnu::cold, gnu::noinline]] bool short_of(size_t n, const char* what) {
    return fail(std::string("expected ") + std::to_string(n) + " bytes " + what + ", found only " +
                std::to_string(remaining()));
  }
  [[gnu::cold, gnu::noinline]] bool bad_varint(const char* what) {
    return fail(std::string("expected a varint ") + what + ", found " +
                (remaining() < 10 ? "the end of the payload" : "more than 10 bytes"));
  }
  [[gnu::cold, gnu::noinline]] bool bad_string(const char* start, uint64_t n, const char* what) {
    uint64_t left = remaining();
    p_ = start;  // report the position of the length field
    return fail(std::string("expected ") + what + " of " + std::to_string(n) + " bytes, found only " +
                std::to_string(left) + " bytes left");
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  std::string error_;
};

/// Decodes records either into LogRecords (kMaterialize) or only validates
/// them, sharing every check.
template <bool kMaterialize>
class BatchDecoder {
 public:
  explicit BatchDecoder(std::string_view data) : in_(data) {}

  bool header(uint64_t* records, uint64_t* positions) {
    return in_.varint(records, "record count") && in_.varint(positions, "position count") &&
           check_count(*positions, kMinPositionBytes, "position count") &&
           check_count(*records, kMinRecordBytes, "record count") &&
           charge(*records * kRecordFootprint + *positions * kPositionFootprint);
  }

  bool position(SourcePosition* p) {
    std::string_view source, key, path;
    uint64_t offset = 0;
    if (!in_.str(&source, "position source") || !in_.str(&key, "position key") ||
        !in_.varint(&offset, "position offset") || !in_.str(&path, "position path")) {
      return false;
    }
    if (!charge(source.size() + key.size() + path.size())) return false;
    p->source.assign(source);
    p->key.assign(key);
    p->offset = offset;
    p->path.assign(path);
    return true;
  }

  /// `rec` is the record to fill (ignored unless kMaterialize); `prev` the
  /// previous decoded record (nullptr for the first).
  bool record(LogRecord* rec, const LogRecord* prev, bool has_prev) {
    uint8_t f = 0;
    uint64_t ts = 0, obs = 0, trace_flags = 0;
    uint8_t sev = 0;
    if (!in_.byte(&f, "record flags")) return false;
    if (f & ~kKnownFlags) return in_.fail("expected record flags within 0x3f, found 0x" + hex2(f));
    if (!has_prev && (f & (kSameResource | kSameService | kSameScope | kAttrKeyRefs))) {
      return in_.fail("first record refers to a previous record (flags 0x" + hex2(f) + ")");
    }
    if (!in_.fixed64(&ts, "timestamp_ns") || !in_.fixed64(&obs, "observed_timestamp_ns") ||
        !in_.byte(&sev, "severity_number") || !in_.varint(&trace_flags, "trace_flags")) {
      return false;
    }
    if (trace_flags > UINT32_MAX)
      return in_.fail("expected trace_flags within 32 bits, found " + std::to_string(trace_flags));
    if constexpr (kMaterialize) {
      rec->timestamp_ns = static_cast<int64_t>(ts);
      rec->observed_timestamp_ns = static_cast<int64_t>(obs);
      rec->severity_number = sev;
      rec->trace_flags = static_cast<uint32_t>(trace_flags);
    }
    if (!string_field(&rec->severity_text, "severity_text") || !string_field(&rec->body, "body") ||
        !attributes(&rec->attributes, prev == nullptr ? nullptr : &prev->attributes, (f & kAttrKeyRefs) != 0,
                    "attributes")) {
      return false;
    }
    if (!shared_context(f, &rec->resource, &rec->service_name, &rec->scope_name, &rec->scope_version,
                        prev == nullptr ? nullptr : &prev->resource, prev == nullptr ? nullptr : &prev->service_name,
                        prev == nullptr ? nullptr : &prev->scope_name,
                        prev == nullptr ? nullptr : &prev->scope_version)) {
      return false;
    }
    return id_field(f & kTraceIdRaw, 16, &rec->trace_id, "trace_id") &&
           id_field(f & kSpanIdRaw, 8, &rec->span_id, "span_id");
  }

  /// The optional section of `type` (kSectionSamples, kSectionSpans) at
  /// the cursor: its item count, or 0 when the payload ends or the next
  /// section has a later type. Sections come in increasing type order.
  bool section_header(uint8_t type, uint64_t* count) {
    *count = 0;
    if (in_.at_end()) return true;
    uint8_t t = 0;
    if (!in_.peek(&t)) return false;
    if (t <= last_section_ || t > kSectionSpans) {
      return in_.fail("expected a section type above " + std::to_string(last_section_) + " and at most " +
                      std::to_string(kSectionSpans) + ", found " + std::to_string(t));
    }
    if (t != type) return true;
    in_.skip(1);
    last_section_ = t;
    const bool samples = type == kSectionSamples;
    const char* what = samples ? "sample count" : "span count";
    if (!in_.varint(count, what)) return false;
    if (*count == 0)
      return in_.fail(std::string("expected a ") + what + " above 0 (an empty section is omitted), found 0");
    prev_key_sizes_.clear();  // key references do not cross sections
    return check_count(*count, samples ? kMinSampleBytes : kMinSpanBytes, what) &&
           charge(*count * (samples ? kSampleFootprint : kSpanFootprint));
  }

  /// `x` is the span to fill (ignored unless kMaterialize); `prev` the
  /// previous decoded span.
  bool span(Span* x, const Span* prev, bool has_prev) {
    uint8_t f = 0, kind = 0, status = 0;
    uint64_t start = 0, end = 0, flags = 0;
    if (!in_.byte(&f, "span flags")) return false;
    if (f & ~kKnownSpanFlags) return in_.fail("expected span flags within 0x7f, found 0x" + hex2(f));
    if (!has_prev && (f & (kSameResource | kSameService | kSameScope | kAttrKeyRefs))) {
      return in_.fail("first span refers to a previous span (flags 0x" + hex2(f) + ")");
    }
    if (!in_.fixed64(&start, "span start_timestamp_ns") || !in_.fixed64(&end, "span end_timestamp_ns") ||
        !in_.byte(&kind, "span kind") || !in_.byte(&status, "span status_code") ||
        !in_.varint(&flags, "span flags field")) {
      return false;
    }
    if (kind > 5) return in_.fail("expected a span kind of at most 5, found " + std::to_string(kind));
    if (status > 2) return in_.fail("expected a span status_code of at most 2, found " + std::to_string(status));
    if (flags > UINT32_MAX) return in_.fail("expected span flags within 32 bits, found " + std::to_string(flags));
    if constexpr (kMaterialize) {
      x->start_timestamp_ns = static_cast<int64_t>(start);
      x->end_timestamp_ns = static_cast<int64_t>(end);
      x->kind = kind;
      x->status_code = status;
      x->flags = static_cast<uint32_t>(flags);
    }
    if (!string_field(&x->name, "span name") || !id_field(f & kTraceIdRaw, 16, &x->trace_id, "trace_id") ||
        !id_field(f & kSpanIdRaw, 8, &x->span_id, "span_id") ||
        !id_field(f & kParentIdRaw, 8, &x->parent_span_id, "parent_span_id") ||
        !string_field(&x->trace_state, "trace_state") || !string_field(&x->status_message, "status_message") ||
        !attributes(&x->attributes, prev == nullptr ? nullptr : &prev->attributes, (f & kAttrKeyRefs) != 0,
                    "attributes")) {
      return false;
    }
    if (!shared_context(f, &x->resource, &x->service_name, &x->scope_name, &x->scope_version,
                        prev == nullptr ? nullptr : &prev->resource, prev == nullptr ? nullptr : &prev->service_name,
                        prev == nullptr ? nullptr : &prev->scope_name,
                        prev == nullptr ? nullptr : &prev->scope_version)) {
      return false;
    }
    uint64_t n = 0;
    if (!in_.count(&n, kMinEventBytes, "event count") || !charge(n * kEventFootprint)) return false;
    if constexpr (kMaterialize) x->events.resize(static_cast<size_t>(n));
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t ts = 0;
      SpanEvent* e = kMaterialize ? &x->events[i] : &scratch_event_;
      if (!in_.fixed64(&ts, "event timestamp_ns") || !string_field(&e->name, "event name") ||
          !kvs(&e->attributes, "event attributes")) {
        return false;
      }
      if constexpr (kMaterialize) e->timestamp_ns = static_cast<int64_t>(ts);
    }
    if (!in_.count(&n, kMinLinkBytes, "link count") || !charge(n * kLinkFootprint)) return false;
    if constexpr (kMaterialize) x->links.resize(static_cast<size_t>(n));
    for (uint64_t i = 0; i < n; ++i) {
      SpanLink* l = kMaterialize ? &x->links[i] : &scratch_link_;
      if (!string_field(&l->trace_id, "link trace_id") || !string_field(&l->span_id, "link span_id") ||
          !string_field(&l->trace_state, "link trace_state") || !kvs(&l->attributes, "link attributes")) {
        return false;
      }
    }
    return true;
  }

  /// `m` is the sample to fill (ignored unless kMaterialize); `prev` the
  /// previous decoded sample.
  bool sample(MetricSample* m, const MetricSample* prev, bool has_prev) {
    uint8_t f = 0, kind = 0;
    uint64_t ts = 0, bits = 0;
    if (!in_.byte(&f, "sample flags")) return false;
    if (f & ~kKnownSampleFlags) return in_.fail("expected sample flags within 0x21, found 0x" + hex2(f));
    if (!has_prev && f != 0) return in_.fail("first sample refers to a previous sample (flags 0x" + hex2(f) + ")");
    if (!in_.fixed64(&ts, "sample timestamp_ns") || !in_.fixed64(&bits, "sample value") ||
        !in_.byte(&kind, "sample kind")) {
      return false;
    }
    if (kind > kMetricKindMax) {
      return in_.fail("expected a sample kind of at most " + std::to_string(kMetricKindMax) + ", found " +
                      std::to_string(kind));
    }
    if constexpr (kMaterialize) {
      m->timestamp_ns = static_cast<int64_t>(ts);
      std::memcpy(&m->value, &bits, sizeof bits);
      m->kind = static_cast<MetricKind>(kind);
    }
    if (!string_field(&m->name, "sample name") ||
        !attributes(&m->labels, prev == nullptr ? nullptr : &prev->labels, (f & kAttrKeyRefs) != 0, "labels")) {
      return false;
    }
    if (f & kSameResource) {
      if (!charge(prev_resource_footprint_)) return false;
      if constexpr (kMaterialize) m->resource = prev->resource;
      return true;
    }
    uint64_t before = footprint_;
    if (!kvs(&m->resource, "resource")) return false;
    prev_resource_footprint_ = footprint_ - before;
    return true;
  }

  bool finish() {
    if (!in_.at_end()) {
      return in_.fail("expected the end of the payload, found " + std::to_string(in_.remaining()) + " more bytes");
    }
    return true;
  }

  const std::string& error() const { return in_.error(); }

 private:
  static std::string hex2(uint8_t v) {
    static constexpr char kHex[] = "0123456789abcdef";
    return {kHex[v >> 4], kHex[v & 15]};
  }

  bool check_count(uint64_t n, uint64_t min_bytes, const char* what) {
    if (n > in_.remaining() / min_bytes) [[unlikely]]
      return in_.bad_count(n, min_bytes, what);
    return true;
  }

  bool charge(uint64_t bytes) {
    footprint_ += bytes;
    if (footprint_ > kMaxBatchFootprintBytes) [[unlikely]]
      return over_footprint();
    return true;
  }
  [[gnu::cold, gnu::noinline]] bool over_footprint() {
    return in_.fail("expected a batch footprint of at most " + std::to_string(kMaxBatchFootprintBytes) +
                    " bytes, found more");
  }

  /// Resource, service name and scope, each either encoded or (flags
  /// kSameResource, kSameService, kSameScope) copied from the previous item.
  bool shared_context(uint8_t f, KeyValues* resource, std::string* service, std::string* scope_name,
                      std::string* scope_version, const KeyValues* prev_resource, const std::string* prev_service,
                      const std::string* prev_scope_name, const std::string* prev_scope_version) {
    if (f & kSameResource) {
      if (!charge(prev_resource_footprint_)) return false;
      if constexpr (kMaterialize) *resource = *prev_resource;
    } else {
      uint64_t before = footprint_;
      if (!kvs(resource, "resource")) return false;
      prev_resource_footprint_ = footprint_ - before;
    }
    if (f & kSameService) {
      if (!charge(prev_service_size_)) return false;
      if constexpr (kMaterialize) *service = *prev_service;
    } else {
      uint64_t before = footprint_;
      if (!string_field(service, "service_name")) return false;
      prev_service_size_ = footprint_ - before;
    }
    if (f & kSameScope) {
      if (!charge(prev_scope_size_)) return false;
      if constexpr (kMaterialize) {
        *scope_name = *prev_scope_name;
        *scope_version = *prev_scope_version;
      }
      return true;
    }
    uint64_t before = footprint_;
    if (!string_field(scope_name, "scope_name") || !string_field(scope_version, "scope_version")) return false;
    prev_scope_size_ = footprint_ - before;
    return true;
  }

  bool string_field(std::string* out, const char* what) {
    std::string_view s;
    if (!in_.str(&s, what) || !charge(s.size())) return false;
    if constexpr (kMaterialize) out->assign(s);
    return true;
  }

  /// Decodes into `*out` in place: existing pairs are overwritten (their
  /// strings keep their capacity), extra ones removed.
  bool kvs(KeyValues* out, const char* what) {
    uint64_t n = 0;
    if (!in_.count(&n, kMinPairBytes, what) || !charge(n * kPairFootprint)) return false;
    if constexpr (kMaterialize) out->resize(static_cast<size_t>(n));
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view k, v;
      if (!in_.str(&k, "key") || !in_.str(&v, "value") || !charge(k.size() + v.size())) return false;
      if constexpr (kMaterialize) {
        (*out)[i].first = AttributeKey(k);
        (*out)[i].second.assign(v);
      }
    }
    return true;
  }

  /// Attributes as kvs or, with key references, kvs_ref. Records each key's
  /// size so the next record's references can be checked and charged even
  /// when nothing is materialized.
  bool attributes(KeyValues* out, const KeyValues* prev, bool refs, const char* what) {
    uint64_t n = 0;
    if (!in_.count(&n, kMinPairBytes, what) || !charge(n * kPairFootprint)) return false;
    if constexpr (kMaterialize) out->resize(static_cast<size_t>(n));
    cur_key_sizes_.clear();
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view k, v;
      uint64_t key_size = 0;
      if (refs) {
        uint64_t tag = 0;
        if (!in_.varint(&tag, "attribute key tag")) return false;
        if (tag & 1) {
          uint64_t idx = tag >> 1;
          if (idx >= prev_key_sizes_.size()) {
            return in_.fail("attribute key refers to key " + std::to_string(idx) +
                            " of the previous record, which has " + std::to_string(prev_key_sizes_.size()));
          }
          key_size = prev_key_sizes_[idx];
          if constexpr (kMaterialize) (*out)[i].first = (*prev)[idx].first;
        } else {
          const char* p = nullptr;
          if (!in_.raw(tag >> 1, &p, "attribute key")) return false;
          k = std::string_view(p, tag >> 1);
          key_size = k.size();
          if constexpr (kMaterialize) (*out)[i].first = AttributeKey(k);
        }
      } else {
        if (!in_.str(&k, "key")) return false;
        key_size = k.size();
        if constexpr (kMaterialize) (*out)[i].first = AttributeKey(k);
      }
      if (!in_.str(&v, "value") || !charge(key_size + v.size())) return false;
      if constexpr (kMaterialize) (*out)[i].second.assign(v);
      cur_key_sizes_.push_back(key_size);
    }
    prev_key_sizes_.swap(cur_key_sizes_);
    return true;
  }

  bool id_field(bool raw, size_t raw_len, std::string* out, const char* what) {
    if (raw) {
      const char* p = nullptr;
      if (!in_.raw(raw_len, &p, what) || !charge(raw_len * 2)) return false;
      if constexpr (kMaterialize) raw_to_hex(p, raw_len, out);
      return true;
    }
    return string_field(out, what);
  }

  Cursor in_;
  uint64_t footprint_ = 0;
  uint64_t prev_resource_footprint_ = 0;
  uint64_t prev_service_size_ = 0;
  uint64_t prev_scope_size_ = 0;
  uint8_t last_section_ = 0;  // type of the last section read (0: none yet)
  SpanEvent scratch_event_;   // never written in validate mode
  SpanLink scratch_link_;
  std::vector<uint64_t> prev_key_sizes_;  // attribute key sizes of the previous record
  std::vector<uint64_t> cur_key_sizes_;
};

}  // namespace

uint64_t batch_footprint(const LogBatch& batch) {
  uint64_t n = 0;
  for (const auto& r : batch.records) n += record_footprint(r);
  for (const auto& m : batch.samples) n += sample_footprint(m);
  for (const auto& x : batch.spans) n += span_footprint(x);
  for (const auto& p : batch.positions) n += position_footprint(p);
  return n;
}

Status encode_batch(const LogBatch& batch, std::string* out) {
  // Pass 1: flags, exact size and footprint; pass 2: write in place.
  thread_local std::vector<uint8_t> flags;
  flags.resize(batch.records.size());
  thread_local KeyRefs refs;
  refs.refs.clear();
  refs.next = 0;
  size_t size = varint_length(batch.records.size()) + varint_length(batch.positions.size());
  uint64_t footprint = 0;
  for (const auto& p : batch.positions) {
    size += str_size(p.source) + str_size(p.key) + varint_length(p.offset) + str_size(p.path);
    footprint += position_footprint(p);
  }
  const LogRecord* prev = nullptr;
  for (size_t i = 0; i < batch.records.size(); ++i) {
    const LogRecord& r = batch.records[i];
    flags[i] = record_flags(r, prev);
    size += record_size(r, flags[i], prev, refs);
    footprint += record_footprint(r);
    prev = &r;
  }
  thread_local std::vector<uint8_t> sflags;
  sflags.resize(batch.samples.size());
  if (!batch.samples.empty()) size += 1 + varint_length(batch.samples.size());
  const MetricSample* prev_sample = nullptr;
  for (size_t i = 0; i < batch.samples.size(); ++i) {
    const MetricSample& m = batch.samples[i];
    sflags[i] = sample_flags(m, prev_sample);
    size += sample_size(m, sflags[i], prev_sample, refs);
    footprint += sample_footprint(m);
    prev_sample = &m;
  }
  thread_local std::vector<uint8_t> xflags;
  xflags.resize(batch.spans.size());
  if (!batch.spans.empty()) size += 1 + varint_length(batch.spans.size());
  const Span* prev_span = nullptr;
  for (size_t i = 0; i < batch.spans.size(); ++i) {
    const Span& x = batch.spans[i];
    xflags[i] = span_flags(x, prev_span);
    size += span_size(x, xflags[i], prev_span, refs);
    footprint += span_footprint(x);
    prev_span = &x;
  }
  if (footprint > kMaxBatchFootprintBytes) {
    return Status::ResourceExhausted(
        "encode batch: expected a footprint of at most " + std::to_string(kMaxBatchFootprintBytes) + " bytes, found " +
        std::to_string(footprint) + " (" + std::to_string(batch.records.size()) + " records)");
  }
  size_t old = out->size();
  out->resize(old + size);
  char* p = out->data() + old;
  char* const end = p + size;
  p = put_varint64(p, batch.records.size());
  p = put_varint64(p, batch.positions.size());
  for (const auto& pos : batch.positions) {
    p = put_str(p, pos.source);
    p = put_str(p, pos.key);
    p = put_varint64(p, pos.offset);
    p = put_str(p, pos.path);
  }
  for (size_t i = 0; i < batch.records.size(); ++i) {
    p = put_record(p, batch.records[i], flags[i], i > 0 ? &batch.records[i - 1] : nullptr, refs);
  }
  if (!batch.samples.empty()) {
    *p++ = static_cast<char>(kSectionSamples);
    p = put_varint64(p, batch.samples.size());
  }
  for (size_t i = 0; i < batch.samples.size(); ++i) {
    p = put_sample(p, batch.samples[i], sflags[i], i > 0 ? &batch.samples[i - 1] : nullptr, refs);
  }
  if (!batch.spans.empty()) {
    *p++ = static_cast<char>(kSectionSpans);
    p = put_varint64(p, batch.spans.size());
  }
  for (size_t i = 0; i < batch.spans.size(); ++i) {
    p = put_span(p, batch.spans[i], xflags[i], i > 0 ? &batch.spans[i - 1] : nullptr, refs);
  }
  SLUICE_ASSERT(p == end, "encode_batch size pass and write pass disagree by " + std::to_string(end - p));
  return Status::Ok();
}

Status decode_batch(std::string_view data, LogBatch* out) {
  // Decodes in place: records and positions already in `out` are
  // overwritten field by field, so a reused batch reuses string capacity.
  BatchDecoder<true> d(data);
  uint64_t n_records = 0, n_positions = 0;
  auto fail = [&] {
    out->records.clear();
    out->samples.clear();
    out->spans.clear();
    out->positions.clear();
    return Status::Corruption(d.error());
  };
  if (!d.header(&n_records, &n_positions)) return fail();
  out->positions.resize(static_cast<size_t>(n_positions));
  for (auto& p : out->positions) {
    if (!d.position(&p)) return fail();
  }
  out->records.resize(static_cast<size_t>(n_records));
  for (size_t i = 0; i < out->records.size(); ++i) {
    const LogRecord* prev = i == 0 ? nullptr : &out->records[i - 1];
    if (!d.record(&out->records[i], prev, i > 0)) return fail();
  }
  uint64_t n_samples = 0, n_spans = 0;
  if (!d.section_header(kSectionSamples, &n_samples)) return fail();
  out->samples.resize(static_cast<size_t>(n_samples));
  for (size_t i = 0; i < out->samples.size(); ++i) {
    const MetricSample* prev = i == 0 ? nullptr : &out->samples[i - 1];
    if (!d.sample(&out->samples[i], prev, i > 0)) return fail();
  }
  if (!d.section_header(kSectionSpans, &n_spans)) return fail();
  out->spans.resize(static_cast<size_t>(n_spans));
  for (size_t i = 0; i < out->spans.size(); ++i) {
    const Span* prev = i == 0 ? nullptr : &out->spans[i - 1];
    if (!d.span(&out->spans[i], prev, i > 0)) return fail();
  }
  if (!d.finish()) return fail();
  return Status::Ok();
}

Result<LogBatch> decode_batch(std::string_view data) {
  LogBatch batch;
  SLUICE_RETURN_IF_ERROR(decode_batch(data, &batch));
  return batch;
}

Status summarize_batch(std::string_view data, BatchSummary* out) {
  out->record_count = 0;
  out->positions.clear();
  BatchDecoder<false> d(data);
  uint64_t n_records = 0, n_positions = 0;
  if (!d.header(&n_records, &n_positions)) return Status::Corruption(d.error());
  out->positions.resize(static_cast<size_t>(n_positions));
  for (auto& p : out->positions) {
    if (!d.position(&p)) return Status::Corruption(d.error());
  }
  LogRecord scratch;  // never written in validate mode
  for (uint64_t i = 0; i < n_records; ++i) {
    if (!d.record(&scratch, &scratch, i > 0)) return Status::Corruption(d.error());
  }
  uint64_t n_samples = 0, n_spans = 0;
  if (!d.section_header(kSectionSamples, &n_samples)) return Status::Corruption(d.error());
  MetricSample sample_scratch;  // never written in validate mode
  for (uint64_t i = 0; i < n_samples; ++i) {
    if (!d.sample(&sample_scratch, &sample_scratch, i > 0)) return Status::Corruption(d.error());
  }
  if (!d.section_header(kSectionSpans, &n_spans)) return Status::Corruption(d.error());
  Span span_scratch;
  for (uint64_t i = 0; i < n_spans; ++i) {
    if (!d.span(&span_scratch, &span_scratch, i > 0)) return Status::Corruption(d.error());
  }
  if (!d.finish()) return Status::Corruption(d.error());
  out->record_count = n_records + n_samples + n_spans;
  return Status::Ok();
}

}  // namespace sluice
