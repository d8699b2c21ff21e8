#include "pipeline/sources/otlp/otlp_wire_scan.hpp"

#include <cstddef>
#include <string>

namespace sluice {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

constexpr uint64_t kMaxFieldNumber = (1ULL << 29) - 1;
/// protobuf's parser reads a tag or a length in at most 5 bytes (a value
/// varint may have 10); longer ones are refused here with their offset.
constexpr std::ptrdiff_t kMaxTagOrLengthBytes = 5;

bool read_varint(const char*& p, const char* end, uint64_t* v) { return read_protobuf_varint(p, end, v); }

class Scanner {
 public:
  Scanner(const char* base, const Descriptor* counted, const WireScanLimits& limits, WireScanCounts* counts)
      : base_(base), counted_(counted), limits_(limits), counts_(counts) {}

  /// Walks the message of type `d` in [begin, end); false on error (see status()).
  bool scan(const Descriptor* d, const char* begin, const char* end, int depth) {
    const char* p = begin;
    while (p < end) {
      const char* field_start = p;
      uint64_t tag = 0;
      if (!read_varint(p, end, &tag)) return fail(field_start, "truncated field tag");
      if (p - field_start > kMaxTagOrLengthBytes) return fail(field_start, "field tag longer than 5 bytes");
      uint64_t number = tag >> 3;
      if (number == 0 || number > kMaxFieldNumber) {
        return fail(field_start, "field number " + std::to_string(number) + " is outside 1..536870911");
      }
      uint64_t v = 0;
      switch (tag & 7) {
        case 0:
          if (!read_varint(p, end, &v)) return fail(field_start, "truncated varint");
          break;
        case 1:
          if (end - p < 8) return fail(field_start, "truncated 64-bit value");
          p += 8;
          break;
        case 5:
          if (end - p < 4) return fail(field_start, "truncated 32-bit value");
          p += 4;
          break;
        case 2: {
          const char* length_start = p;
          if (!read_varint(p, end, &v)) return fail(field_start, "truncated length");
          if (p - length_start > kMaxTagOrLengthBytes) return fail(field_start, "length longer than 5 bytes");
          if (v > static_cast<uint64_t>(end - p)) {
            return fail(field_start, "length " + std::to_string(v) + " runs past the end of the message (" +
                                         std::to_string(end - p) + " bytes left)");
          }
          const FieldDescriptor* f = d->FindFieldByNumber(static_cast<int>(number));
          if (f != nullptr && !scan_field(f, begin, field_start, p, p + v, depth)) return false;
          p += v;
          break;
        }
        case 3:
        case 4:
          return fail(field_start, "groups (wire types 3 and 4) are not used by this protocol");
        default:
          return fail(field_start, "invalid wire type " + std::to_string(tag & 7));
      }
    }
    return true;
  }

  Status status() const {
    if (exhausted_) return Status::ResourceExhausted(what_);
    std::string m = "invalid protobuf at byte " + std::to_string(offset_);
    if (!path_.empty()) m += " (" + path_ + ")";
    return Status::InvalidArgument(m + ": " + what_);
  }

 private:
  /// A known length-delimited field: recurse into messages, check strings.
  /// [msg_begin, field_start) is the enclosing message before it.
  bool scan_field(const FieldDescriptor* f, const char* msg_begin, const char* field_start, const char* begin,
                  const char* end, int depth) {
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      if (!is_valid_utf8(std::string_view(begin, static_cast<size_t>(end - begin)))) {
        fail(field_start, "string is not valid UTF-8");
        path_ = field_name(f, msg_begin, field_start);
        return false;
      }
      return true;
    }
    if (f->type() != FieldDescriptor::TYPE_MESSAGE) return true;
    if (depth + 1 > kMaxWireDepth) {
      return fail(field_start, "messages nested deeper than " + std::to_string(kMaxWireDepth));
    }
    if (++counts_->messages > limits_.max_messages) {
      exhausted_ = true;
      what_ = "more than " + std::to_string(limits_.max_messages) + " nested messages";
      return false;
    }
    if (f->message_type() == counted_ && ++counts_->counted > limits_.max_counted) {
      exhausted_ = true;
      what_ = "more than " + std::to_string(limits_.max_counted) + " " + f->message_type()->full_name() + " messages";
      return false;
    }
    if (!scan(f->message_type(), begin, end, depth + 1)) {
      if (!exhausted_) {
        std::string name = field_name(f, msg_begin, field_start);
        path_ = path_.empty() ? name : name + "." + path_;
      }
      return false;
    }
    return true;
  }

  /// "name" or, for a repeated field, "name[i]" where i counts the earlier
  /// occurrences of the field in [msg_begin, field_start). Error path only.
  static std::string field_name(const FieldDescriptor* f, const char* msg_begin, const char* field_start) {
    if (!f->is_repeated()) return f->name();
    uint64_t index = 0;
    const char* p = msg_begin;
    while (p < field_start) {
      uint64_t tag = 0, v = 0;
      if (!read_varint(p, field_start, &tag)) break;
      switch (tag & 7) {
        case 0:
          read_varint(p, field_start, &v);
          break;
        case 1:
          p += 8;
          break;
        case 5:
          p += 4;
          break;
        case 2:
          read_varint(p, field_start, &v);
          p += v;  // validated by the walk that got here
          break;
        default:
          p = field_start;
      }
      if (static_cast<int>(tag >> 3) == f->number()) ++index;
    }
    return f->name() + "[" + std::to_string(index) + "]";
  }

  bool fail(const char* at, std::string what) {
    offset_ = static_cast<size_t>(at - base_);
    what_ = std::move(what);
    return false;
  }

  const char* base_;
  const Descriptor* counted_;
  WireScanLimits limits_;
  WireScanCounts* counts_;
  bool exhausted_ = false;
  size_t offset_ = 0;
  std::string path_;
  std::string what_;
};

}  // namespace

Status scan_protobuf_wire(std::string_view bytes, const Descriptor* root, const Descriptor* counted,
                          const WireScanLimits& limits, WireScanCounts* counts) {
  Scanner s(bytes.data(), counted, limits, counts);
  if (!s.scan(root, bytes.data(), bytes.data() + bytes.size(), 0)) return s.status();
  return Status::Ok();
}

}  // namespace sluice
