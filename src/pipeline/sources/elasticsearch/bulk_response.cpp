#include "pipeline/sources/elasticsearch/bulk_response.hpp"

#include <random>

#include "common/json_text.hpp"

namespace sluice {
namespace {

void append_field(std::string& out, std::string_view key, std::string_view value) {
  append_json_string(out, key);
  out += ':';
  append_json_string(out, value);
}

}  // namespace

std::string encode_bulk_response(const std::vector<BulkItem>& items, int64_t took_ms, uint64_t first_seq_no) {
  bool errors = false;
  for (const auto& it : items) errors = errors || it.status != 0;
  std::string out =
      "{\"took\":" + std::to_string(took_ms) + ",\"errors\":" + (errors ? "true" : "false") + ",\"items\":[";
  uint64_t seq_no = first_seq_no;
  for (size_t i = 0; i < items.size(); ++i) {
    const BulkItem& it = items[i];
    if (i > 0) out += ',';
    out += "{\"";
    out += bulk_action_name(it.action);
    out += "\":{";
    append_field(out, "_index", it.index);
    out += ',';
    append_field(out, "_id", it.id);
    if (it.status == 0) {
      out += ",\"_version\":1,\"result\":\"created\",\"_shards\":{\"total\":1,\"successful\":1,\"failed\":0}";
      out += ",\"_seq_no\":" + std::to_string(seq_no++) + ",\"_primary_term\":1,\"status\":201}}";
    } else {
      out += ",\"status\":" + std::to_string(it.status) + ",\"error\":{";
      append_field(out, "type", it.error_type);
      out += ',';
      append_field(out, "reason", it.error_reason);
      out += ',';
      append_field(out, "index", it.index);
      out += "}}}";
    }
  }
  out += "]}";
  return out;
}

std::string es_error_body(int status, std::string_view type, std::string_view reason) {
  std::string cause = "{";
  append_field(cause, "type", type);
  cause += ',';
  append_field(cause, "reason", reason);
  std::string out =
      "{\"error\":{\"root_cause\":[" + cause + "}]," + cause.substr(1) + "},\"status\":" + std::to_string(status) + "}";
  return out;
}

std::string generate_document_id() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id(20, 'A');
  uint64_t bits = 0;
  int left = 0;
  for (char& c : id) {
    if (left < 6) {
      bits = rng();
      left = 64;
    }
    c = kAlphabet[bits & 63];
    bits >>= 6;
    left -= 6;
  }
  return id;
}

}  // namespace sluice
