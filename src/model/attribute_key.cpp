#include "model/attribute_key.hpp"

#include <atomic>
#include <mutex>
#include <ostream>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

namespace sluice {
namespace {

struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
};
struct TextEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};

/// The process-wide table. Elements of an unordered_set keep their address
/// through rehashing, so the pointers handed out stay valid. Never destroyed
/// (keys may be used by static objects' destructors).
class InternTable {
 public:
  static InternTable& get() {
    static auto* table = new InternTable();
    return *table;
  }

  /// The interned string with this text, or nullptr when the table is full
  /// (then no exclusive lock is taken: owned keys do not queue behind it).
  const std::string* intern(std::string_view text) {
    {
      std::shared_lock lock(mu_);
      auto it = keys_.find(text);
      if (it != keys_.end()) return &*it;
    }
    if (full_.load(std::memory_order_acquire)) return nullptr;
    std::unique_lock lock(mu_);
    auto it = keys_.find(text);
    if (it != keys_.end()) return &*it;
    if (full_.load(std::memory_order_relaxed)) return nullptr;
    bytes_ += text.size();
    const std::string* s = &*keys_.emplace(text).first;
    // Full once another key of the largest interned size might not fit.
    if (keys_.size() >= AttributeKey::kMaxKeys || bytes_ + AttributeKey::kMaxKeyBytes > AttributeKey::kMaxBytes) {
      full_.store(true, std::memory_order_release);
    }
    return s;
  }

  size_t size() {
    std::shared_lock lock(mu_);
    return keys_.size();
  }

 private:
  std::shared_mutex mu_;
  std::unordered_set<std::string, TextHash, TextEqual> keys_;
  size_t bytes_ = 0;
  std::atomic<bool> full_{false};
};

/// Per-thread front of the table: text -> interned string, emptied when it
/// passes kMaxCachedKeys (a server runs a thread per connection; each must
/// stay small). After the thread's cache is destroyed (a static destructor
/// on the exiting main thread), the table is asked directly.
constexpr size_t kMaxCachedKeys = 4096;
thread_local bool cache_destroyed = false;  // trivially destructible: readable at any time

struct ThreadCache {
  std::unordered_map<std::string_view, const std::string*, TextHash, TextEqual> map;
  ~ThreadCache() { cache_destroyed = true; }
};

const std::string* intern_cached(std::string_view text) {
  if (cache_destroyed) return InternTable::get().intern(text);
  thread_local ThreadCache cache;
  auto it = cache.map.find(text);
  if (it != cache.map.end()) return it->second;
  const std::string* s = InternTable::get().intern(text);
  if (s != nullptr) {
    if (cache.map.size() >= kMaxCachedKeys) cache.map.clear();
    cache.map.emplace(std::string_view(*s), s);
  }
  return s;
}

}  // namespace

AttributeKey::AttributeKey(std::string_view text) {
  if (text.empty()) {
    rep_ = empty_rep();
    return;
  }
  if (text.size() > kMaxKeyBytes) {
    rep_ = clone(text);
  } else if (const std::string* s = intern_cached(text)) {
    rep_ = reinterpret_cast<uintptr_t>(s);
  } else {
    rep_ = clone(text);
  }
}

uintptr_t AttributeKey::clone(std::string_view text) {
  return reinterpret_cast<uintptr_t>(new std::string(text)) | kOwned;
}

size_t AttributeKey::interned_count() { return InternTable::get().size(); }

std::ostream& operator<<(std::ostream& os, const AttributeKey& key) { return os << key.view(); }

}  // namespace sluice
