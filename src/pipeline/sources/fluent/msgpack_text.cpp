#include "pipeline/sources/fluent/msgpack_text.hpp"

#include <fmt/format.h>

#include <cmath>
#include <exception>
#include <msgpack.hpp>
#include <unordered_map>
#include <vector>

#include "common/json_text.hpp"
#include "model/utf8.hpp"

namespace sluice {

namespace {

void append_json_text_string(std::string& out, std::string_view s) {
  if (is_valid_utf8(s)) {
    append_json_string(out, s);
    return;
  }
  std::string repaired;
  append_valid_utf8(repaired, s);
  append_json_string(out, repaired);
}

std::string ext_text(const char* v, uint32_t size) {
  // msgpack-cxx hands ext values over with the type byte first.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "ext:" + std::to_string(static_cast<int8_t>(v[0])) + ":";
  for (uint32_t i = 1; i < size; ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return s;
}

// Shared failure bookkeeping for the visitors below.
struct VisitorBase : msgpack::null_visitor {
  std::string error;  ///< set when the visitor or the parser stopped
  void parse_error(size_t /*parsed*/, size_t error_offset) {
    error = "malformed msgpack at offset " + std::to_string(error_offset);
  }
  void insufficient_bytes(size_t /*parsed*/, size_t /*error_offset*/) {
    error = "it runs past the end of the data that holds it";
  }
};

// Captures one scalar; refuses containers.
struct ScalarVisitor : VisitorBase {
  MsgpackScalar s;
  bool visit_nil() { return set(MsgpackKind::kNil); }
  bool visit_boolean(bool v) {
    s.boolean = v;
    return set(MsgpackKind::kBool);
  }
  bool visit_positive_integer(uint64_t v) {
    s.u = v;
    return set(MsgpackKind::kInt);
  }
  bool visit_negative_integer(int64_t v) {
    if (v >= 0) return visit_positive_integer(static_cast<uint64_t>(v));
    s.negative = true;
    s.i = v;
    return set(MsgpackKind::kInt);
  }
  bool visit_float32(float v) { return visit_float64(v); }
  bool visit_float64(double v) {
    s.f = v;
    return set(MsgpackKind::kFloat);
  }
  bool visit_str(const char* v, uint32_t n) {
    s.bytes = std::string_view(v, n);
    return set(MsgpackKind::kStr);
  }
  bool visit_bin(const char* v, uint32_t n) {
    s.bytes = std::string_view(v, n);
    return set(MsgpackKind::kBin);
  }
  bool visit_ext(const char* v, uint32_t n) {
    s.ext_type = static_cast<int8_t>(v[0]);
    s.bytes = std::string_view(v + 1, n - 1);
    return set(MsgpackKind::kExt);
  }
  bool start_array(uint32_t) { return refuse("array"); }
  bool start_map(uint32_t) { return refuse("map"); }
  bool refuse(const char* kind) {
    error = std::string("expected a scalar, found ") + kind;
    return false;
  }
  bool set(MsgpackKind k) {
    s.kind = k;
    return true;
  }
};

// Renders one value as text (see the header comment).
class TextVisitor : public VisitorBase {
 public:
  explicit TextVisitor(std::string* out) : out_(*out) {}

  bool visit_nil() { return literal("null"); }
  bool visit_boolean(bool v) { return literal(v ? "true" : "false"); }
  bool visit_positive_integer(uint64_t v) {
    fmt::format_to(std::back_inserter(out_), "{}", v);
    return true;
  }
  bool visit_negative_integer(int64_t v) {
    fmt::format_to(std::back_inserter(out_), "{}", v);
    return true;
  }
  bool visit_float32(float v) {
    if (!levels_.empty() && !std::isfinite(v)) return literal("null");
    fmt::format_to(std::back_inserter(out_), "{}", v);
    return true;
  }
  bool visit_float64(double v) {
    if (!levels_.empty() && !std::isfinite(v)) return literal("null");
    fmt::format_to(std::back_inserter(out_), "{}", v);
    return true;
  }
  bool visit_str(const char* v, uint32_t n) { return string(std::string_view(v, n)); }
  bool visit_bin(const char* v, uint32_t n) { return string(std::string_view(v, n)); }
  bool visit_ext(const char* v, uint32_t n) { return string(ext_text(v, n)); }

  bool start_array(uint32_t) { return open('['); }
  bool start_array_item() {
    comma();
    return true;
  }
  bool end_array() { return close(']'); }
  bool start_map(uint32_t) { return open('{'); }
  bool start_map_key() {
    comma();
    levels_.back().key_start = out_.size();
    return true;
  }
  bool end_map_key() {
    // JSON object keys are strings: quote a key that is not one already.
    size_t ks = levels_.back().key_start;
    if (out_.size() == ks || out_[ks] != '"') {
      std::string key = out_.substr(ks);
      out_.resize(ks);
      append_json_string(out_, key);
    }
    out_ += ':';
    return true;
  }
  bool end_map() { return close('}'); }

 private:
  struct Level {
    bool first = true;
    size_t key_start = 0;
  };

  bool literal(std::string_view s) {
    out_ += s;
    return true;
  }
  bool string(std::string_view s) {
    if (levels_.empty()) {
      append_valid_utf8(out_, s);
    } else {
      append_json_text_string(out_, s);
    }
    return true;
  }
  bool open(char c) {
    if (levels_.size() >= kMaxMsgpackDepth) {
      error = "arrays and maps nested deeper than " + std::to_string(kMaxMsgpackDepth) + " levels";
      return false;
    }
    levels_.emplace_back();
    out_ += c;
    return true;
  }
  bool close(char c) {
    levels_.pop_back();
    out_ += c;
    return true;
  }
  void comma() {
    if (!levels_.back().first) out_ += ',';
    levels_.back().first = false;
  }

  std::string& out_;
  std::vector<Level> levels_;
};

std::string found_text(std::string_view data, size_t off) {
  if (off >= data.size()) return "the end of the data";
  return msgpack_kind_name(msgpack_kind(static_cast<uint8_t>(data[off])));
}

Status expected(const ByteWhere& where, size_t off, std::string_view what, std::string_view data) {
  return Status::InvalidArgument(where(off) + ": expected " + std::string(what) + ", found " + found_text(data, off));
}

// Runs msgpack-cxx's parser over the value at *off; msgpack-cxx throws on a
// few malformed inputs (ext sizes), caught here.
template <class V>
Status parse_one(std::string_view data, size_t* off, V& v, std::string_view what, const ByteWhere& where) {
  if (*off >= data.size()) return expected(where, *off, what, data);
  size_t o = *off;
  bool ok = false;
  try {
    ok = msgpack::parse(data.data(), data.size(), o, v);
  } catch (const std::exception& e) {
    v.error = std::string("msgpack: ") + e.what();
  }
  if (!ok) {
    if (v.error.empty()) v.error = "malformed msgpack";
    return Status::InvalidArgument(where(*off) + ": malformed " + std::string(what) + ": " + v.error);
  }
  *off = o;
  return Status::Ok();
}

// Reads the header of a container of `kind`; returns its children count.
Result<uint64_t> read_container_header(std::string_view data, size_t* off, MsgpackKind kind, std::string_view what,
                                       const ByteWhere& where) {
  if (*off >= data.size()) return expected(where, *off, what, data);
  auto first = static_cast<uint8_t>(data[*off]);
  if (msgpack_kind(first) != kind) return expected(where, *off, what, data);
  size_t hs = msgpack_header_size(first);
  if (data.size() - *off < hs) {
    return Status::InvalidArgument(where(*off) + ": " + std::string(what) +
                                   ": the header runs past the end of the data");
  }
  MsgpackHeader h = decode_msgpack_header(reinterpret_cast<const uint8_t*>(data.data()) + *off);
  *off += hs;
  return h.children;
}

}  // namespace

Result<MsgpackScalar> read_msgpack_scalar(std::string_view data, size_t* off, std::string_view what,
                                          const ByteWhere& where) {
  if (*off < data.size()) {
    MsgpackKind k = msgpack_kind(static_cast<uint8_t>(data[*off]));
    if (k == MsgpackKind::kArray || k == MsgpackKind::kMap) return expected(where, *off, what, data);
  }
  ScalarVisitor v;
  SLUICE_RETURN_IF_ERROR(parse_one(data, off, v, what, where));
  return v.s;
}

Result<std::string> read_msgpack_bytes(std::string_view data, size_t* off, std::string_view what,
                                       const ByteWhere& where) {
  size_t start = *off;
  SLUICE_ASSIGN_OR_RETURN(MsgpackScalar s, read_msgpack_scalar(data, off, what, where));
  if (s.kind != MsgpackKind::kStr && s.kind != MsgpackKind::kBin) {
    *off = start;
    return expected(where, start, what, data);
  }
  return std::string(s.bytes);
}

Result<uint64_t> read_msgpack_array_header(std::string_view data, size_t* off, std::string_view what,
                                           const ByteWhere& where) {
  return read_container_header(data, off, MsgpackKind::kArray, what, where);
}

Result<std::string> read_msgpack_text(std::string_view data, size_t* off, const ByteWhere& where) {
  std::string out;
  TextVisitor v(&out);
  SLUICE_RETURN_IF_ERROR(parse_one(data, off, v, "value", where));
  return out;
}

Result<KeyValues> read_msgpack_map_text(std::string_view data, size_t* off, std::string_view what,
                                        const ByteWhere& where) {
  SLUICE_ASSIGN_OR_RETURN(uint64_t children, read_container_header(data, off, MsgpackKind::kMap, what, where));
  const uint64_t pairs = children / 2;
  KeyValues kvs;
  // Each pair takes at least two bytes, so this reserve is bounded by the data.
  kvs.reserve(std::min<uint64_t>(pairs, (data.size() - *off) / 2));
  std::unordered_map<std::string, size_t> index;  // only for large maps: keeps duplicate checks linear
  for (uint64_t i = 0; i < pairs; ++i) {
    SLUICE_ASSIGN_OR_RETURN(std::string key, read_msgpack_text(data, off, where));
    SLUICE_ASSIGN_OR_RETURN(std::string value, read_msgpack_text(data, off, where));
    if (pairs <= 16) {
      set_key_value(kvs, key, std::move(value));
      continue;
    }
    auto [it, inserted] = index.emplace(key, kvs.size());
    if (inserted) {
      kvs.emplace_back(std::move(key), std::move(value));
    } else {
      kvs[it->second].second = std::move(value);
    }
  }
  return kvs;
}

}  // namespace sluice
