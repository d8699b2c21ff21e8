// decode_loki_push_protobuf: walks PushRequest and StreamAdapter on the wire
// (protobuf encoding, https://protobuf.dev/programming-guides/encoding/) and
// parses each EntryAdapter with the generated class, one at a time.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <climits>
#include <string>

#include "logproto/push.pb.h"
#include "pipeline/sources/loki/label_parser.hpp"
#include "pipeline/sources/loki/push_decoder.hpp"

namespace sluice {
namespace {

namespace pb = google::protobuf;
using WireFormatLite = pb::internal::WireFormatLite;

constexpr int kLengthDelimited = WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
constexpr int kVarint = WireFormatLite::WIRETYPE_VARINT;

/// Calls fn(field number, wire type, payload, byte offset of the field's
/// tag, byte offset of the payload) for every field of the message `msg`
/// (which starts at byte `base` of the request); `payload` is the bytes of a
/// length-delimited field, empty for other wire types (their values are
/// skipped). `what` names the message in errors.
template <class Fn>
Status for_each_field(std::string_view msg, size_t base, const std::string& what, Fn fn) {
  pb::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(msg.data()), static_cast<int>(msg.size()));
  while (true) {
    auto pos = static_cast<size_t>(in.CurrentPosition());
    uint32_t tag = in.ReadTag();
    if (tag == 0) {
      if (pos == msg.size()) return Status::Ok();
      return Status::InvalidArgument(what + ": expected a field tag at byte " + std::to_string(base + pos) +
                                     ", found an invalid or truncated varint");
    }
    int number = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    int type = static_cast<int>(WireFormatLite::GetTagWireType(tag));
    std::string_view payload;
    size_t payload_at = 0;
    if (type == kLengthDelimited) {
      uint32_t len = 0;
      if (!in.ReadVarint32(&len)) {
        return Status::InvalidArgument(what + ": field " + std::to_string(number) + " at byte " +
                                       std::to_string(base + pos) + ": truncated length");
      }
      auto start = static_cast<size_t>(in.CurrentPosition());
      if (len > msg.size() - start) {
        return Status::InvalidArgument(what + ": field " + std::to_string(number) + " at byte " +
                                       std::to_string(base + pos) + ": length " + std::to_string(len) +
                                       " exceeds the " + std::to_string(msg.size() - start) + " bytes left");
      }
      payload = msg.substr(start, len);
      payload_at = base + start;
      in.Skip(static_cast<int>(len));
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return Status::InvalidArgument(what + ": field " + std::to_string(number) + " at byte " +
                                     std::to_string(base + pos) + ": malformed value of wire type " +
                                     std::to_string(type));
    }
    SLUICE_RETURN_IF_ERROR(fn(number, type, payload, base + pos, payload_at));
  }
}

/// "<what>: field <field> at byte <at> has wire type <type>, expected <wanted>".
Status wrong_type(const std::string& what, const char* field, int type, size_t at, int wanted = kLengthDelimited) {
  return Status::InvalidArgument(what + ": field " + field + " at byte " + std::to_string(at) + " has wire type " +
                                 std::to_string(type) + ", expected " +
                                 (wanted == kVarint ? "0 (varint)" : "2 (length-delimited)"));
}

/// ns since the epoch from a Timestamp; InvalidArgument when out of range.
Result<int64_t> timestamp_nanos(const logproto::Timestamp& ts) {
  constexpr int64_t kMaxSeconds = INT64_MAX / 1000000000 - 1;
  if (ts.nanos() < 0 || ts.nanos() > 999999999) {
    return Status::InvalidArgument("timestamp nanos " + std::to_string(ts.nanos()) + " is outside [0, 999999999]");
  }
  if (ts.seconds() < -kMaxSeconds || ts.seconds() > kMaxSeconds) {
    return Status::InvalidArgument("timestamp seconds " + std::to_string(ts.seconds()) +
                                   " is outside the range of int64 nanoseconds");
  }
  return ts.seconds() * 1000000000 + ts.nanos();
}

class ProtobufDecoder {
 public:
  ProtobufDecoder(size_t max_record_bytes, std::vector<LogRecord>* out) : max_bytes_(max_record_bytes), out_(out) {}

  Status decode(std::string_view msg) {
    if (msg.size() > static_cast<size_t>(INT_MAX)) {
      return Status::ResourceExhausted("a protobuf push request is limited to 2 GiB, found " +
                                       std::to_string(msg.size()) + " bytes");
    }
    size_t index = 0;
    return for_each_field(msg, 0, "PushRequest",
                          [&](int number, int type, std::string_view payload, size_t at, size_t payload_at) {
                            if (number == 1) {
                              if (type != kLengthDelimited) return wrong_type("PushRequest", "streams", type, at);
                              return decode_stream(payload, payload_at, index++);
                            }
                            if (number == 2 && type != kLengthDelimited) {
                              return wrong_type("PushRequest", "format", type, at);
                            }
                            return Status::Ok();
                          });
  }

 private:
  /// One StreamAdapter (`msg`, starting at byte `base`): labels first (they may come after the entries on
  /// the wire), then the entries.
  Status decode_stream(std::string_view msg, size_t base, size_t index) {
    const std::string what = "stream " + std::to_string(index);
    std::string_view labels_text;
    size_t labels_at = base;
    SLUICE_RETURN_IF_ERROR(
        for_each_field(msg, base, what, [&](int number, int type, std::string_view payload, size_t at, size_t) {
          if (number == 1) {
            if (type != kLengthDelimited) return wrong_type(what, "labels", type, at);
            labels_text = payload;  // proto3: the last one wins
            labels_at = at;
          } else if (number == 2 && type != kLengthDelimited) {
            return wrong_type(what, "entries", type, at);
          } else if (number == 3 && type != kVarint) {
            return wrong_type(what, "hash", type, at, kVarint);
          }
          return Status::Ok();
        }));
    auto labels = parse_label_set(labels_text);
    if (!labels.ok()) {
      return labels.status().with_context(what + ": labels (field at byte " + std::to_string(labels_at) + ")");
    }
    for (auto& [k, v] : *labels) {
      make_valid_utf8(k);
      make_valid_utf8(v);
    }
    keep_last_values(*labels);  // two invalid names may have become the same
    size_t entry = 0;
    return for_each_field(msg, base, what, [&](int number, int, std::string_view payload, size_t at, size_t) {
      if (number != 2) return Status::Ok();
      Status st = decode_entry(payload, *labels);
      if (!st.ok()) {
        return st.with_context(what + ", entry " + std::to_string(entry) + " (at byte " + std::to_string(at) + ")");
      }
      ++entry;
      return Status::Ok();
    });
  }

  Status decode_entry(std::string_view bytes, const KeyValues& labels) {
    if (!entry_.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return Status::InvalidArgument("malformed EntryAdapter message");
    }
    LogRecord r;
    if (entry_.has_timestamp()) {
      SLUICE_ASSIGN_OR_RETURN(r.timestamp_ns, timestamp_nanos(entry_.timestamp()));
    }
    r.body = std::move(*entry_.mutable_line());
    make_valid_utf8(r.body);
    for (int i = 0; i < entry_.structuredmetadata_size(); ++i) {
      auto* kv = entry_.mutable_structuredmetadata(i);
      if (kv->name().empty()) {
        return Status::InvalidArgument("structured metadata pair " + std::to_string(i) + " has an empty name");
      }
      make_valid_utf8(*kv->mutable_name());
      make_valid_utf8(*kv->mutable_value());
      r.attributes.emplace_back(std::move(*kv->mutable_name()), std::move(*kv->mutable_value()));
    }
    keep_last_values(r.attributes);
    apply_loki_labels(labels, &r);
    bytes_ += estimated_record_bytes(r);
    if (bytes_ > max_bytes_) {
      return Status::ResourceExhausted("the decoded records exceed the limit of " + std::to_string(max_bytes_) +
                                       " bytes");
    }
    out_->push_back(std::move(r));
    return Status::Ok();
  }

  size_t max_bytes_;
  std::vector<LogRecord>* out_;
  size_t bytes_ = 0;
  logproto::EntryAdapter entry_;  ///< reused for every entry
};

}  // namespace

Status decode_loki_push_protobuf(std::string_view message, size_t max_record_bytes, std::vector<LogRecord>* out) {
  return ProtobufDecoder(max_record_bytes, out).decode(message);
}

}  // namespace sluice
