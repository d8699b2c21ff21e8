// libFuzzer target timestamp_fuzz: parse_timestamp and friends on arbitrary
// text and formats. Input: "<format>\n<text>", or without a newline the
// whole input as text in a format picked by its first byte.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/timestamp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr std::array<std::string_view, 9> kFormats = {"rfc3339",
                                                               "unix",
                                                               "unix_ms",
                                                               "unix_us",
                                                               "unix_ns",
                                                               "auto",
                                                               "%d/%b/%Y:%H:%M:%S %z",
                                                               "%b %e %H:%M:%S",
                                                               "%a, %d %B %Y %I:%M:%S %p %Z"};
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view format, text;
  size_t nl = in.find('\n');
  if (nl != std::string_view::npos) {
    format = in.substr(0, nl);
    text = in.substr(nl + 1);
  } else {
    format = kFormats[size == 0 ? 0 : data[0] % kFormats.size()];
    text = in;
  }
  (void)sluice::validate_timestamp_format(format);
  auto a = sluice::parse_timestamp(text, format);
  auto b = sluice::parse_timestamp_with_default_year(text, format, 2026);
  auto c = sluice::parse_timestamp_near(text, format, 1'795'273'200'000'000'000);
  // With a year in the format the default year and the reference are unused.
  if (sluice::timestamp_format_has_year(format)) {
    if (a.ok() != b.ok() || a.ok() != c.ok()) std::abort();
    if (a.ok() && (*a != *b || *a != *c)) std::abort();
  }
  if (a.ok()) (void)sluice::year_of_unix_nanos(*a);
  return 0;
}
