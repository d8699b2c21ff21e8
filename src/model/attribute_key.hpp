// AttributeKey: the key of an attribute, resource attribute or metric label,
// interned so that the same key text is stored once per process.
//
// A parsed access-log record carries a dozen keys such as
// `http.response.status_code`, longer than std::string's 15-byte inline
// buffer; as std::string each was allocated per record on the parsing thread
// and freed on the store's (the allocator was 22% of the ingest path's
// CPU). An AttributeKey is one pointer: copying it copies the pointer, and
// two interned keys are equal exactly when their pointers are.
//
// Interning is bounded, because keys come from untrusted input (OTLP,
// Elasticsearch documents, JSON lines): a key longer than kMaxKeyBytes, or
// any new key once the table holds kMaxKeys keys or nearly kMaxBytes bytes
// of key text, is stored in a string owned by the AttributeKey instead
// (copied on copy, freed with it), so a client sending random keys costs
// the allocations std::string did, never unbounded memory. Interned keys
// live until the process exits.
//
// Thread-safety: a value type; any thread may create, copy and compare
// AttributeKeys. The table is shared behind a lock, fronted by a cache per
// thread (at most 4,096 keys) so that the lock is rarely taken.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace sluice {

class AttributeKey {
 public:
  /// Bounds of the process-wide table (see the file comment).
  static constexpr size_t kMaxKeys = 65536;
  static constexpr size_t kMaxBytes = 4u << 20;
  static constexpr size_t kMaxKeyBytes = 256;  ///< longer keys are never interned

  /// The empty key.
  AttributeKey() noexcept : rep_(empty_rep()) {}
  /// The key with this text: interned, or owned when longer than
  /// kMaxKeyBytes or once the table is full.
  /// Implicit, so `kvs.emplace_back("k", v)` and `set_key_value(kvs, k, v)`
  /// read as they did with std::string keys. Any bytes (not checked).
  AttributeKey(std::string_view text);  // NOLINT(google-explicit-constructor)
  AttributeKey(const std::string& text) : AttributeKey(std::string_view(text)) {}  // NOLINT
  AttributeKey(const char* text) : AttributeKey(std::string_view(text)) {}         // NOLINT

  AttributeKey(const AttributeKey& other) : rep_(other.rep_) {
    if (rep_ & kOwned) rep_ = clone(other.str());
  }
  /// An interned key stays as it is when moved from (a pointer copy).
  AttributeKey(AttributeKey&& other) noexcept : rep_(other.rep_) {
    if (rep_ & kOwned) other.rep_ = empty_rep();
  }
  AttributeKey& operator=(const AttributeKey& other) {
    if (rep_ != other.rep_) *this = AttributeKey(other);
    return *this;
  }
  AttributeKey& operator=(AttributeKey&& other) noexcept {
    if (this != &other) {
      release();
      rep_ = other.rep_;
      if (rep_ & kOwned) other.rep_ = empty_rep();
    }
    return *this;
  }
  ~AttributeKey() { release(); }

  /// The text. Valid while this key is (interned text: forever).
  const std::string& str() const noexcept { return *reinterpret_cast<const std::string*>(rep_ & ~kOwned); }
  operator const std::string&() const noexcept { return str(); }  // NOLINT(google-explicit-constructor)
  operator std::string_view() const noexcept { return str(); }    // NOLINT(google-explicit-constructor)
  std::string_view view() const noexcept { return str(); }
  const char* data() const noexcept { return str().data(); }
  const char* c_str() const noexcept { return str().c_str(); }
  size_t size() const noexcept { return str().size(); }
  bool empty() const noexcept { return str().empty(); }
  auto begin() const noexcept { return str().begin(); }
  auto end() const noexcept { return str().end(); }
  char operator[](size_t i) const noexcept { return str()[i]; }
  bool starts_with(std::string_view prefix) const noexcept { return view().starts_with(prefix); }
  bool ends_with(std::string_view suffix) const noexcept { return view().ends_with(suffix); }
  std::string_view substr(size_t pos, size_t n = std::string_view::npos) const { return view().substr(pos, n); }
  size_t find(std::string_view s, size_t pos = 0) const noexcept { return view().find(s, pos); }
  size_t find(char c, size_t pos = 0) const noexcept { return view().find(c, pos); }
  size_t rfind(char c, size_t pos = std::string_view::npos) const noexcept { return view().rfind(c, pos); }
  int compare(std::string_view s) const noexcept { return view().compare(s); }
  /// True when the text is in the process-wide table (false once full).
  bool interned() const noexcept { return (rep_ & kOwned) == 0; }

  /// Interned keys compare by pointer; an owned key by its text.
  friend bool operator==(const AttributeKey& a, const AttributeKey& b) noexcept {
    if (a.rep_ == b.rep_) return true;
    if (a.interned() && b.interned()) return false;
    return a.str() == b.str();
  }
  friend bool operator==(const AttributeKey& a, std::string_view b) noexcept { return a.view() == b; }
  friend bool operator==(const AttributeKey& a, const std::string& b) noexcept { return a.view() == b; }
  friend bool operator==(const AttributeKey& a, const char* b) noexcept { return a.view() == b; }
  /// Byte-wise order of the texts, as std::string's.
  friend std::strong_ordering operator<=>(const AttributeKey& a, const AttributeKey& b) noexcept {
    return a.view() <=> b.view();
  }
  friend std::strong_ordering operator<=>(const AttributeKey& a, std::string_view b) noexcept { return a.view() <=> b; }
  friend std::strong_ordering operator<=>(const AttributeKey& a, const std::string& b) noexcept {
    return a.view() <=> std::string_view(b);
  }
  friend std::strong_ordering operator<=>(const AttributeKey& a, const char* b) noexcept {
    return a.view() <=> std::string_view(b);
  }
  friend std::string operator+(const AttributeKey& a, std::string_view b) { return std::string(a.view()) += b; }
  friend std::string operator+(std::string_view a, const AttributeKey& b) { return std::string(a) += b.view(); }
  friend std::string operator+(const AttributeKey& a, const char* b) { return std::string(a.view()) += b; }
  friend std::string operator+(const char* a, const AttributeKey& b) { return std::string(a) += b.view(); }
  friend std::string operator+(const AttributeKey& a, char b) { return std::string(a.view()) += b; }

  /// Keys interned so far and their bytes (for tests and metrics).
  static size_t interned_count();

 private:
  static constexpr uintptr_t kOwned = 1;  ///< low bit: rep_ points at a heap string this key owns
  static uintptr_t empty_rep() noexcept { return reinterpret_cast<uintptr_t>(&kEmptyText); }
  static inline const std::string kEmptyText{};   ///< the empty key's text (no lookup, no guard)
  static uintptr_t clone(std::string_view text);  ///< an owned copy
  void release() noexcept {
    if (rep_ & kOwned) delete reinterpret_cast<std::string*>(rep_ & ~kOwned);
  }

  uintptr_t rep_;
};

std::ostream& operator<<(std::ostream& os, const AttributeKey& key);

}  // namespace sluice

template <>
struct std::hash<sluice::AttributeKey> {
  size_t operator()(const sluice::AttributeKey& k) const noexcept { return std::hash<std::string_view>()(k.view()); }
};
