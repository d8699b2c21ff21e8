#include "pipeline/sources/otlp/otlp_logs_wire_decode.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common/json_text.hpp"
#include "model/utf8.hpp"
#include "pipeline/sources/otlp/otlp_any_value.hpp"
#include "pipeline/sources/otlp/otlp_logs_map.hpp"
#include "pipeline/sources/otlp/otlp_wire_scan.hpp"
#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

constexpr uint64_t kMaxFieldNumber = (1ULL << 29) - 1;

/// protobuf's parser (3.21, parse_context.h ReadTag/ReadSize) refuses a tag
/// or a length encoded in more than 5 bytes, and a length past INT_MAX - 16
/// (its slop bytes), though a varint may have up to 10; scan_protobuf_wire
/// takes them, so the parse fails after the scan. Declined here.
constexpr std::ptrdiff_t kMaxTagOrLengthBytes = 5;
constexpr uint64_t kMaxLength = static_cast<uint64_t>(INT_MAX) - 16;

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

/// Reads a length-delimited value's length and bytes at `p` (then past
/// them) within the parser's limits; false otherwise. Inlined into its
/// callers: it reads every string of a request (a call was 12% of decoding).
[[gnu::always_inline]] inline bool read_length_delimited(const char*& p, const char* end, std::string_view* out) {
  uint64_t n = 0;
  const char* length_start = p;
  if (!read_protobuf_varint(p, end, &n) || p - length_start > kMaxTagOrLengthBytes || n > kMaxLength ||
      n > static_cast<uint64_t>(end - p)) {
    return false;
  }
  *out = std::string_view(p, n);
  p += n;
  return true;
}

/// One field of a message: its number, wire type and value (`len` holds the
/// bytes of a length-delimited field).
struct Field {
  uint32_t number = 0;
  uint32_t type = 0;
  uint64_t value = 0;
  std::string_view len;
};

/// One request's decoding. Every function returns false to decline: the
/// request then takes the general path, which names the problem.
class Decoder {
 public:
  Decoder(int64_t received_ns, const OtlpLimits& limits) : received_ns_(received_ns), limits_(limits) {}

  bool request(std::string_view bytes, OtlpLogs* out) {
    if (bytes.size() > static_cast<size_t>(INT_MAX)) return false;  // the general path refuses it (protobuf's limit)
    // First pass: check the framing, count the records (for the rejection
    // reason and the reserve) and find the positions field.
    uint64_t total = 0;
    Reader root(bytes);
    Field f;
    std::vector<std::string_view> resource_logs;
    while (root.more()) {
      if (!root.next(&f)) return false;
      if (f.number == 1 && f.type == kLen) {
        resource_logs.push_back(f.len);
      } else if (f.number == static_cast<uint32_t>(kSluicePositionsField) && f.type == kLen) {
        out->sluice_positions.assign(f.len);
      }
    }
    out->records.clear();
    for (std::string_view rl : resource_logs) {
      if (!count_message() || !count_records(rl, &total)) return false;
    }
    out->records.reserve(total);
    std::string first_reason;
    for (size_t ri = 0; ri < resource_logs.size(); ++ri) {
      if (!resource(resource_logs[ri], ri, out, &first_reason)) return false;
    }
    if (out->rejected > 0) {
      out->rejected_reason = std::to_string(out->rejected) + " of " + std::to_string(total) +
                             " log records rejected; first: " + first_reason;
    }
    return true;
  }

 private:
  /// Walks the fields of one message, checking tags, varints and lengths as
  /// scan_protobuf_wire does.
  class Reader {
   public:
    explicit Reader(std::string_view m) : p_(m.data()), end_(m.data() + m.size()) {}
    bool more() const { return p_ < end_; }
    /// Inlined into its callers, so that the field stays in registers (as
    /// a call it wrote `*f` to memory, and the wider reads of it that
    /// followed stalled on store forwarding).
    [[gnu::always_inline]] bool next(Field* f) {
      uint64_t tag = 0;
      const char* start = p_;
      if (!read_protobuf_varint(p_, end_, &tag) || p_ - start > kMaxTagOrLengthBytes) return false;
      uint64_t number = tag >> 3;
      if (number == 0 || number > kMaxFieldNumber) return false;
      f->number = static_cast<uint32_t>(number);
      f->type = static_cast<uint32_t>(tag & 7);
      switch (f->type) {
        case kVarint:
          return read_protobuf_varint(p_, end_, &f->value);
        case kFixed64:
          if (end_ - p_ < 8) return false;
          std::memcpy(&f->value, p_, 8);  // little-endian host (x86-64, aarch64)
          p_ += 8;
          return true;
        case kFixed32: {
          if (end_ - p_ < 4) return false;
          uint32_t v;
          std::memcpy(&v, p_, 4);
          f->value = v;
          p_ += 4;
          return true;
        }
        case kLen:
          return read_length_delimited(p_, end_, &f->len);
        default:
          return false;  // groups, invalid wire types
      }
    }

   private:
    const char* p_;
    const char* end_;
  };

  bool count_message() { return ++messages_ <= limits_.max_values; }

  /// Checks one nested message's depth (the root is 0).
  static bool depth_ok(int depth) { return depth <= kMaxWireDepth; }

  static bool text_ok(std::string_view s) { return is_valid_utf8(s); }

  /// Counts the records of a ResourceLogs (first pass).
  bool count_records(std::string_view rl, uint64_t* total) {
    Reader r(rl);
    Field f;
    while (r.more()) {
      if (!r.next(&f)) return false;
      if (f.number != 2 || f.type != kLen) continue;
      Reader s(f.len);
      Field g;
      while (s.more()) {
        if (!s.next(&g)) return false;
        if (g.number == 2 && g.type == kLen) ++*total;
      }
    }
    return *total <= limits_.max_records;
  }

  bool resource(std::string_view rl, size_t ri, OtlpLogs* out, std::string* first_reason) {
    // The resource may follow its scopes on the wire; find it first.
    Reader r(rl);
    Field f;
    std::string_view resource_bytes;
    bool has_resource = false;
    std::vector<std::string_view> scopes;
    while (r.more()) {
      if (!r.next(&f)) return false;
      if (f.type != kLen) continue;
      if (f.number == 1) {
        if (has_resource) return false;  // merged by protobuf: the general path
        has_resource = true;
        resource_bytes = f.len;
      } else if (f.number == 2) {
        scopes.push_back(f.len);
      } else if (f.number == 3 && !text_ok(f.len)) {
        return false;
      }
    }
    KeyValues resource;
    if (has_resource && (!count_message() || !resource_attributes(resource_bytes, 2, &resource))) return false;
    const std::string* service = find_key_value(resource, "service.name");
    for (size_t si = 0; si < scopes.size(); ++si) {
      if (!count_message() || !scope_logs(scopes[si], ri, si, resource, service, out, first_reason)) return false;
    }
    return true;
  }

  /// Resource (depth `depth`): attributes = 1, entity_refs = 3.
  bool resource_attributes(std::string_view m, int depth, KeyValues* out) {
    if (!depth_ok(depth)) return false;
    Reader r(m);
    Field f;
    std::vector<std::string_view> kvs;
    while (r.more()) {
      if (!r.next(&f)) return false;
      if (f.type != kLen) continue;
      if (f.number == 1) {
        kvs.push_back(f.len);
      } else if (f.number == 3) {
        if (!count_message() || !entity_ref(f.len, depth + 1)) return false;
      }
    }
    return attributes(kvs, depth + 1, out);
  }

  /// EntityRef: only checked (strings 1..4).
  bool entity_ref(std::string_view m, int depth) {
    if (!depth_ok(depth)) return false;
    Reader r(m);
    Field f;
    while (r.more()) {
      if (!r.next(&f)) return false;
      if (f.type == kLen && f.number >= 1 && f.number <= 4 && !text_ok(f.len)) return false;
    }
    return true;
  }

  bool scope_logs(std::string_view m, size_t ri, size_t si, const KeyValues& resource, const std::string* service,
                  OtlpLogs* out, std::string* first_reason) {
    constexpr int kDepth = 2;
    Reader r(m);
    Field f;
    std::string_view scope_bytes;
    bool has_scope = false;
    std::vector<std::string_view> records;
    while (r.more()) {
      if (!r.next(&f)) return false;
      if (f.type != kLen) continue;
      if (f.number == 1) {
        if (has_scope) return false;
        has_scope = true;
        scope_bytes = f.len;
      } else if (f.number == 2) {
        records.push_back(f.len);
      } else if (f.number == 3 && !text_ok(f.len)) {
        return false;
      }
    }
    std::string_view scope_name, scope_version;
    if (has_scope && (!count_message() || !scope(scope_bytes, kDepth + 1, &scope_name, &scope_version))) return false;
    const auto& form = otlp_logs_map::kProtoForm;
    for (size_t li = 0; li < records.size(); ++li) {
      if (!count_message()) return false;
      // Decoded in place; taken out again if rejected.
      LogRecord& rec = out->records.emplace_back();
      std::string why;
      uint64_t attribute_count = 0;
      int verdict = log_record(records[li], kDepth + 1, &rec, &why, &attribute_count);
      if (verdict < 0) return false;
      stored_values_ += resource.size() + attribute_count;
      if (stored_values_ > limits_.max_values) return false;
      if (verdict == 0) {
        out->records.pop_back();
        if (out->rejected++ == 0) {
          *first_reason = std::string(form.resource_logs) + "[" + std::to_string(ri) + "]." + form.scope_logs + "[" +
                          std::to_string(si) + "]." + form.log_records + "[" + std::to_string(li) + "]: " + why;
        }
        continue;
      }
      rec.resource = resource;
      if (service != nullptr) rec.service_name = *service;
      rec.scope_name = scope_name;
      rec.scope_version = scope_version;
    }
    return true;
  }

  /// InstrumentationScope: name = 1, version = 2, attributes = 3 (checked, not kept).
  bool scope(std::string_view m, int depth, std::string_view* name, std::string_view* version) {
    if (!depth_ok(depth)) return false;
    Reader r(m);
    Field f;
    std::string scratch;
    while (r.more()) {
      if (!r.next(&f)) return false;
      if (f.type != kLen) continue;
      if (f.number == 1 || f.number == 2) {
        if (!text_ok(f.len)) return false;
        *(f.number == 1 ? name : version) = f.len;
      } else if (f.number == 3) {
        std::string_view key;
        scratch.clear();
        if (!count_message() || !key_value(f.len, depth + 1, &key, &scratch)) return false;
      }
    }
    return true;
  }

  /// One LogRecord into `*rec` (default-constructed): 1 if mapped, 0 if
  /// rejected (`*why`), -1 to decline. `*attribute_count` is its attributes
  /// as sent (duplicates too).
  int log_record(std::string_view m, int depth, LogRecord* rec, std::string* why, uint64_t* attribute_count) {
    if (!depth_ok(depth)) return -1;
    otlp_logs_map::RecordFields in;
    Reader r(m);
    Field f;
    std::string_view body;
    bool has_body = false;
    std::vector<std::string_view>& kvs = record_kvs_;
    kvs.clear();
    while (r.more()) {
      if (!r.next(&f)) return -1;
      if (f.number == 6) {  // attributes: most of a record's fields, so before the switch's indirect jump
        if (f.type == kLen) kvs.push_back(f.len);
        continue;
      }
      switch (f.number) {
        case 1:
          if (f.type == kFixed64) in.time_unix_nano = f.value;
          break;
        case 11:
          if (f.type == kFixed64) in.observed_time_unix_nano = f.value;
          break;
        case 2:
          if (f.type == kVarint) in.severity_number = static_cast<int32_t>(f.value);
          break;
        case 8:
          if (f.type == kFixed32) in.flags = static_cast<uint32_t>(f.value);
          break;
        case 3:
        case 12:
          if (f.type != kLen) break;
          if (!text_ok(f.len)) return -1;
          (f.number == 3 ? in.severity_text : in.event_name) = f.len;
          break;
        case 9:
          if (f.type == kLen) in.trace_id = f.len;
          break;
        case 10:
          if (f.type == kLen) in.span_id = f.len;
          break;
        case 5:
          if (f.type != kLen) break;
          if (has_body) return -1;
          has_body = true;
          body = f.len;
          break;
        default:
          break;
      }
    }
    *attribute_count = kvs.size();
    // Check and count everything before deciding to reject: a rejected
    // record's bytes must still be well-formed for the request to stand.
    // Body and attributes go straight into the record (fresh, and dropped
    // by the caller unless this returns 1).
    if (has_body && (!count_message() || !any_value(body, depth + 1, false, &rec->body))) return -1;
    if (!record_attributes(kvs, depth + 1, &rec->attributes)) return -1;
    if (!otlp_logs_map::map_record_fields(in, otlp_logs_map::kProtoForm, received_ns_, rec, why)) return 0;
    otlp_logs_map::add_event_name(in.event_name, rec);
    return 1;
  }

  /// KeyValue messages (each at `depth`) -> text key/values, deduplicated
  /// as the mapping says (resource attributes; a few per request).
  bool attributes(const std::vector<std::string_view>& kvs, int depth, KeyValues* out) {
    std::vector<std::pair<std::string_view, std::string>> decoded(kvs.size());
    for (size_t i = 0; i < kvs.size(); ++i) {
      if (!count_message() || !key_value(kvs[i], depth, &decoded[i].first, &decoded[i].second)) return false;
    }
    otlp_logs_map::append_attributes(
        decoded.size(), *out, [&](size_t i) { return AttributeKey(decoded[i].first); },
        [&](size_t i) { return std::move(decoded[i].second); });
    return true;
  }

  /// A record's attributes, as attributes() decodes them, into `*out`
  /// (empty). A key is taken from the hints near its position
  /// (`hints_[i]`, then up to kHintReach either side) when the text is the
  /// same, else checked, interned and kept at `hints_[i]`: a request's
  /// records repeat their keys in about the same order (optional attributes
  /// shift them by a few), so this compares bytes instead of hashing them,
  /// and a key equal to a hint (checked when it became one) is not checked
  /// again. The pairs are decoded straight into `out` (no value is moved
  /// again), then, in the rare record that repeats a key, replayed through
  /// the mapping's rules.
  bool record_attributes(const std::vector<std::string_view>& kvs, int depth, KeyValues* out) {
    if (hints_.size() < kvs.size()) hints_.resize(kvs.size());
    out->reserve(kvs.size());
    bool own_places = true;  // every key is the hint at its own position
    for (size_t i = 0; i < kvs.size(); ++i) {
      auto& [key, value] = out->emplace_back();
      std::string_view text;
      if (!count_message() || !key_value(kvs[i], depth, &text, &value, false)) return false;
      size_t at = find_hint(i, text);
      if (at == kNoHint) {
        if (!text_ok(text)) return false;
        hints_[i].key = AttributeKey(text);
        hints_[i].text = hints_[i].key.view();
        distinct_hints_ = std::min(distinct_hints_, i);
        at = i;
      }
      own_places = own_places && at == i;
      key = hints_[at].key;
    }
    // The usual record's keys are the hints [0, n), in place: distinct
    // when that prefix was found distinct before.
    if (own_places && kvs.size() <= distinct_hints_) return true;
    if (distinct(*out)) {
      if (own_places) distinct_hints_ = kvs.size();
      return true;
    }
    KeyValues& sent = record_sent_;
    sent.assign(std::make_move_iterator(out->begin()), std::make_move_iterator(out->end()));
    out->clear();
    otlp_logs_map::append_attributes(
        sent.size(), *out, [&](size_t i) -> const AttributeKey& { return sent[i].first; },
        [&](size_t i) { return std::move(sent[i].second); });
    return true;
  }

  /// True when no key of `kvs` repeats (then no value replaces another);
  /// false also when a key is not interned, for append_attributes to
  /// decide. Compares the keys' addresses packed in one array, cheaper than
  /// append_attributes's search through the pairs (6% of decoding).
  /// Quadratic: for a record's few.
  static bool distinct(const KeyValues& kvs) {
    constexpr size_t kMax = 32;
    if (kvs.size() > kMax) return false;  // append_attributes hashes them
    // Interned keys are equal exactly when their texts are the same
    // object: their addresses are compared, gathered in one array.
    const std::string* texts[kMax];
    for (size_t i = 0; i < kvs.size(); ++i) {
      if (!kvs[i].first.interned()) return false;  // append_attributes compares texts
      texts[i] = &kvs[i].first.str();
    }
    bool repeated = false;  // no early exit: the pairs' loop branches predictably
    for (size_t i = 1; i < kvs.size(); ++i) {
      for (size_t j = 0; j < i; ++j) repeated |= texts[i] == texts[j];
    }
    return !repeated;
  }

  /// How far from its position a key is looked for among the hints.
  static constexpr size_t kHintReach = 4;
  static constexpr size_t kNoHint = SIZE_MAX;

  /// The position of the hint within kHintReach of position `i` whose
  /// text is `text`, or kNoHint.
  size_t find_hint(size_t i, std::string_view text) const {
    if (same_text(hints_[i].text, text)) return i;
    const size_t lo = i > kHintReach ? i - kHintReach : 0;
    const size_t hi = std::min(hints_.size(), i + kHintReach + 1);
    for (size_t j = lo; j < hi; ++j) {
      if (j != i && same_text(hints_[j].text, text)) return j;
    }
    return kNoHint;
  }

  /// `a == b`, for keys of 8 to 32 bytes (most) as whole words inline,
  /// the last overlapping the one before, rather than a call to memcmp.
  static bool same_text(std::string_view a, std::string_view b) {
    const size_t n = a.size();
    if (n != b.size()) return false;
    if (n < 8 || n > 32) return a == b;
    uint64_t x, y, diff = 0;
    for (size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      diff |= x ^ y;
    }
    std::memcpy(&x, a.data() + n - 8, 8);
    std::memcpy(&y, b.data() + n - 8, 8);
    return (diff | (x ^ y)) == 0;
  }

  /// The key and value bytes of a KeyValue (key = 1, value = 2); the key's
  /// text is checked when `check_key`.
  bool key_value_fields(std::string_view m, int depth, std::string_view* key, std::string_view* value, bool* has_value,
                        bool check_key = true) {
    if (!depth_ok(depth)) return false;
    Reader r(m);
    Field f;
    *has_value = false;
    bool has_key = false;
    while (r.more()) {
      if (!r.next(&f)) return false;
      if (f.type != kLen) continue;
      if (f.number == 1) {
        // protobuf keeps the last key but refuses any that is not UTF-8;
        // without check_key the caller checks the last one.
        if (check_key ? !text_ok(f.len) : has_key && !text_ok(*key)) return false;
        *key = f.len;
        has_key = true;
      } else if (f.number == 2) {
        if (*has_value) return false;  // merged by protobuf: the general path
        *has_value = true;
        *value = f.len;
      }
    }
    return true;
  }

  /// The common KeyValue, {key = 1, value = 2: AnyValue{string_value =
  /// 1}} in that order and nothing else, read without the general loops
  /// (attributes are most of a request): 1 taken as key_value() takes it,
  /// -1 declined where it declines, 0 another shape (key_value() reads it).
  int string_key_value(std::string_view m, int depth, std::string_view* key, std::string* text, bool check_key) {
    const char* p = m.data();
    const char* end = p + m.size();
    std::string_view k, any, s;
    if (!len_field(p, end, 0x0a, &k) || !len_field(p, end, 0x12, &any) || p != end) return 0;
    p = any.data();
    end = p + any.size();
    if (!len_field(p, end, 0x0a, &s) || p != end || !depth_ok(depth + 1)) return 0;
    if ((check_key && !text_ok(k)) || !count_message() || !text_ok(s)) return -1;
    *key = k;
    text->append(s);
    return 1;
  }

  /// Reads a length-delimited field with the one-byte tag `tag` at `p`
  /// (then past it) as Reader::next does; false, `p` unchanged, otherwise.
  static bool len_field(const char*& p, const char* end, char tag, std::string_view* out) {
    if (p >= end || *p != tag) return false;
    const char* q = p + 1;
    if (!read_length_delimited(q, end, out)) return false;
    p = q;
    return true;
  }

  /// KeyValue -> key and the value's column text.
  bool key_value(std::string_view m, int depth, std::string_view* key, std::string* text, bool check_key = true) {
    if (int taken = string_key_value(m, depth, key, text, check_key); taken != 0) return taken > 0;
    std::string_view value;
    bool has_value;
    if (!key_value_fields(m, depth, key, &value, &has_value, check_key)) return false;
    return !has_value || (count_message() && any_value(value, depth + 1, false, text));
  }

  /// AnyValue -> its column text (json = false: otlp_any_value.hpp's
  /// any_value_text) or its JSON form (json = true), appended to `*out`.
  bool any_value(std::string_view m, int depth, bool json, std::string* out) {
    if (!depth_ok(depth)) return false;
    Reader r(m);
    Field f;
    Field value;
    bool set = false;
    while (r.more()) {
      if (!r.next(&f)) return false;
      bool member = false;
      switch (f.number) {
        case 1:
        case 5:
        case 6:
        case 7:
          member = f.type == kLen;
          if (member && f.number == 1 && !text_ok(f.len)) return false;
          break;
        case 2:
        case 3:
          member = f.type == kVarint;
          break;
        case 4:
          member = f.type == kFixed64;
          break;
        default:
          break;
      }
      if (!member) continue;
      if (set) return false;  // a oneof set twice (replaced or merged by protobuf): the general path
      set = true;
      value = f;
    }
    if (!set) {
      if (json) *out += "null";
      return true;
    }
    switch (value.number) {
      case 1:
        if (json) {
          append_json_string(*out, value.len);
        } else {
          out->append(value.len);
        }
        return true;
      case 2:
        *out += value.value != 0 ? "true" : "false";
        return true;
      case 3:
        *out += std::to_string(static_cast<int64_t>(value.value));
        return true;
      case 4: {
        double d;
        std::memcpy(&d, &value.value, 8);
        bool quote = json && !std::isfinite(d);
        if (quote) *out += '"';
        append_double(*out, d);
        if (quote) *out += '"';
        return true;
      }
      case 7:
        if (json) *out += '"';
        *out += base64_encode(value.len);
        if (json) *out += '"';
        return true;
      case 5:
      case 6:
        return count_message() && list(value.len, depth + 1, value.number == 6, out);
      default:
        return false;
    }
  }

  /// ArrayValue (values = 1, AnyValue) or KeyValueList (values = 1,
  /// KeyValue) as JSON text.
  bool list(std::string_view m, int depth, bool kvlist, std::string* out) {
    if (!depth_ok(depth)) return false;
    Reader r(m);
    Field f;
    *out += kvlist ? '{' : '[';
    bool first = true;
    while (r.more()) {
      if (!r.next(&f)) return false;
      if (f.number != 1 || f.type != kLen) continue;
      if (!count_message()) return false;
      if (!first) *out += ',';
      first = false;
      if (!kvlist) {
        if (!any_value(f.len, depth + 1, true, out)) return false;
        continue;
      }
      if (!json_key_value(f.len, depth + 1, out)) return false;
    }
    *out += kvlist ? '}' : ']';
    return true;
  }

  /// A KeyValue inside a KeyValueList as `"key":value`.
  bool json_key_value(std::string_view m, int depth, std::string* out) {
    std::string_view key, value;
    bool has_value;
    if (!key_value_fields(m, depth, &key, &value, &has_value)) return false;
    append_json_string(*out, key);
    *out += ':';
    if (!has_value) {
      *out += "null";
      return true;
    }
    return count_message() && any_value(value, depth + 1, true, out);
  }

  int64_t received_ns_;
  OtlpLimits limits_;
  uint64_t messages_ = 0;
  uint64_t stored_values_ = 0;
  /// A key of the records decoded so far, by position (record_attributes),
  /// with its text's view next to it (no pointer to follow to compare).
  /// Move-only: the view stays valid when the key moves (an interned text
  /// never moves; an owned one is a heap string that moves with its key),
  /// but a copy of the key would own another string.
  struct Hint {
    Hint() = default;
    Hint(const Hint&) = delete;
    Hint& operator=(const Hint&) = delete;
    Hint(Hint&&) noexcept = default;
    Hint& operator=(Hint&&) noexcept = default;

    AttributeKey key;
    /// key's text.
    std::string_view text;
  };
  std::vector<Hint> hints_;
  /// hints_[0, distinct_hints_) are known to be distinct keys.
  size_t distinct_hints_ = 0;
  /// Scratch of log_record() and its record_attributes(), kept between
  /// records (records do not nest).
  std::vector<std::string_view> record_kvs_;
  KeyValues record_sent_;  ///< record_attributes()'s pairs of a record that repeats a key, as sent
};

}  // namespace

std::optional<OtlpLogs> decode_otlp_logs_wire(std::string_view bytes, int64_t received_ns, const OtlpLimits& limits) {
  OtlpLogs out;
  Decoder d(received_ns, limits);
  if (!d.request(bytes, &out)) return std::nullopt;
  return out;
}

}  // namespace sluice
