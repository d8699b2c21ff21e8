#include "pipeline/checkpoints.hpp"

#include <simdjson.h>

#include "common/json_text.hpp"

namespace sluice {

Result<std::unique_ptr<Checkpoints>> Checkpoints::open(Env* env, std::string path) {
  std::unique_ptr<Checkpoints> c(new Checkpoints(env, path));  // NOLINT: private constructor
  if (!env->exists(path)) return c;
  SLUICE_ASSIGN_OR_RETURN(std::string text, env->read_file(path, 64ULL << 20));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("checkpoint file " + path + ": " + what +
                                   " (remove it to re-read every input from its start_at)");
  };
  if (auto err = parser.parse(text).get(doc); err) return bad(std::string("not JSON: ") + simdjson::error_message(err));
  int64_t version = 0;
  if (doc["version"].get(version) || version != 1) return bad("expected \"version\": 1");
  simdjson::dom::array list;
  if (doc["positions"].get(list)) return bad("expected a \"positions\" array");
  size_t i = 0;
  for (simdjson::dom::element e : list) {
    std::string_view source, key, p;
    uint64_t offset = 0;
    if (e["source"].get(source) || e["key"].get(key) || e["offset"].get(offset)) {
      return bad("positions[" + std::to_string(i) + "] needs string source, string key and integer offset");
    }
    if (e["path"].get(p)) p = "";
    c->by_key_[{std::string(source), std::string(key)}] =
        SourcePosition{std::string(source), std::string(key), offset, std::string(p)};
    ++i;
  }
  return c;
}

std::unordered_map<std::string, uint64_t> Checkpoints::positions(const std::string& source) const {
  std::unordered_map<std::string, uint64_t> out;
  for (const auto& [k, pos] : by_key_) {
    if (k.first == source) out[k.second] = pos.offset;
  }
  return out;
}

Status Checkpoints::commit(const std::vector<SourcePosition>& moved) {
  bool changed = false;
  for (const auto& p : moved) {
    auto& slot = by_key_[{p.source, p.key}];
    if (slot == p) continue;
    slot = p;
    changed = true;
  }
  return changed ? write() : Status::Ok();
}

Status Checkpoints::erase(const std::string& source) {
  bool changed = false;
  for (auto it = by_key_.begin(); it != by_key_.end();) {
    if (it->first.first == source) {
      it = by_key_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  return changed ? write() : Status::Ok();
}

Status Checkpoints::write() {
  std::string out = "{\"version\":1,\"positions\":[";
  bool first = true;
  for (const auto& [k, p] : by_key_) {
    out += first ? "\n" : ",\n";
    first = false;
    out += "{\"source\":";
    append_json_string(out, p.source);
    out += ",\"key\":";
    append_json_string(out, p.key);
    out += ",\"offset\":" + std::to_string(p.offset) + ",\"path\":";
    append_json_string(out, p.path);
    out += '}';
  }
  out += "\n]}\n";
  auto slash = path_.rfind('/');
  if (slash != std::string::npos && slash > 0) SLUICE_RETURN_IF_ERROR(env_->create_dirs(path_.substr(0, slash)));
  return env_->write_file_atomic(path_, out);
}

}  // namespace sluice
