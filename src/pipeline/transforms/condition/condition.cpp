#include "pipeline/transforms/condition/condition.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

namespace sluice {

namespace {

/// Reads `text` as a finite decimal number ("503", "-1.5", "2e3").
bool as_number(std::string_view text, double* out) {
  if (text.empty()) return false;
  char c = text[0];
  if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(*out);
}

struct Token {
  enum class Kind { kEnd, kLParen, kRParen, kComma, kOp, kString, kNumber, kWord, kPath };
  Kind kind = Kind::kEnd;
  size_t pos = 0;    ///< byte offset in the text
  std::string text;  ///< as written (kWord: the word; kString: unescaped)
  Condition::Op op = Condition::Op::kEq;
  FieldPath path;
};

std::string describe(const Token& t) {
  switch (t.kind) {
    case Token::Kind::kEnd:
      return "the end of the condition";
    case Token::Kind::kString:
      return "the string \"" + t.text + "\"";
    default:
      return "'" + t.text + "'";
  }
}

}  // namespace

/// Recursive-descent parser over a token stream (one token of lookahead).
/// Owner: Condition::parse, for one call.
class ConditionParser {
 public:
  ConditionParser(std::string_view text, Condition* out) : text_(text), out_(out) {}

  Status run() {
    SLUICE_RETURN_IF_ERROR(next());
    SLUICE_ASSIGN_OR_RETURN(out_->root_, parse_or(0));
    if (tok_.kind != Token::Kind::kEnd) return error(tok_, "expected 'and', 'or' or the end, found " + describe(tok_));
    return Status::Ok();
  }

 private:
  Status error(const Token& at, const std::string& what) const { return error_at(at.pos, what); }
  Status error_at(size_t pos, const std::string& what) const {
    return Status::InvalidArgument("column " + std::to_string(pos + 1) + ": " + what);
  }

  // Lexer: reads the next token into tok_.
  Status next() {
    while (p_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[p_]))) ++p_;
    tok_ = Token{};
    tok_.pos = p_;
    if (p_ >= text_.size()) return Status::Ok();
    char c = text_[p_];
    auto two = [&](char a, char b) { return c == a && p_ + 1 < text_.size() && text_[p_ + 1] == b; };
    auto op = [&](Condition::Op o, size_t len) {
      tok_.kind = Token::Kind::kOp;
      tok_.op = o;
      tok_.text = std::string(text_.substr(p_, len));
      p_ += len;
      return Status::Ok();
    };
    if (c == '(' || c == ')' || c == ',') {
      tok_.kind = c == '(' ? Token::Kind::kLParen : c == ')' ? Token::Kind::kRParen : Token::Kind::kComma;
      tok_.text = std::string(1, c);
      ++p_;
      return Status::Ok();
    }
    if (two('=', '=')) return op(Condition::Op::kEq, 2);
    if (two('!', '=')) return op(Condition::Op::kNe, 2);
    if (two('=', '~')) return op(Condition::Op::kMatch, 2);
    if (two('!', '~')) return op(Condition::Op::kNotMatch, 2);
    if (two('<', '=')) return op(Condition::Op::kLe, 2);
    if (two('>', '=')) return op(Condition::Op::kGe, 2);
    if (c == '<') return op(Condition::Op::kLt, 1);
    if (c == '>') return op(Condition::Op::kGt, 1);
    if (c == '"' || c == '\'') return lex_string(c);
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.') return lex_number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return lex_word();
    if (c == '=') return error_at(p_, "found '=', expected '==' (comparison) or '=~' (regex match)");
    if (c == '!') return error_at(p_, "found '!', expected '!=' or '!~' (use 'not' to negate)");
    return error_at(p_, std::string("unexpected character '") + c + "'");
  }

  Status lex_string(char quote) {
    size_t start = p_++;
    std::string out;
    while (p_ < text_.size()) {
      char c = text_[p_];
      if (c == '\\' && p_ + 1 < text_.size() &&
          (text_[p_ + 1] == '"' || text_[p_ + 1] == '\'' || text_[p_ + 1] == '\\')) {
        out += text_[p_ + 1];
        p_ += 2;
        continue;
      }
      if (c == quote) {
        ++p_;
        tok_.kind = Token::Kind::kString;
        tok_.text = std::move(out);
        return Status::Ok();
      }
      out += c;
      ++p_;
    }
    return error_at(start, std::string("unterminated string (expected a closing ") + quote + ")");
  }

  Status lex_number() {
    size_t start = p_;
    size_t q = p_;
    auto digits = [&] {
      size_t d = q;
      while (q < text_.size() && std::isdigit(static_cast<unsigned char>(text_[q]))) ++q;
      return q - d;
    };
    if (q < text_.size() && text_[q] == '-') ++q;
    size_t whole = digits();
    size_t frac = 0;
    if (q < text_.size() && text_[q] == '.') {
      ++q;
      frac = digits();
    }
    if (whole + frac > 0 && q < text_.size() && (text_[q] == 'e' || text_[q] == 'E')) {
      size_t save = q++;
      if (q < text_.size() && (text_[q] == '+' || text_[q] == '-')) ++q;
      if (digits() == 0) q = save;
    }
    std::string_view s = text_.substr(start, q - start);
    double v = 0;
    if (whole + frac == 0 || !as_number(s, &v) ||
        (q < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[q])) || text_[q] == '_'))) {
      size_t end = q;
      while (end < text_.size() && !std::isspace(static_cast<unsigned char>(text_[end])) && text_[end] != ')') ++end;
      return error_at(start, "expected a number, found '" + std::string(text_.substr(start, end - start)) + "'");
    }
    tok_.kind = Token::Kind::kNumber;
    tok_.text = std::string(s);
    p_ = q;
    return Status::Ok();
  }

  Status lex_word() {
    size_t start = p_;
    size_t q = p_;
    while (q < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[q])) || text_[q] == '_')) ++q;
    std::string_view w = text_.substr(start, q - start);
    if (w == "and" || w == "or" || w == "not" || w == "exists" || w == "true" || w == "false") {
      tok_.kind = Token::Kind::kWord;
      tok_.text = std::string(w);
      p_ = q;
      return Status::Ok();
    }
    size_t used = 0;
    auto path = parse_field_path_prefix(text_.substr(start), &used);
    if (!path.ok()) return error_at(start, path.status().message());
    tok_.kind = Token::Kind::kPath;
    tok_.text = std::string(text_.substr(start, used));
    tok_.path = std::move(path).value();
    p_ = start + used;
    return Status::Ok();
  }

  bool is_word(std::string_view w) const { return tok_.kind == Token::Kind::kWord && tok_.text == w; }

  int add(Condition::Node n) {
    out_->nodes_.push_back(std::move(n));
    return static_cast<int>(out_->nodes_.size() - 1);
  }

  Result<int> parse_or(int depth) {
    SLUICE_ASSIGN_OR_RETURN(int left, parse_and(depth));
    while (is_word("or")) {
      SLUICE_RETURN_IF_ERROR(next());
      SLUICE_ASSIGN_OR_RETURN(int right, parse_and(depth));
      Condition::Node n;
      n.kind = Condition::Node::Kind::kOr;
      n.left = left;
      n.right = right;
      left = add(std::move(n));
    }
    return left;
  }

  Result<int> parse_and(int depth) {
    SLUICE_ASSIGN_OR_RETURN(int left, parse_unary(depth));
    while (is_word("and")) {
      SLUICE_RETURN_IF_ERROR(next());
      SLUICE_ASSIGN_OR_RETURN(int right, parse_unary(depth));
      Condition::Node n;
      n.kind = Condition::Node::Kind::kAnd;
      n.left = left;
      n.right = right;
      left = add(std::move(n));
    }
    return left;
  }

  Result<int> parse_unary(int depth) {
    if (depth >= Condition::kMaxDepth) {
      return error(tok_, "nested deeper than " + std::to_string(Condition::kMaxDepth) + " levels");
    }
    if (is_word("not")) {
      SLUICE_RETURN_IF_ERROR(next());
      SLUICE_ASSIGN_OR_RETURN(int inner, parse_unary(depth + 1));
      Condition::Node n;
      n.kind = Condition::Node::Kind::kNot;
      n.left = inner;
      return add(std::move(n));
    }
    return parse_primary(depth);
  }

  Result<int> parse_primary(int depth) {
    if (tok_.kind == Token::Kind::kLParen) {
      SLUICE_RETURN_IF_ERROR(next());
      SLUICE_ASSIGN_OR_RETURN(int inner, parse_or(depth + 1));
      if (tok_.kind != Token::Kind::kRParen) return error(tok_, "expected ')', found " + describe(tok_));
      SLUICE_RETURN_IF_ERROR(next());
      return inner;
    }
    if (is_word("true") || is_word("false")) {
      Condition::Node n;
      n.kind = Condition::Node::Kind::kConst;
      n.value = tok_.text == "true";
      SLUICE_RETURN_IF_ERROR(next());
      return add(std::move(n));
    }
    if (is_word("exists")) {
      SLUICE_RETURN_IF_ERROR(next());
      if (tok_.kind != Token::Kind::kLParen) return error(tok_, "expected '(' after 'exists', found " + describe(tok_));
      SLUICE_RETURN_IF_ERROR(next());
      if (tok_.kind != Token::Kind::kPath) {
        return error(tok_, "expected a field path inside exists(...), found " + describe(tok_));
      }
      Condition::Node n;
      n.kind = Condition::Node::Kind::kExists;
      n.path = tok_.path;
      SLUICE_RETURN_IF_ERROR(next());
      if (tok_.kind != Token::Kind::kRParen) return error(tok_, "expected ')' after the path, found " + describe(tok_));
      SLUICE_RETURN_IF_ERROR(next());
      return add(std::move(n));
    }
    Condition::Node n;
    n.kind = Condition::Node::Kind::kCompare;
    SLUICE_ASSIGN_OR_RETURN(n.lhs, operand("a condition (a comparison, exists(...), 'not' or '(')"));
    if (tok_.kind != Token::Kind::kOp) {
      return error(tok_, "expected a comparison operator (==, !=, <, <=, >, >=, =~, !~), found " + describe(tok_));
    }
    n.op = tok_.op;
    const std::string op_text = tok_.text;
    SLUICE_RETURN_IF_ERROR(next());
    if (n.op == Condition::Op::kMatch || n.op == Condition::Op::kNotMatch) {
      if (tok_.kind != Token::Kind::kString) {
        return error(tok_, "expected a string literal (the regular expression) after '" + op_text + "', found " +
                               describe(tok_));
      }
      RE2::Options o;
      o.set_log_errors(false);
      auto re = std::make_shared<RE2>(tok_.text, o);
      if (!re->ok()) return error(tok_, "invalid regular expression \"" + tok_.text + "\": " + re->error());
      n.re = std::move(re);
      n.rhs.literal = tok_.text;
      SLUICE_RETURN_IF_ERROR(next());
      return add(std::move(n));
    }
    SLUICE_ASSIGN_OR_RETURN(n.rhs, operand("a value (a field path, a \"string\" or a number) after '" + op_text + "'"));
    return add(std::move(n));
  }

  Result<Condition::Operand> operand(const std::string& expected) {
    Condition::Operand o;
    if (tok_.kind == Token::Kind::kPath) {
      o.is_path = true;
      o.path = tok_.path;
    } else if (tok_.kind == Token::Kind::kString || tok_.kind == Token::Kind::kNumber) {
      o.literal = tok_.text;
      o.literal_is_number = as_number(o.literal, &o.number);
    } else {
      return error(tok_, "expected " + expected + ", found " + describe(tok_));
    }
    SLUICE_RETURN_IF_ERROR(next());
    return o;
  }

  std::string_view text_;
  Condition* out_;
  size_t p_ = 0;
  Token tok_;
};

Result<Condition> Condition::parse(std::string_view text) {
  if (text.size() > kMaxTextBytes) {
    return Status::InvalidArgument("longer than " + std::to_string(kMaxTextBytes) + " bytes");
  }
  Condition c;
  c.text_ = std::string(text);
  ConditionParser p(c.text_, &c);
  SLUICE_RETURN_IF_ERROR(p.run());
  return c;
}

bool Condition::matches(const LogRecord& rec) const { return eval(root_, rec); }

bool Condition::eval(int i, const LogRecord& rec) const {
  const Node& n = nodes_[static_cast<size_t>(i)];
  switch (n.kind) {
    case Node::Kind::kAnd:
      return eval(n.left, rec) && eval(n.right, rec);
    case Node::Kind::kOr:
      return eval(n.left, rec) || eval(n.right, rec);
    case Node::Kind::kNot:
      return !eval(n.left, rec);
    case Node::Kind::kExists:
      return n.path.exists(rec);
    case Node::Kind::kConst:
      return n.value;
    case Node::Kind::kCompare:
      return compare(n, rec);
  }
  return false;
}

bool Condition::compare(const Node& n, const LogRecord& rec) const {
  std::string scratch_l, scratch_r;
  auto value = [&](const Operand& o, std::string& scratch) -> std::optional<std::string_view> {
    if (!o.is_path) return std::string_view(o.literal);
    return o.path.get(rec, scratch);
  };
  std::optional<std::string_view> l = value(n.lhs, scratch_l);
  const bool negated = n.op == Op::kNe || n.op == Op::kNotMatch;
  if (!l) return negated;
  if (n.op == Op::kMatch || n.op == Op::kNotMatch) {
    return RE2::PartialMatch(re2::StringPiece(l->data(), l->size()), *n.re) != negated;
  }
  std::optional<std::string_view> r = value(n.rhs, scratch_r);
  if (!r) return negated;
  auto number = [](const Operand& o, std::string_view v, double* out) {
    if (o.is_path) return as_number(v, out);
    *out = o.number;
    return o.literal_is_number;
  };
  int cmp = 0;
  double a = 0, b = 0;
  if (number(n.lhs, *l, &a) && number(n.rhs, *r, &b)) {
    cmp = a < b ? -1 : (a > b ? 1 : 0);
  } else {
    int c = l->compare(*r);
    cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  switch (n.op) {
    case Op::kEq:
      return cmp == 0;
    case Op::kNe:
      return cmp != 0;
    case Op::kLt:
      return cmp < 0;
    case Op::kLe:
      return cmp <= 0;
    case Op::kGt:
      return cmp > 0;
    case Op::kGe:
      return cmp >= 0;
    default:
      return false;
  }
}

}  // namespace sluice
