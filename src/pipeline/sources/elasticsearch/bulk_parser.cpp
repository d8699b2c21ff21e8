#include "pipeline/sources/elasticsearch/bulk_parser.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

#include "model/json_records.hpp"
#include "model/json_type_name.hpp"
#include "model/timestamp.hpp"

namespace sluice {
namespace {

namespace od = simdjson::ondemand;

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

size_t estimated_record_bytes(const LogRecord& r) {
  size_t n = sizeof(LogRecord) + r.body.size();
  for (const auto& kv : r.attributes) n += sizeof(kv) + kv.first.size() + kv.second.size();
  return n;
}

/// Epoch milliseconds ("1700000000123", "1700000000123.5") or RFC 3339.
Result<int64_t> parse_document_time(std::string_view text) {
  bool numeric = !text.empty() && std::all_of(text.begin(), text.end(),
                                              [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == '-'; });
  return parse_timestamp(text, numeric ? "unix_ms" : "rfc3339");
}

Status malformed(size_t line, const std::string& what) {
  return Status::InvalidArgument("Malformed action/metadata line [" + std::to_string(line) + "]: " + what);
}

}  // namespace

const char* bulk_action_name(BulkAction a) {
  switch (a) {
    case BulkAction::kIndex:
      return "index";
    case BulkAction::kCreate:
      return "create";
    case BulkAction::kUpdate:
      return "update";
    case BulkAction::kDelete:
      return "delete";
  }
  return "index";
}

struct BulkParser::Impl {
  od::parser parser;
  std::unique_ptr<char[]> buf;
  size_t cap = 0;
  JsonObjectParser documents;

  /// Parses one action line into item->action/index/id.
  Status parse_action(std::string_view text, size_t line, BulkItem* item) {
    if (cap < text.size() + simdjson::SIMDJSON_PADDING) {
      cap = std::max(text.size() + simdjson::SIMDJSON_PADDING, 2 * cap);
      buf = std::make_unique<char[]>(cap);
    }
    std::memcpy(buf.get(), text.data(), text.size());
    std::memset(buf.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    auto json_error = [&](simdjson::error_code e) {
      return malformed(line, std::string("invalid JSON: ") + simdjson::error_message(e));
    };
    od::document doc;
    if (auto e = parser.iterate(buf.get(), text.size(), cap).get(doc)) return json_error(e);
    od::json_type t;
    if (auto e = doc.type().get(t)) return json_error(e);
    if (t != od::json_type::object) {
      return malformed(line, "expected a JSON object, found " + std::string(json_type_name(t)));
    }
    od::object obj;
    if (auto e = doc.get_object().get(obj)) return json_error(e);
    size_t fields = 0;
    for (auto member : obj) {
      od::field f;
      if (auto e = std::move(member).get(f)) return json_error(e);
      if (++fields > 1) return malformed(line, "expected one action per line, found a second field");
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return json_error(e);
      if (key == "index") {
        item->action = BulkAction::kIndex;
      } else if (key == "create") {
        item->action = BulkAction::kCreate;
      } else if (key == "update") {
        item->action = BulkAction::kUpdate;
      } else if (key == "delete") {
        item->action = BulkAction::kDelete;
      } else {
        return malformed(line, "expected field [create], [delete], [index] or [update] but found [" +
                                   std::string(key.substr(0, 64)) + "]");
      }
      SLUICE_RETURN_IF_ERROR(parse_metadata(f.value(), line, item, json_error));
    }
    if (fields == 0) return malformed(line, "expected an action, found an empty object");
    const char* loc = nullptr;
    if (doc.current_location().get(loc) == simdjson::SUCCESS && loc >= buf.get() && loc < buf.get() + text.size()) {
      return malformed(line, "expected end of line after the action object");
    }
    return Status::Ok();
  }

  template <class JsonError>
  Status parse_metadata(od::value v, size_t line, BulkItem* item, JsonError json_error) {
    od::json_type t;
    if (auto e = v.type().get(t)) return json_error(e);
    if (t != od::json_type::object) {
      return malformed(line, "expected the action's metadata as an object, found " + std::string(json_type_name(t)));
    }
    od::object meta;
    if (auto e = v.get_object().get(meta)) return json_error(e);
    for (auto member : meta) {
      od::field f;
      if (auto e = std::move(member).get(f)) return json_error(e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return json_error(e);
      if (key != "_index" && key != "_id") continue;  // routing, pipeline, ...: ignored
      od::value& val = f.value();
      if (auto e = val.type().get(t)) return json_error(e);
      std::string* out = key == "_index" ? &item->index : &item->id;
      if (t == od::json_type::string) {
        std::string_view s;
        if (auto e = val.get_string().get(s)) return json_error(e);
        out->assign(s);
      } else if (t == od::json_type::number && key == "_id") {
        out->assign(val.raw_json_token());
        while (!out->empty() && (out->back() == ' ' || out->back() == '\t')) out->pop_back();
      } else if (t != od::json_type::null) {
        return malformed(line, "[" + std::string(key) + "] expected a string, found " + std::string(json_type_name(t)));
      }
    }
    return Status::Ok();
  }

  /// Flattens the source line into item->record, or marks the item failed.
  void parse_document(std::string_view text, size_t line, const BulkParseOptions& o, BulkItem* item) {
    LogRecord& r = item->record;
    Status st = documents.flatten_object(text, r.attributes);
    if (!st.ok()) {
      item->status = 400;
      item->error_type = "document_parsing_exception";
      item->error_reason = "[" + std::to_string(line) + ":1] failed to parse: " + st.message();
      r.attributes.clear();
      return;
    }
    auto& kvs = r.attributes;
    auto find = [&](const std::string& key) {
      return std::find_if(kvs.begin(), kvs.end(), [&](const auto& kv) { return kv.first == key; });
    };
    if (auto it = find(o.message_field); it != kvs.end()) {
      r.body = std::move(it->second);
      kvs.erase(it);
    }
    if (auto it = find(o.timestamp_field); it != kvs.end()) {
      auto ts = parse_document_time(it->second);
      if (ts.ok()) {
        r.timestamp_ns = *ts;
        kvs.erase(it);
      }
    }
  }
};

BulkParser::BulkParser() : impl_(std::make_unique<Impl>()) {}
BulkParser::~BulkParser() = default;

Result<std::vector<BulkItem>> BulkParser::parse(std::string_view body, const BulkParseOptions& o) {
  std::vector<BulkItem> items;
  size_t pos = 0, line = 0, bytes = 0;
  // The next line (without '\n' and a trailing '\r'); false at the end.
  auto next_line = [&](std::string_view* out) {
    if (pos >= body.size()) return false;
    size_t nl = body.find('\n', pos);
    size_t end = nl == std::string_view::npos ? body.size() : nl;
    *out = body.substr(pos, end - pos);
    if (!out->empty() && out->back() == '\r') out->remove_suffix(1);
    pos = nl == std::string_view::npos ? body.size() : nl + 1;
    ++line;
    return true;
  };
  std::string_view text;
  while (next_line(&text)) {
    if (is_blank(text)) continue;
    BulkItem item;
    item.line = line;
    SLUICE_RETURN_IF_ERROR(impl_->parse_action(text, line, &item));
    if (item.index.empty()) item.index = o.path_index;
    if (item.action != BulkAction::kDelete) {
      if (!next_line(&text)) {
        return Status::InvalidArgument("line " + std::to_string(item.line + 1) + ": expected the document source " +
                                       "after the [" + bulk_action_name(item.action) + "] action on line " +
                                       std::to_string(item.line) + ", found the end of the body");
      }
      if (item.action != BulkAction::kUpdate) impl_->parse_document(text, line, o, &item);
    }
    if (item.action == BulkAction::kDelete || item.action == BulkAction::kUpdate) {
      item.status = 400;
      item.error_type = "illegal_argument_exception";
      item.error_reason = std::string("the [") + bulk_action_name(item.action) +
                          "] action is not supported: sluice streams are append-only";
    }
    bytes += sizeof(BulkItem) + item.index.size() + item.id.size() + estimated_record_bytes(item.record);
    if (bytes > o.max_record_bytes) {
      return Status::ResourceExhausted("the decoded documents exceed the limit of " +
                                       std::to_string(o.max_record_bytes) + " bytes");
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace sluice
