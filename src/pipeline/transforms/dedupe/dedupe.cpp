#include "pipeline/transforms/dedupe/dedupe.hpp"

#include <algorithm>

#include "pipeline/transforms/condition/drop_counter.hpp"

namespace sluice {

namespace {

void put_bytes(std::string& buf, std::string_view s) {
  uint64_t n = s.size();
  buf.append(reinterpret_cast<const char*>(&n), sizeof n);
  buf.append(s);
}

}  // namespace

const OptionTable<DedupeOptions>& dedupe_option_table() {
  static const OptionTable<DedupeOptions> table = [] {
    OptionTable<DedupeOptions> t;
    t.add_string_list("fields", &DedupeOptions::fields, {"body", "attributes"},
                      "Field paths that make two records the same; \"attributes\" or \"resource\" alone compare the "
                      "whole map.")
        .add_string_list("ignore_fields", &DedupeOptions::ignore_fields, {},
                         "attributes.<key> / resource.<key> paths left out when a whole map is compared (e.g. "
                         "\"attributes.log.file.name\").")
        .add_integer("cache_size", &DedupeOptions::cache_size, 5000, 1, 10'000'000,
                     "How many distinct recent records are remembered.");
    return t;
  }();
  return table;
}

Result<std::unique_ptr<Dedupe>> Dedupe::create(const std::string& component, const DedupeOptions& options) {
  if (options.fields.empty()) return Status::InvalidArgument("dedupe: fields must not be empty");
  if (options.cache_size < 1) return Status::InvalidArgument("dedupe: cache_size must be at least 1");
  auto d = std::make_unique<Dedupe>(static_cast<size_t>(options.cache_size), &filtered_records_counter(component));
  for (const auto& f : options.fields) {
    auto p = parse_field_path(f, /*allow_maps=*/true);
    if (!p.ok()) return p.status().with_context("dedupe: fields");
    d->fields_.push_back(std::move(p).value());
  }
  for (const auto& f : options.ignore_fields) {
    auto p = parse_field_path(f);
    if (!p.ok()) return p.status().with_context("dedupe: ignore_fields");
    if (p->kind != FieldPath::Kind::kAttribute && p->kind != FieldPath::Kind::kResource) {
      return Status::InvalidArgument("dedupe: ignore_fields: \"" + f +
                                     "\" is not an attributes.<key> or resource.<key> path");
    }
    d->ignore_.push_back(std::move(p).value());
  }
  return d;
}

XXH128_hash_t Dedupe::hash(const LogRecord& rec) {
  buf_.clear();
  for (const FieldPath& f : fields_) {
    if (!f.is_map()) {
      std::optional<std::string_view> v = f.get(rec, scratch_);
      buf_ += v ? '\1' : '\0';
      if (v) put_bytes(buf_, *v);
      continue;
    }
    const bool attrs = f.kind == FieldPath::Kind::kAllAttributes;
    const FieldPath::Kind key_kind = attrs ? FieldPath::Kind::kAttribute : FieldPath::Kind::kResource;
    entries_.clear();
    for (const auto& kv : attrs ? rec.attributes : rec.resource) {
      bool ignored = std::any_of(ignore_.begin(), ignore_.end(),
                                 [&](const FieldPath& i) { return i.kind == key_kind && i.key == kv.first; });
      if (!ignored) entries_.push_back(&kv);
    }
    std::sort(entries_.begin(), entries_.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
    buf_ += '\2';
    put_bytes(buf_, std::to_string(entries_.size()));
    for (const auto* kv : entries_) {
      put_bytes(buf_, kv->first);
      put_bytes(buf_, kv->second);
    }
  }
  return XXH3_128bits(buf_.data(), buf_.size());
}

bool Dedupe::seen(const LogRecord& rec) {
  XXH128_hash_t h = hash(rec);
  auto it = index_.find(h);
  if (it != index_.end()) {
    lru_.splice(lru_.end(), lru_, it->second);
    return true;
  }
  if (lru_.size() >= cache_size_) {
    index_.erase(lru_.front());
    lru_.pop_front();
  }
  lru_.push_back(h);
  index_.emplace(h, std::prev(lru_.end()));
  return false;
}

void Dedupe::process(LogBatch& batch) {
  size_t kept = 0;
  for (size_t i = 0; i < batch.records.size(); ++i) {
    if (seen(batch.records[i])) continue;
    if (kept != i) batch.records[kept] = std::move(batch.records[i]);
    ++kept;
  }
  dropped_->inc(batch.records.size() - kept);
  batch.records.resize(kept);
}

Result<std::unique_ptr<Transform>> make_dedupe(const std::string& component, const DedupeOptions& options) {
  auto t = Dedupe::create(component, options);
  if (!t.ok()) return t.status();
  return std::unique_ptr<Transform>(std::move(t).value());
}

}  // namespace sluice
