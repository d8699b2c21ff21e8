// Condition: a small, strict boolean expression over a LogRecord, parsed
// once at config load (filter's condition, sample's and throttle's exclude).
//
// Grammar (docs/transforms.md "Conditions"):
//   expr       := and_expr ("or" and_expr)*
//   and_expr   := unary ("and" unary)*
//   unary      := "not" unary | primary
//   primary    := "(" expr ")" | "exists" "(" path ")" | "true" | "false"
//               | operand cmp operand | operand ("=~" | "!~") string
//   cmp        := "==" | "!=" | "<" | "<=" | ">" | ">="
//   operand    := path | string | number
//   string     := "..." or '...'; \" \' \\ are escapes, any other backslash
//                 is kept as written (so "\d+" reaches RE2 as \d+)
//   number     := -?digits[.digits][(e|E)[+-]digits]
//   path       := field_path.hpp syntax; in a condition an unquoted
//                 attribute key ends at whitespace or ( ) = ! < > " ' ,
// Keywords are lower case. "and" binds tighter than "or".
//
// Semantics:
//   - Comparisons are numeric when both values read as numbers (the text
//     "503" and the literal 500 do), else byte-wise string comparisons.
//   - A missing attribute makes ==, <, <=, >, >= and =~ false; != and !~
//     are their negations, so true.
//   - =~ is an unanchored RE2 search (https://github.com/google/re2/wiki/Syntax);
//     the pattern must be a string literal, compiled once.
//   - exists(path): see FieldPath::exists.
//
// Thread-safety: immutable after parse(); matches() is const and may be
// called from several threads at once.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "model/log_record.hpp"
#include "pipeline/transforms/condition/field_path.hpp"

namespace sluice {

class Condition {
 public:
  /// Longest accepted expression text, and deepest nesting of parentheses
  /// and "not"; beyond either parse() fails (keeps the parser's recursion
  /// and memory bounded on hostile input).
  static constexpr size_t kMaxTextBytes = 64 * 1024;
  static constexpr int kMaxDepth = 64;

  /// Parses `text`. InvalidArgument "column N: expected ..., found ..."
  /// (N counts bytes from 1; the caller prefixes the option's name, as in
  /// "filter: condition: column 9: ...") for syntax errors, unknown fields, bad regular
  /// expressions and a `=~` whose right side is not a string literal.
  static Result<Condition> parse(std::string_view text);

  /// True when `rec` satisfies the expression.
  bool matches(const LogRecord& rec) const;
  /// The text it was parsed from.
  const std::string& text() const { return text_; }

  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kMatch, kNotMatch };

  /// One operand: a field or a literal (with its number pre-parsed).
  struct Operand {
    bool is_path = false;
    FieldPath path;
    std::string literal;
    bool literal_is_number = false;
    double number = 0;
  };

  /// A node of the expression tree, stored in nodes_ by index.
  struct Node {
    enum class Kind { kAnd, kOr, kNot, kCompare, kExists, kConst };
    Kind kind = Kind::kConst;
    int left = -1;   ///< kAnd/kOr/kNot
    int right = -1;  ///< kAnd/kOr
    Op op = Op::kEq;
    Operand lhs, rhs;
    std::shared_ptr<const RE2> re;  ///< kMatch / kNotMatch
    FieldPath path;                 ///< kExists
    bool value = false;             ///< kConst
  };

 private:
  friend class ConditionParser;
  bool eval(int node, const LogRecord& rec) const;
  bool compare(const Node& n, const LogRecord& rec) const;

  std::string text_;
  std::vector<Node> nodes_;
  int root_ = -1;
};

}  // namespace sluice
