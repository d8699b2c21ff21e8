#include "store/attribute_columns.hpp"

#include <algorithm>

#include "model/utf8.hpp"
#include "store/duckdb_handle.hpp"
#include "store/log_table.hpp"

namespace sluice {

namespace {

std::vector<std::string_view> split_path(std::string_view key) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

bool same_identifier(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

// A tree of promoted keys by their dotted parts; leaves are keys.
struct Node {
  std::string name;  // the dotted part this node stands for
  std::string key;   // set on leaves
  std::vector<Node> children;
};

void insert(Node& root, const std::string& key) {
  Node* n = &root;
  for (std::string_view part : split_path(key)) {
    auto it = std::find_if(n->children.begin(), n->children.end(),
                           [&](const Node& c) { return same_identifier(c.name, part); });
    if (it == n->children.end()) {
      n->children.push_back(Node{std::string(part), "", {}});
      it = std::prev(n->children.end());
    }
    n = &*it;
  }
  n->key = key;
}

std::string node_sql(const Node& n) {
  if (n.children.empty()) return quote_identifier(attribute_column_name(n.key));
  std::string out = "struct_pack(";
  for (size_t i = 0; i < n.children.size(); ++i) {
    if (i) out += ", ";
    out += quote_identifier(n.children[i].name) + " := " + node_sql(n.children[i]);
  }
  return out + ")";
}

}  // namespace

void AttributeKeySampler::sample(const std::vector<LogRecord>& records) {
  if (records.empty()) return;
  size_t n = records.size();
  size_t picks = std::min(n, kPerBatch);
  for (size_t i = 0; i < picks; ++i) {
    // 0, ..., n-1 evenly: the first and the last record are always sampled.
    size_t at = picks == 1 ? 0 : i * (n - 1) / (picks - 1);
    ++samples_;
    for (const auto& [k, v] : records[at].attributes) {
      auto it = counts_.find(k);
      if (it != counts_.end()) {
        ++it->second;
      } else if (counts_.size() < kMaxKeys) {
        counts_.emplace(k, 1);
      }
    }
  }
}

std::string attribute_column_name(std::string_view key) { return "attributes." + std::string(key); }

bool attribute_column_admissible(const std::vector<std::string>& promoted, std::string_view key) {
  if (key.empty() || key.size() > 256 || !is_valid_utf8(key)) return false;
  for (char c : key) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  std::vector<std::string_view> parts = split_path(key);
  for (std::string_view p : parts) {
    if (p.empty()) return false;
  }
  for (const auto& col : log_column_names()) {
    if (same_identifier(col, parts[0])) return false;
  }
  for (const auto& other : promoted) {
    std::vector<std::string_view> o = split_path(other);
    size_t common = std::min(o.size(), parts.size());
    bool prefix = true;
    for (size_t i = 0; i < common && prefix; ++i) prefix = same_identifier(o[i], parts[i]);
    if (prefix) return false;  // equal, or one is a prefix path of the other
  }
  return true;
}

std::vector<std::string> extend_attribute_columns(const std::vector<std::string>& promoted,
                                                  const AttributeKeySampler& sampler, size_t max_columns) {
  std::vector<std::string> out = promoted;
  if (sampler.samples() == 0 || out.size() >= max_columns) return out;
  std::vector<std::pair<uint64_t, std::string>> frequent;
  for (const auto& [k, n] : sampler.counts()) {
    if (2 * n >= sampler.samples()) frequent.emplace_back(n, k);
  }
  std::sort(frequent.begin(), frequent.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (const auto& [n, k] : frequent) {
    if (out.size() >= max_columns) break;
    if (attribute_column_admissible(out, k)) out.push_back(k);
  }
  return out;
}

std::string attribute_struct_columns_sql(const std::vector<std::string>& promoted) {
  Node root;
  for (const auto& k : promoted) insert(root, k);
  std::string out;
  for (const Node& child : root.children) {
    if (!out.empty()) out += ", ";
    out += node_sql(child) + " AS " + quote_identifier(child.name);
  }
  return out;
}

}  // namespace sluice
