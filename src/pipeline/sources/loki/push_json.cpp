// decode_loki_push_json: the JSON push body, read with simdjson On-Demand
// (RFC 8259; the whole body is checked for valid UTF-8 first).
#include <simdjson.h>

#include <string>

#include "model/json_type_name.hpp"
#include "pipeline/sources/loki/push_decoder.hpp"

namespace sluice {
namespace {

namespace od = simdjson::ondemand;

/// A non-negative decimal integer that fits int64, or false.
bool parse_nanos(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

class JsonDecoder {
 public:
  JsonDecoder(size_t max_record_bytes, std::vector<LogRecord>* out) : max_bytes_(max_record_bytes), out_(out) {}

  Status decode(std::string_view text) {
    simdjson::padded_string padded(text);
    base_ = padded.data();
    size_ = text.size();
    if (auto e = parser_.iterate(padded).get(doc_)) return fail(e);
    started_ = true;
    od::json_type t;
    if (auto e = doc_.type().get(t)) return fail(e);
    if (t != od::json_type::object) return mismatch("the request", "an object with a \"streams\" array", t);
    od::object root;
    if (auto e = doc_.get_object().get(root)) return fail(e);
    for (auto member : root) {
      od::field f;
      if (auto e = std::move(member).get(f)) return fail(e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return fail(e);
      if (key == "streams") SLUICE_RETURN_IF_ERROR(decode_streams(f.value()));
    }
    const char* loc = nullptr;
    if (doc_.current_location().get(loc) == simdjson::SUCCESS && loc >= base_ && loc < base_ + size_) {
      return Status::InvalidArgument("expected end of text after the JSON object" + where());
    }
    return Status::Ok();
  }

 private:
  /// " at byte N" for the parser's position, or "".
  std::string where() {
    const char* loc = nullptr;
    if (started_ && doc_.current_location().get(loc) == simdjson::SUCCESS && loc >= base_ && loc <= base_ + size_) {
      return " at byte " + std::to_string(loc - base_);
    }
    return "";
  }
  Status fail(simdjson::error_code e) {
    return Status::InvalidArgument("invalid JSON" + where() + ": " + simdjson::error_message(e));
  }
  Status mismatch(const std::string& what, std::string_view expected, od::json_type found) {
    return Status::InvalidArgument(what + ": expected " + std::string(expected) + ", found " +
                                   std::string(json_type_name(found)) + where());
  }
  Status want_type(od::value& v, od::json_type want, const std::string& what, std::string_view expected) {
    od::json_type t;
    if (auto e = v.type().get(t)) return fail(e);
    if (t != want) return mismatch(what, expected, t);
    return Status::Ok();
  }

  Status decode_streams(od::value v) {
    SLUICE_RETURN_IF_ERROR(want_type(v, od::json_type::array, "\"streams\"", "an array"));
    od::array streams;
    if (auto e = v.get_array().get(streams)) return fail(e);
    size_t index = 0;
    for (auto element : streams) {
      od::value s;
      if (auto e = std::move(element).get(s)) return fail(e);
      SLUICE_RETURN_IF_ERROR(decode_stream(s, "stream " + std::to_string(index++)));
    }
    return Status::Ok();
  }

  Status decode_stream(od::value& v, const std::string& what) {
    SLUICE_RETURN_IF_ERROR(want_type(v, od::json_type::object, what, "an object with \"stream\" and \"values\""));
    od::object obj;
    if (auto e = v.get_object().get(obj)) return fail(e);
    size_t first = out_->size();
    KeyValues labels;
    for (auto member : obj) {
      od::field f;
      if (auto e = std::move(member).get(f)) return fail(e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return fail(e);
      if (key == "stream") {
        SLUICE_RETURN_IF_ERROR(string_map(f.value(), what + ": \"stream\"", &labels));
      } else if (key == "values") {
        SLUICE_RETURN_IF_ERROR(decode_values(f.value(), what));
      }
    }
    size_t label_bytes = 0;
    for (const auto& kv : labels) {
      if (!kv.second.empty()) label_bytes += sizeof(kv) + kv.first.size() + kv.second.size();
    }
    KeyValues kept;
    for (auto& kv : labels) {
      if (!kv.second.empty()) kept.push_back(std::move(kv));
    }
    SLUICE_RETURN_IF_ERROR(charge(label_bytes * (out_->size() - first)));
    for (size_t i = first; i < out_->size(); ++i) apply_loki_labels(kept, &(*out_)[i]);
    return Status::Ok();
  }

  /// An object whose members are all strings, into `out` (a repeated key:
  /// the last value wins).
  Status string_map(od::value v, const std::string& what, KeyValues* out) {
    SLUICE_RETURN_IF_ERROR(want_type(v, od::json_type::object, what, "an object of strings"));
    od::object obj;
    if (auto e = v.get_object().get(obj)) return fail(e);
    for (auto member : obj) {
      od::field f;
      if (auto e = std::move(member).get(f)) return fail(e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return fail(e);
      std::string k(key);
      if (k.empty()) return Status::InvalidArgument(what + ": empty key" + where());
      od::value& val = f.value();
      SLUICE_RETURN_IF_ERROR(want_type(val, od::json_type::string, what + " \"" + k + "\"", "a string"));
      std::string_view s;
      if (auto e = val.get_string().get(s)) return fail(e);
      out->emplace_back(std::move(k), std::string(s));
    }
    keep_last_values(*out);
    return Status::Ok();
  }

  Status decode_values(od::value v, const std::string& what) {
    SLUICE_RETURN_IF_ERROR(want_type(v, od::json_type::array, what + ": \"values\"", "an array of entries"));
    od::array values;
    if (auto e = v.get_array().get(values)) return fail(e);
    size_t index = 0;
    for (auto element : values) {
      od::value entry;
      if (auto e = std::move(element).get(entry)) return fail(e);
      LogRecord r;
      SLUICE_RETURN_IF_ERROR(decode_entry(entry, what + ", entry " + std::to_string(index++), &r));
      SLUICE_RETURN_IF_ERROR(charge(estimated_record_bytes(r)));
      out_->push_back(std::move(r));
    }
    return Status::Ok();
  }

  /// ["<ns>", "<line>"] or ["<ns>", "<line>", {structured metadata}].
  Status decode_entry(od::value& v, const std::string& what, LogRecord* r) {
    SLUICE_RETURN_IF_ERROR(
        want_type(v, od::json_type::array, what, "an array [\"<unix ns>\", \"<line>\", {metadata}?]"));
    od::array parts;
    if (auto e = v.get_array().get(parts)) return fail(e);
    size_t n = 0;
    for (auto element : parts) {
      od::value p;
      if (auto e = std::move(element).get(p)) return fail(e);
      od::json_type t;
      if (auto e = p.type().get(t)) return fail(e);
      if (n == 0) {
        std::string_view text;
        if (t == od::json_type::string) {
          if (auto e = p.get_string().get(text)) return fail(e);
        } else if (t == od::json_type::number) {
          text = trim(p.raw_json_token());
        } else {
          return mismatch(what + ": timestamp", "a string of unix nanoseconds", t);
        }
        if (!parse_nanos(text, &r->timestamp_ns)) {
          return Status::InvalidArgument(what + ": timestamp: expected unix nanoseconds (at most 19 decimal digits, " +
                                         "fitting int64), found \"" + std::string(text.substr(0, 40)) + "\"" + where());
        }
      } else if (n == 1) {
        if (t != od::json_type::string) return mismatch(what + ": line", "a string", t);
        std::string_view line;
        if (auto e = p.get_string().get(line)) return fail(e);
        r->body.assign(line);
      } else if (n == 2) {
        SLUICE_RETURN_IF_ERROR(string_map(p, what + ": structured metadata", &r->attributes));
      } else {
        return Status::InvalidArgument(what + ": expected at most 3 elements (timestamp, line, metadata)" + where());
      }
      ++n;
    }
    if (n < 2) {
      return Status::InvalidArgument(what + ": expected at least 2 elements (timestamp, line), found " +
                                     std::to_string(n) + where());
    }
    return Status::Ok();
  }

  Status charge(size_t n) {
    bytes_ += n;
    if (bytes_ > max_bytes_) {
      return Status::ResourceExhausted("the decoded records exceed the limit of " + std::to_string(max_bytes_) +
                                       " bytes");
    }
    return Status::Ok();
  }

  size_t max_bytes_;
  std::vector<LogRecord>* out_;
  size_t bytes_ = 0;
  od::parser parser_;
  od::document doc_;
  bool started_ = false;  ///< doc_ is valid (iterate() succeeded)
  const char* base_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

Status decode_loki_push_json(std::string_view json, size_t max_record_bytes, std::vector<LogRecord>* out) {
  return JsonDecoder(max_record_bytes, out).decode(json);
}

}  // namespace sluice
