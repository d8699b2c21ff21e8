// parse_regex: extracts fields from each record's text with an RE2 pattern
// or a built-in preset, into attributes.
//
// Custom patterns: RE2 syntax (https://github.com/google/re2/wiki/Syntax),
// UTF-8, unanchored (add ^ and $ to anchor). Each named group
// (?P<name>...) that took part in the match sets attributes[name]. RE2 group
// names cannot contain dots, so "__" in a name stands for "." :
// (?P<http__request__method>\S+) sets "http.request.method". Unnamed groups
// are ignored; a group that did not participate sets nothing.
//
// Presets (see presets.hpp for the exact patterns and fields):
//   nginx_combined  nginx/Apache "combined" access log (and "common", which
//                   lacks the referer and user agent)
//   syslog_rfc3164  BSD syslog lines, with or without <PRI>, with the
//                   RFC 3164 "Mmm dd hh:mm:ss" or rsyslog's RFC 3339
//                   timestamp (Debian's default file format)
//   sshd            OpenSSH server events (logins, failures, disconnects)
//   linux_kernel    kernel lines (dmesg, syslog's kernel:, netfilter logs)
//
// Records keep their order and positions. keep_body decides whether a
// record this transform parsed cleanly (it set no parse.error) from its
// whole line (first to last byte) also keeps the line in its body:
//   true   always;
//   false  never: its text lives on as the fields, as with Fluent Bit's
//          parser filter (Preserve_Key Off); what the pattern matches
//          outside named groups is gone;
//   unset  (the default) false for the lines whose fields hold all they
//          say (Extraction::kWholeText: nginx_combined lines without a
//          $remote_logname and with a "METHOD /path" or absolute-URL
//          request, about a third of the store's bytes for access logs),
//          true for all else: custom patterns (their unnamed parts would be
//          lost), syslog_rfc3164, sshd and linux_kernel (the message is what
//          people search). Kept as an instant, a time loses its UTC offset
//          and spelling.
// A record whose text does not
// match keeps everything and gets attributes["parse.error"] =
// "parse_regex: line does not match preset nginx_combined" (or
// "... pattern \"<pattern>\""); a timestamp that does not parse likewise
// sets parse.error while the other fields are still stored.
//
// Year-less timestamps take the year of the record's observed time (the
// year before when that would put them more than 7 days in the future;
// timestamp.hpp parse_timestamp_near).
#pragma once

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/options.hpp"
#include "pipeline/component.hpp"

namespace sluice {

namespace parse_regex_detail {
struct Preset;
enum class Extraction;
}  // namespace parse_regex_detail

/// Configuration of one parse_regex transform ([transforms.<name>] with
/// type = "parse_regex").
struct ParseRegexOptions {
  /// RE2 pattern with named groups. Exactly one of pattern and preset.
  std::string pattern;
  /// Built-in format name (parse_regex_preset_names()).
  std::string preset;
  /// Attribute (a group name after "__" -> ".") holding the event time;
  /// custom patterns only, "" = none.
  std::string timestamp_field;
  /// Its format (timestamp.hpp); custom patterns only, "" = "rfc3339".
  std::string timestamp_format;
  /// The text to match: "body" or the name of an attribute.
  std::string field = "body";
  /// Whether a record parsed cleanly from its whole line keeps its body
  /// (see the file comment): true, false (body set to ""), or unset (per
  /// line: false where the preset's fields hold the line). Only with
  /// field = "body" (another field leaves the body alone).
  std::optional<bool> keep_body;
};

/// The option table: pattern, preset, timestamp_field, timestamp_format,
/// field (plus the engine's "type" and "inputs").
const OptionTable<ParseRegexOptions>& parse_regex_option_table();

/// Names of the built-in presets, sorted.
std::vector<std::string> parse_regex_preset_names();

/// The transform. Built by make_parse_regex / ParseRegex::create; owned by
/// the pipeline; process() is called by one thread at a time (it reuses
/// match buffers). The compiled RE2 is immutable.
class ParseRegex final : public Transform {
 public:
  /// Validates `options` and compiles the pattern. InvalidArgument when both
  /// or neither of pattern/preset are set, the pattern does not compile
  /// (naming RE2's error), the preset is unknown (listing the valid ones),
  /// timestamp_field is not a group of the pattern, timestamp_format is
  /// invalid, or timestamp options are given with a preset.
  static Result<std::unique_ptr<ParseRegex>> create(const ParseRegexOptions& options);

 private:
  struct Key {
    explicit Key() = default;
  };

 public:
  /// Use create(); the key keeps an unconfigured instance from being built.
  explicit ParseRegex(Key /*key*/) {}

  /// Parses every record of `batch` in place (see the file comment).
  void process(LogBatch& batch) override;
  /// Parses one record in place.
  void process_record(LogRecord& rec);

 private:
  /// Sets the fields of a record whose text matched (groups_ holds the
  /// match); kError when a field did not convert (parse.error set).
  parse_regex_detail::Extraction extract(LogRecord& rec);
  /// Whether the body of a record whose `text` matched (groups_) and gave
  /// `e` goes: no error, the body was parsed, the match covers all of it,
  /// and keep_body is false, or unset and `e` is kWholeText.
  bool drops_body(re2::StringPiece text, parse_regex_detail::Extraction e) const;

  /// A named group: its index and the attribute it sets.
  struct Capture {
    int index = 0;
    std::string attribute;
  };

  std::unique_ptr<RE2> re_;
  const parse_regex_detail::Preset* preset_ = nullptr;  // null: custom pattern
  RE2::Anchor anchor_ = RE2::UNANCHORED;
  std::vector<Capture> captures_;
  std::string timestamp_field_;
  std::string timestamp_format_;
  std::string field_;
  bool field_is_body_ = true;
  std::optional<bool> keep_body_;
  std::string no_match_error_;            // "parse_regex: line does not match ..."
  std::vector<re2::StringPiece> groups_;  // reused match output
  std::string input_;                     // copy of a matched attribute
};

/// Builds a parse_regex transform (ParseRegex::create).
Result<std::unique_ptr<Transform>> make_parse_regex(const ParseRegexOptions& options);

}  // namespace sluice
