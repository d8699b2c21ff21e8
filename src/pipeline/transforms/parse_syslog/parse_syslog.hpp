// parse_syslog: parses each record's body as one syslog message (RFC 5424
// or RFC 3164; syslog_message.hpp) in place: the body becomes MSG, the
// header fields and structured data go to attributes, HOSTNAME to resource
// host.name, PRI to severity and the TIMESTAMP to timestamp. Attributes the
// record already has are kept (a parsed key replaces one of the same name).
//
// A body that does not parse is kept as it is, with attributes["parse.error"]
// = "parse_syslog: <format>: expected <what> at byte <n>, found <...>".
#pragma once

#include <memory>
#include <string>

#include "config/options.hpp"
#include "pipeline/component.hpp"
#include "pipeline/transforms/parse_syslog/syslog_message.hpp"

namespace sluice {

/// Configuration of one parse_syslog transform ([transforms.<name>] with
/// type = "parse_syslog").
struct ParseSyslogOptions {
  std::string format = "auto";   ///< auto | rfc5424 | rfc3164
  std::string timezone = "UTC";  ///< zone of RFC 3164 timestamps: "UTC", "local" or "+hh:mm"
};

/// The option table: format, timezone (plus the engine's "type", "inputs").
const OptionTable<ParseSyslogOptions>& parse_syslog_option_table();

/// The transform. Built by make_parse_syslog; owned by the pipeline;
/// process() is called by one thread at a time (it holds no mutable state).
class ParseSyslog final : public Transform {
 public:
  explicit ParseSyslog(SyslogParserOptions options) : options_(options) {}
  /// Parses every record of `batch` in place; keeps order and positions.
  void process(LogBatch& batch) override;
  /// Parses one record in place.
  void process_record(LogRecord& rec) const;

 private:
  SyslogParserOptions options_;
};

/// Validates `options` (format and timezone names) and builds the transform.
/// InvalidArgument names the bad option.
Result<std::unique_ptr<Transform>> make_parse_syslog(const ParseSyslogOptions& options);

}  // namespace sluice
