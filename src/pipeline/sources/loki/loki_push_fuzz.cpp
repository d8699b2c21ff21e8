// libFuzzer target for the loki source's decoders (untrusted: request bodies
// from the network).
//
// The input is fed to the protobuf decoder, the JSON decoder and the label
// parser. Checks that none crashes, hangs or exceeds its memory cap, and that
// a label set that parses survives a format/parse round trip.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/sources/loki/label_parser.hpp"
#include "pipeline/sources/loki/push_decoder.hpp"

namespace {

constexpr size_t kCap = 8 << 20;

bool legacy_name(const std::string& s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void quote(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
}

std::string format_labels(const sluice::KeyValues& kvs) {
  std::string out = "{";
  for (size_t i = 0; i < kvs.size(); ++i) {
    if (i > 0) out += ", ";
    if (legacy_name(kvs[i].first)) {
      out += kvs[i].first;
    } else {
      quote(out, kvs[i].first);
    }
    out += '=';
    quote(out, kvs[i].second);
  }
  return out + "}";
}

size_t total_bytes(const std::vector<sluice::LogRecord>& records) {
  size_t n = 0;
  for (const auto& r : records) n += sluice::estimated_record_bytes(r);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  std::vector<sluice::LogRecord> out;
  sluice::Status st = sluice::decode_loki_push_protobuf(in, kCap, &out);
  if (st.ok() && total_bytes(out) > kCap) __builtin_trap();

  out.clear();
  st = sluice::decode_loki_push_json(in, kCap, &out);
  if (st.ok() && total_bytes(out) > kCap) __builtin_trap();

  auto labels = sluice::parse_label_set(in);
  if (labels.ok()) {
    auto again = sluice::parse_label_set(format_labels(*labels));
    if (!again.ok() || *again != *labels) __builtin_trap();
  }
  return 0;
}
