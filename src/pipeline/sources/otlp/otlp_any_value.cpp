#include "pipeline/sources/otlp/otlp_any_value.hpp"

#include <charconv>
#include <cmath>

#include "common/json_text.hpp"

namespace sluice {
namespace {
using opentelemetry::proto::common::v1::AnyValue;
}  // namespace

void append_double(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "NaN";
  } else if (std::isinf(d)) {
    out += d > 0 ? "Infinity" : "-Infinity";
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    out.append(buf, r.ptr);
  }
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t n = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void append_any_value_json(std::string& out, const AnyValue& v) {
  switch (v.value_case()) {
    case AnyValue::kStringValue:
      append_json_string(out, v.string_value());
      return;
    case AnyValue::kBoolValue:
      out += v.bool_value() ? "true" : "false";
      return;
    case AnyValue::kIntValue:
      out += std::to_string(v.int_value());
      return;
    case AnyValue::kDoubleValue:
      if (std::isfinite(v.double_value())) {
        append_double(out, v.double_value());
      } else {
        out += '"';
        append_double(out, v.double_value());
        out += '"';
      }
      return;
    case AnyValue::kBytesValue:
      out += '"';
      out += base64_encode(v.bytes_value());
      out += '"';
      return;
    case AnyValue::kArrayValue: {
      out += '[';
      bool first = true;
      for (const auto& e : v.array_value().values()) {
        if (!first) out += ',';
        first = false;
        append_any_value_json(out, e);
      }
      out += ']';
      return;
    }
    case AnyValue::kKvlistValue: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.kvlist_value().values()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, kv.key());
        out += ':';
        append_any_value_json(out, kv.value());
      }
      out += '}';
      return;
    }
    case AnyValue::VALUE_NOT_SET:
      break;
  }
  out += "null";
}

std::string any_value_text(const AnyValue& v) {
  std::string out;
  switch (v.value_case()) {
    case AnyValue::kStringValue:
      return v.string_value();
    case AnyValue::kBytesValue:
      return base64_encode(v.bytes_value());
    case AnyValue::kDoubleValue:
      append_double(out, v.double_value());
      return out;
    case AnyValue::VALUE_NOT_SET:
      return out;
    default:
      append_any_value_json(out, v);
      return out;
  }
}

}  // namespace sluice
