// Helpers shared by the protobuf and JSON push decoders.
#include "pipeline/sources/loki/push_decoder.hpp"


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

void apply_loki_labels(const KeyValues& labels, LogRecord* r) {
  r->resource = labels;
  const std::string* s = find_key_value(labels, "service_name");
  if (s == nullptr) s = find_key_value(labels, "service.name");
  if (s != nullptr) r->service_name = *s;
}

}  // namespace sluice
