// Helpers shared by the protobuf and JSON push decoders.
#include "pipeline/sources/loki/push_decoder.hpp"

#include <simdjson.h>

#include <string_view>
#include <unordered_map>

namespace sluice {

size_t estimated_record_bytes(const LogRecord& r) {
  size_t n = sizeof(LogRecord) + r.body.size() + r.service_name.size();
  for (const auto* kvs : {&r.attributes, &r.resource}) {
    for (const auto& kv : *kvs) n += sizeof(kv) + kv.first.size() + kv.second.size();
  }
  return n;
}

void keep_last_values(KeyValues& kvs) {
  if (kvs.size() <= 16) {  // the common case: no allocation
    size_t kept = 0;
    for (size_t i = 0; i < kvs.size(); ++i) {
      size_t j = 0;
      while (j < kept && kvs[j].first != kvs[i].first) ++j;
      if (j < kept) {
        kvs[j].second = std::move(kvs[i].second);
      } else {
        if (kept != i) kvs[kept] = std::move(kvs[i]);
        ++kept;
      }
    }
    kvs.resize(kept);
    return;
  }
  // Keys are views of the strings in `out`, which never reallocates.
  KeyValues out;
  out.reserve(kvs.size());
  std::unordered_map<std::string_view, size_t> first;  // key -> index in `out`
  first.reserve(kvs.size());
  for (auto& kv : kvs) {
    auto it = first.find(kv.first);
    if (it != first.end()) {
      out[it->second].second = std::move(kv.second);
    } else {
      out.push_back(std::move(kv));
      first.emplace(out.back().first, out.size() - 1);
    }
  }
  kvs = std::move(out);
}

namespace {

/// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // no overlong forms
    if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size() || b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

void make_valid_utf8(std::string& s) {
  if (simdjson::validate_utf8(s.data(), s.size())) return;
  std::string out;
  out.reserve(s.size() + 8);
  bool in_bad_run = false;
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_sequence(s, i);
    if (n == 0) {
      if (!in_bad_run) out += "\xEF\xBF\xBD";
      in_bad_run = true;
      ++i;
    } else {
      out.append(s, i, n);
      in_bad_run = false;
      i += n;
    }
  }
  s = std::move(out);
}

void apply_loki_labels(const KeyValues& labels, LogRecord* r) {
  r->resource = labels;
  const std::string* s = find_key_value(labels, "service_name");
  if (s == nullptr) s = find_key_value(labels, "service.name");
  if (s != nullptr) r->service_name = *s;
}

}  // namespace sluice
