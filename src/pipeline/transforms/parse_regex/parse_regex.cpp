#include "pipeline/transforms/parse_regex/parse_regex.hpp"

#include <algorithm>
#include <array>

#include "model/timestamp.hpp"
#include "pipeline/transforms/parse_regex/presets.hpp"
#include "pipeline/transforms/transform_util.hpp"

namespace sluice {

namespace parse_regex_detail {

std::span<const Preset* const> all_presets() {
  static constexpr std::array<const Preset*, 4> kAll = {&kLinuxKernel, &kNginxCombined, &kSshd, &kSyslogRfc3164};
  return kAll;
}

const Preset* find_preset(std::string_view name) {
  for (const Preset* p : all_presets()) {
    if (p->name == name) return p;
  }
  return nullptr;
}

RE2::Options preset_re2_options() {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_encoding(RE2::Options::EncodingLatin1);
  return o;
}

std::string compare_scan_with_re2(const Preset& preset, const RE2& re, std::string_view text) {
  const size_t n = static_cast<size_t>(re.NumberOfCapturingGroups()) + 1;
  std::vector<re2::StringPiece> want(n), got(n);
  bool want_match = re.Match(text, 0, text.size(), RE2::ANCHOR_START, want.data(), static_cast<int>(n));
  bool got_match = preset.scan(text, got.data());
  if (want_match != got_match) {
    return std::string(preset.name) + ": RE2 " + (want_match ? "matches" : "does not match") + ", scan " +
           (got_match ? "matches" : "does not match");
  }
  if (!want_match) return "";
  auto where = [&](re2::StringPiece g) {
    return g.data() == nullptr ? std::string("unset")
                               : std::to_string(g.data() - text.data()) + "+" + std::to_string(g.size());
  };
  for (size_t i = 0; i < n; ++i) {
    if (want[i].data() != got[i].data() || want[i].size() != got[i].size()) {
      return std::string(preset.name) + ": group " + std::to_string(i) + ": RE2 " + where(want[i]) + ", scan " +
             where(got[i]);
    }
  }
  return "";
}

}  // namespace parse_regex_detail

namespace {

/// RE2 group name -> attribute name: "__" becomes ".".
std::string attribute_name(const std::string& group) {
  std::string out;
  out.reserve(group.size());
  for (size_t i = 0; i < group.size(); ++i) {
    if (group[i] == '_' && i + 1 < group.size() && group[i + 1] == '_') {
      out += '.';
      ++i;
    } else {
      out += group[i];
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

const OptionTable<ParseRegexOptions>& parse_regex_option_table() {
  static const OptionTable<ParseRegexOptions> table = [] {
    OptionTable<ParseRegexOptions> t;
    t.add_string("pattern", &ParseRegexOptions::pattern, "",
                 "RE2 pattern with named groups (?P<name>...); each group that matched sets attributes[name], "
                 "with \"__\" in the name standing for \".\". Unanchored. Exactly one of pattern and preset.")
        .add_string("preset", &ParseRegexOptions::preset, "",
                    "Built-in format instead of a pattern: " + join(parse_regex_preset_names()) + ".")
        .add_string("timestamp_field", &ParseRegexOptions::timestamp_field, "",
                    "With a pattern: the attribute (group name with \"__\" as \".\") holding the event time. "
                    "Empty: keep the source's timestamp.")
        .add_string("timestamp_format", &ParseRegexOptions::timestamp_format, "",
                    "With a pattern: format of timestamp_field: rfc3339, unix, unix_ms, unix_us, unix_ns, auto, or "
                    "strptime-style such as \"%d/%b/%Y:%H:%M:%S %z\". Empty: rfc3339.")
        .add_string("field", &ParseRegexOptions::field, "body", "The text to match: \"body\" or an attribute name.")
        .add_bool("keep_body", &ParseRegexOptions::keep_body,
                  "Whether a record keeps its line in body next to the fields parsed from it. false: a record "
                  "whose whole line (first to last byte) matched, and whose timestamp parsed, is stored with an "
                  "empty body, as Fluent Bit's parser filter does (what the pattern matches outside named groups is "
                  "gone: the message text of sshd and linux_kernel lines). true: every record keeps its body. Unset: "
                  "false for nginx_combined lines whose fields hold the line ($remote_logname \"-\", a request "
                  "\"METHOD /path ...\" or an absolute URL; access logs then take about a third of the stored "
                  "bytes), true for everything else (custom patterns, syslog_rfc3164, sshd, linux_kernel). Lines "
                  "that do not parse always keep their body. Applies to field = \"body\" only.");
    return t;
  }();
  return table;
}

std::vector<std::string> parse_regex_preset_names() {
  std::vector<std::string> names;
  for (const auto* p : parse_regex_detail::all_presets()) names.emplace_back(p->name);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::unique_ptr<ParseRegex>> ParseRegex::create(const ParseRegexOptions& options) {
  if (options.pattern.empty() == options.preset.empty()) {
    return Status::InvalidArgument(
        "parse_regex: set exactly one of pattern and preset (presets: " + join(parse_regex_preset_names()) + ")");
  }
  if (options.field.empty()) return Status::InvalidArgument("parse_regex: field must not be empty");
  auto t = std::make_unique<ParseRegex>(Key{});
  t->field_ = options.field;
  t->field_is_body_ = options.field == "body";
  t->keep_body_ = options.keep_body;  // unset: decided per line (drops_body)
  RE2::Options re_options;
  re_options.set_log_errors(false);
  std::string pattern = options.pattern;
  if (!options.preset.empty()) {
    t->preset_ = parse_regex_detail::find_preset(options.preset);
    if (t->preset_ == nullptr) {
      std::string m = "parse_regex: unknown preset \"" + options.preset + "\"";
      std::string near = nearest_word(options.preset, parse_regex_preset_names());
      if (!near.empty()) m += " (did you mean \"" + near + "\"?)";
      return Status::InvalidArgument(m + "; valid presets: " + join(parse_regex_preset_names()));
    }
    if (!options.timestamp_field.empty() || !options.timestamp_format.empty()) {
      return Status::InvalidArgument(
          "parse_regex: timestamp_field and timestamp_format apply to patterns only; "
          "preset \"" +
          options.preset + "\" sets the timestamp itself");
    }
    pattern = std::string(t->preset_->pattern);
    re_options = parse_regex_detail::preset_re2_options();
    t->anchor_ = RE2::ANCHOR_START;
    t->no_match_error_ = "parse_regex: line does not match preset " + options.preset;
  } else {
    t->no_match_error_ = "parse_regex: line does not match pattern \"" + options.pattern + "\"";
  }
  t->re_ = std::make_unique<RE2>(pattern, re_options);
  if (!t->re_->ok()) {
    return Status::InvalidArgument("parse_regex: invalid pattern: " + t->re_->error() + " (at \"" +
                                   t->re_->error_arg() + "\")");
  }
  t->groups_.resize(static_cast<size_t>(t->re_->NumberOfCapturingGroups()) + 1);
  if (t->preset_ == nullptr) {
    for (const auto& [name, index] : t->re_->NamedCapturingGroups()) {
      t->captures_.push_back(Capture{index, attribute_name(name)});
    }
    std::sort(t->captures_.begin(), t->captures_.end(),
              [](const Capture& a, const Capture& b) { return a.index < b.index; });
    if (t->captures_.empty()) {
      return Status::InvalidArgument("parse_regex: pattern \"" + options.pattern +
                                     "\" has no named groups (?P<name>...), so it would extract nothing");
    }
    if (!options.timestamp_field.empty()) {
      bool known = std::any_of(t->captures_.begin(), t->captures_.end(),
                               [&](const Capture& c) { return c.attribute == options.timestamp_field; });
      if (!known) {
        std::vector<std::string> names;
        for (const auto& c : t->captures_) names.push_back(c.attribute);
        return Status::InvalidArgument("parse_regex: timestamp_field \"" + options.timestamp_field +
                                       "\" is not a named group of the pattern; groups: " + join(names));
      }
      t->timestamp_field_ = options.timestamp_field;
      t->timestamp_format_ = options.timestamp_format.empty() ? "rfc3339" : options.timestamp_format;
      Status st = validate_timestamp_format(t->timestamp_format_);
      if (!st.ok()) return st.with_context("parse_regex");
    } else if (!options.timestamp_format.empty()) {
      return Status::InvalidArgument("parse_regex: timestamp_format is set but timestamp_field is not");
    }
  }
  return Result<std::unique_ptr<ParseRegex>>(std::move(t));
}

void ParseRegex::process(LogBatch& batch) {
  for (LogRecord& rec : batch.records) process_record(rec);
}

void ParseRegex::process_record(LogRecord& rec) {
  re2::StringPiece text;
  if (field_is_body_) {
    text = rec.body;
  } else {
    const std::string* v = find_key_value(rec.attributes, field_);
    if (v == nullptr) {
      set_parse_error(rec, "parse_regex: field \"" + field_ + "\" is missing");
      return;
    }
    input_ = *v;  // the attributes vector may grow while we read the groups
    text = input_;
  }
  const bool matched =
      preset_ != nullptr && preset_->scan != nullptr
          ? preset_->scan(text, groups_.data())
          : re_->Match(text, 0, text.size(), anchor_, groups_.data(), static_cast<int>(groups_.size()));
  if (!matched) {
    set_parse_error(rec, no_match_error_);
    return;
  }
  // The body may go once this transform extracted every field without
  // setting a parse.error (one set earlier does not count).
  if (drops_body(text, extract(rec))) std::string().swap(rec.body);
}

bool ParseRegex::drops_body(re2::StringPiece text, parse_regex_detail::Extraction e) const {
  using parse_regex_detail::Extraction;
  if (e == Extraction::kError || !field_is_body_ || (keep_body_ && *keep_body_)) return false;
  if (groups_[0].data() != text.data() || groups_[0].size() != text.size()) return false;  // not the whole line
  return keep_body_ ? true /* keep_body = false */ : e == Extraction::kWholeText;
}

parse_regex_detail::Extraction ParseRegex::extract(LogRecord& rec) {
  using parse_regex_detail::Extraction;
  if (preset_ != nullptr) return preset_->apply(groups_.data(), rec);
  parse_regex_detail::AttributeWriter w(rec, captures_.size());
  for (const Capture& c : captures_) {
    const re2::StringPiece& g = groups_[static_cast<size_t>(c.index)];
    if (g.data() != nullptr) w.put(c.attribute, g);
  }
  if (!timestamp_field_.empty()) {
    const std::string* v = find_key_value(rec.attributes, timestamp_field_);
    if (v == nullptr) return Extraction::kFields;  // an optional group that did not participate
    auto ts = parse_timestamp_near(*v, timestamp_format_, reference_time_ns(rec));
    if (!ts.ok()) {
      set_parse_error(rec, "parse_regex: field \"" + timestamp_field_ + "\": " + ts.status().message());
      return Extraction::kError;
    }
    rec.timestamp_ns = *ts;
  }
  // What a custom pattern matches outside named groups is not held: its
  // body goes only with keep_body = false.
  return Extraction::kFields;
}

Result<std::unique_ptr<Transform>> make_parse_regex(const ParseRegexOptions& options) {
  auto t = ParseRegex::create(options);
  if (!t.ok()) return t.status();
  return std::unique_ptr<Transform>(std::move(t).value());
}

}  // namespace sluice
