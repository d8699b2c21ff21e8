// Status and Result<T>: the one error model for expected failures.
//
// Expected failures (I/O, corruption, bad input, network) are returned as
// values, never thrown. A Status carries one code from a small fixed set and a
// message that says what was expected, what was found and where. Programmer
// errors use SLUICE_ASSERT (assert.hpp) instead.
//
// Thread-safety: values; safe to copy and move between threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sluice {

/// The fixed set of failure classes, modelled on LevelDB's Status.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    ///< bad input: config, request body, SQL
  kNotFound,           ///< a named thing does not exist
  kCorruption,         ///< stored bytes fail a checksum or do not decode
  kIOError,            ///< the OS refused a file or socket operation
  kResourceExhausted,  ///< a size, row, memory or queue limit was reached
  kDeadlineExceeded,   ///< a time-out expired
  kCancelled,          ///< the operation was stopped on purpose (shutdown)
  kUnavailable,        ///< a peer is down; retrying later may succeed
  kInternal,           ///< a library failed in an unexpected way
};

/// Returns the stable lower-case name of a code ("invalid_argument", ...).
std::string_view status_code_name(StatusCode code);

/// Outcome of an operation that returns no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  /// Builds an IOError from errno: "<context>: <strerror(err)>".
  static Status FromErrno(std::string_view context, int err);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  /// "ok" or "<code name>: <message>".
  std::string to_string() const;

  /// Returns a copy whose message is "<prefix>: <message>".
  Status with_context(std::string_view prefix) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

/// Either a value of type T or a non-ok Status.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  /// The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<1>(v_); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace sluice

#define SLUICE_CONCAT_INNER(a, b) a##b
#define SLUICE_CONCAT(a, b) SLUICE_CONCAT_INNER(a, b)

/// Returns the Status from the enclosing function when `expr` is not ok.
#define SLUICE_RETURN_IF_ERROR(expr) \
  do {                               \
    ::sluice::Status _st = (expr);   \
    if (!_st.ok()) return _st;       \
  } while (0)

/// `SLUICE_ASSIGN_OR_RETURN(auto x, f())`: binds the value or returns the error.
/// `lhs` is a declaration or an lvalue, so it cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define SLUICE_ASSIGN_OR_RETURN(lhs, expr) SLUICE_ASSIGN_OR_RETURN_IMPL(SLUICE_CONCAT(_res_, __LINE__), lhs, expr)
#define SLUICE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
