// libFuzzer target syslog_parse_fuzz: the syslog message parser on arbitrary
// bytes. The first byte picks the format and time zone, the next 8 (when
// present) are the observed time, so that year inference runs too. Checks:
// no crash; a parsed body is a suffix of the input (MSG), an unparsed one is
// the input with parse.error set.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "pipeline/transforms/parse_syslog/syslog_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::SyslogParserOptions o;
  if (size >= 1) {
    o.format = static_cast<sluice::SyslogFormat>(data[0] % 3);
    if (data[0] & 4) o.time_zone.offset_seconds = -(14 * 3600);
    if (data[0] & 8) o.time_zone.local = true;
    ++data;
    --size;
  }
  sluice::LogRecord rec;
  rec.observed_timestamp_ns = 1'795'273'200'000'000'000;
  if (size >= 8) {
    std::memcpy(&rec.observed_timestamp_ns, data, 8);
    data += 8;
    size -= 8;
  }
  std::string text(reinterpret_cast<const char*>(data), size);
  rec.body = text;
  bool ok = sluice::parse_syslog_into(rec.body, o, "", rec);
  if (ok) {
    if (rec.body.size() > text.size() || text.compare(text.size() - rec.body.size(), rec.body.size(), rec.body) != 0) {
      std::abort();
    }
  } else if (rec.body != text || sluice::find_key_value(rec.attributes, "parse.error") == nullptr) {
    std::abort();
  }
  return 0;
}
