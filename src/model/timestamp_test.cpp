#include "model/timestamp.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

constexpr int64_t kS = 1'000'000'000;

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(days_from_civil(1969, 12, 31) == -1);
static_assert(civil_from_days(11017).year == 2000 && civil_from_days(11017).month == 3);
static_assert(civil_from_days(-1).year == 1969 && civil_from_days(-1).day == 31);

int64_t must(Result<int64_t> r) {
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : INT64_MIN;
}

std::string error_of(Result<int64_t> r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

TEST(Timestamp, CivilRoundTripOverFourCenturies) {
  for (int64_t d = -800'000; d <= 800'000; d += 37) {
    CivilDate c = civil_from_days(d);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
}

TEST(Timestamp, Rfc3339) {
  EXPECT_EQ(must(parse_timestamp("1970-01-01T00:00:00Z", "rfc3339")), 0);
  EXPECT_EQ(must(parse_timestamp("2026-11-21T14:30:09Z", "rfc3339")), 1795271409 * kS);
  EXPECT_EQ(must(parse_timestamp("2026-11-21T14:30:09.123456789Z", "rfc3339")), 1795271409 * kS + 123456789);
  EXPECT_EQ(must(parse_timestamp("2026-11-21T14:30:09.123456+00:00", "rfc3339")), 1795271409 * kS + 123456000);
  // More than 9 fraction digits are truncated.
  EXPECT_EQ(must(parse_timestamp("2026-11-21T14:30:09.1234567891Z", "rfc3339")), 1795271409 * kS + 123456789);
  // Lenient forms: lower-case t/z, space separator, comma fraction, no offset.
  EXPECT_EQ(must(parse_timestamp("2026-11-21t14:30:09z", "rfc3339")), 1795271409 * kS);
  EXPECT_EQ(must(parse_timestamp("2026-11-21 14:30:09,5", "rfc3339")), 1795271409 * kS + 500'000'000);
  EXPECT_EQ(must(parse_timestamp("2026-11-21T14:30:09", "rfc3339")), 1795271409 * kS);
  EXPECT_EQ(must(parse_timestamp("1969-12-31T23:59:59Z", "rfc3339")), -kS);
}

TEST(Timestamp, OffsetsShiftToUtc) {
  const int64_t utc = must(parse_timestamp("2026-11-21T12:30:09Z", "rfc3339"));
  EXPECT_EQ(must(parse_timestamp("2026-11-21T14:30:09+02:00", "rfc3339")), utc);
  EXPECT_EQ(must(parse_timestamp("2026-11-21T14:30:09+0200", "rfc3339")), utc);
  EXPECT_EQ(must(parse_timestamp("2026-11-21T07:00:09-05:30", "rfc3339")), utc);
  EXPECT_EQ(must(parse_timestamp("21/Nov/2026:14:30:09 +0200", "%d/%b/%Y:%H:%M:%S %z")), utc);
  EXPECT_EQ(must(parse_timestamp("21/Nov/2026:14:30:09 +02:00", "%d/%b/%Y:%H:%M:%S %z")), utc);
  EXPECT_EQ(must(parse_timestamp("21/Nov/2026:14:30:09 +02", "%d/%b/%Y:%H:%M:%S %z")), utc);
  EXPECT_EQ(must(parse_timestamp("21/Nov/2026:12:30:09 Z", "%d/%b/%Y:%H:%M:%S %z")), utc);
  // The Apache documentation's example.
  EXPECT_EQ(must(parse_timestamp("10/Oct/2000:13:55:36 -0700", "%d/%b/%Y:%H:%M:%S %z")), 971211336 * kS);
  // An offset crossing midnight and a month end.
  EXPECT_EQ(must(parse_timestamp("2027-01-01T01:00:10+01:00", "rfc3339")),
            must(parse_timestamp("2027-01-01T00:00:10Z", "rfc3339")));
  EXPECT_EQ(must(parse_timestamp("2026-12-31T23:00:10-01:00", "rfc3339")), 1798761610 * kS);
}

TEST(Timestamp, LeapDaysAndSeconds) {
  EXPECT_EQ(must(parse_timestamp("2024-02-29T12:00:00Z", "rfc3339")), 1709208000 * kS);
  EXPECT_EQ(must(parse_timestamp("2026-12-31T23:59:60Z", "rfc3339")), (1798761599 + 1) * kS);
  EXPECT_NE(error_of(parse_timestamp("2023-02-29T12:00:00Z", "rfc3339")).find("day that exists"), std::string::npos);
  EXPECT_FALSE(parse_timestamp("2100-02-29T00:00:00Z", "rfc3339").ok());
  EXPECT_TRUE(parse_timestamp("2000-02-29T00:00:00Z", "rfc3339").ok());
}

TEST(Timestamp, PatternDirectives) {
  const int64_t t = 1686837909 * kS;  // 2023-06-15T14:05:09Z, day 166
  EXPECT_EQ(must(parse_timestamp("2023-06-15 14:05:09", "%Y-%m-%d %H:%M:%S")), t);
  EXPECT_EQ(must(parse_timestamp("2023-6-15 14:5:9", "%Y-%m-%d %H:%M:%S")), t);
  EXPECT_EQ(must(parse_timestamp("2023-06-15T14:05:09.250", "%FT%T")), t + 250'000'000);
  EXPECT_EQ(must(parse_timestamp("2023-06-15 14:05:09,250", "%F %T")), t + 250'000'000);
  EXPECT_EQ(must(parse_timestamp("2023-06-15 14:05:09.000042", "%F %H:%M:%S.%f")), t + 42'000);
  EXPECT_EQ(must(parse_timestamp("23/06/15 02:05:09 PM", "%y/%m/%d %I:%M:%S %p")), t);
  EXPECT_EQ(must(parse_timestamp("23/06/15 12:05:09 am", "%y/%m/%d %I:%M:%S %p")), t - 14 * 3600 * kS);
  EXPECT_EQ(must(parse_timestamp("2023.166 14:05:09", "%Y.%j %T")), t);
  EXPECT_EQ(must(parse_timestamp("Thu, 15 Jun 2023 14:05:09 GMT", "%a, %d %b %Y %T %Z")), t);
  EXPECT_EQ(must(parse_timestamp("Thursday 15 JUNE 2023 14:05:09", "%A %d %B %Y %T")), t);
  EXPECT_EQ(must(parse_timestamp("15 jun 2023  14:05:09", "%d %b %Y %T")), t);  // 2 spaces match 1
  EXPECT_EQ(must(parse_timestamp("100% 2023-06-15 14:05:09", "100%% %F %T")), t);
  EXPECT_EQ(must(parse_timestamp("69-01-01", "%y-%m-%d")), days_from_civil(1969, 1, 1) * 86400 * kS);
}

TEST(Timestamp, SyslogWithoutYear) {
  const std::string_view fmt = "%b %e %H:%M:%S";
  EXPECT_EQ(must(parse_timestamp_with_default_year("Oct 11 22:14:15", fmt, 2026)), 1791756855 * kS);
  EXPECT_EQ(must(parse_timestamp_with_default_year("Oct  1 22:14:15", fmt, 2026)), 1790892855 * kS);
  EXPECT_EQ(must(parse_timestamp_with_default_year("Oct 01 22:14:15", fmt, 2026)), 1790892855 * kS);
  EXPECT_NE(error_of(parse_timestamp("Oct 11 22:14:15", fmt)).find("has no year"), std::string::npos);
  EXPECT_FALSE(timestamp_format_has_year(fmt));
  EXPECT_TRUE(timestamp_format_has_year("%d/%b/%Y:%H:%M:%S %z"));
  EXPECT_TRUE(timestamp_format_has_year("rfc3339"));
}

TEST(Timestamp, NearReferenceHandlesNewYear) {
  const std::string_view fmt = "%b %e %H:%M:%S";
  const int64_t jan1 = 1798761610 * kS;  // 2027-01-01T00:00:10Z
  // A "Dec 31" line read on Jan 1 belongs to the year before.
  EXPECT_EQ(must(parse_timestamp_near("Dec 31 23:59:59", fmt, jan1)), 1798761599 * kS);
  EXPECT_EQ(must(parse_timestamp_near("Jan  1 00:00:05", fmt, jan1)), jan1 - 5 * kS);
  // A clock a few days ahead stays in the reference year.
  EXPECT_EQ(year_of_unix_nanos(must(parse_timestamp_near("Jan  3 00:00:05", fmt, jan1))), 2027);
  // Formats with a year ignore the reference.
  EXPECT_EQ(must(parse_timestamp_near("2020-01-01T00:00:00Z", "rfc3339", jan1)),
            must(parse_timestamp("2020-01-01T00:00:00Z", "rfc3339")));
}

TEST(Timestamp, UnixNumbers) {
  EXPECT_EQ(must(parse_timestamp("1700000000", "unix")), 1700000000 * kS);
  EXPECT_EQ(must(parse_timestamp("1700000000.5", "unix")), 1700000000 * kS + 500'000'000);
  EXPECT_EQ(must(parse_timestamp("-1.5", "unix")), -1'500'000'000);
  EXPECT_EQ(must(parse_timestamp("1700000000123", "unix_ms")), 1700000000123'000'000);
  EXPECT_EQ(must(parse_timestamp("1700000000123.5", "unix_ms")), 1700000000123'500'000);
  EXPECT_EQ(must(parse_timestamp("1700000000123456", "unix_us")), 1700000000123456'000);
  EXPECT_EQ(must(parse_timestamp("1700000000123456789", "unix_ns")), 1700000000123456789);
  EXPECT_FALSE(parse_timestamp("1.5", "unix_ns").ok());
  EXPECT_FALSE(parse_timestamp("99999999999999999999", "unix_ns").ok());
  EXPECT_FALSE(parse_timestamp("10000000000", "unix").ok());  // year 2286: past int64 ns
  EXPECT_FALSE(parse_timestamp("", "unix").ok());
  EXPECT_FALSE(parse_timestamp("12a", "unix").ok());
}

TEST(Timestamp, AutoByMagnitude) {
  EXPECT_EQ(must(parse_timestamp("1700000000.25", "auto")), 1700000000 * kS + 250'000'000);
  EXPECT_EQ(must(parse_timestamp("1700000000123", "auto")), 1700000000123'000'000);
  EXPECT_EQ(must(parse_timestamp("1700000000123456", "auto")), 1700000000123456'000);
  EXPECT_EQ(must(parse_timestamp("1700000000123456789", "auto")), 1700000000123456789);
  EXPECT_EQ(must(parse_timestamp("2026-11-21T14:30:09Z", "auto")), 1795271409 * kS);
}

TEST(Timestamp, ErrorsSayWhatAndWhere) {
  EXPECT_EQ(error_of(parse_timestamp("2023-13-01T00:00:00Z", "rfc3339")),
            "expected month (01..12) at position 5 in \"2023-13-01T00:00:00Z\" (format \"rfc3339\"), found \"13\"");
  EXPECT_EQ(error_of(parse_timestamp("2023-12-01X00:00:00Z", "rfc3339")),
            "expected 'T' between date and time at position 10 in \"2023-12-01X00:00:00Z\" (format \"rfc3339\"), "
            "found \"X\"");
  EXPECT_EQ(error_of(parse_timestamp("2023-12-01", "rfc3339")),
            "expected 'T' between date and time at position 10 in \"2023-12-01\" (format \"rfc3339\"), found end "
            "of text");
  EXPECT_NE(
      error_of(parse_timestamp("2023-12-01T00:00:00Zjunk", "rfc3339")).find("expected end of text at position 20"),
      std::string::npos);
  EXPECT_NE(error_of(parse_timestamp("10/Okt/2000:13:55:36 -0700", "%d/%b/%Y:%H:%M:%S %z"))
                .find("expected English month name (Jan..Dec) at position 3"),
            std::string::npos);
  EXPECT_NE(error_of(parse_timestamp("10/Oct/2000:13:55:36 0700", "%d/%b/%Y:%H:%M:%S %z"))
                .find("expected UTC offset (Z, +hh:mm or +hhmm) at position 21"),
            std::string::npos);
  EXPECT_NE(error_of(parse_timestamp("2263-01-01T00:00:00Z", "rfc3339")).find("between 1677-09-21 and 2262-04-11"),
            std::string::npos);
  // Control bytes are escaped in messages.
  EXPECT_NE(error_of(parse_timestamp("\x16\x03", "rfc3339")).find("\\x16\\x03"), std::string::npos);
}

TEST(Timestamp, ValidateFormat) {
  EXPECT_TRUE(validate_timestamp_format("rfc3339").ok());
  EXPECT_TRUE(validate_timestamp_format("unix_ms").ok());
  EXPECT_TRUE(validate_timestamp_format("%d/%b/%Y:%H:%M:%S %z").ok());
  Status st = validate_timestamp_format("%Y-%Q");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("unknown directive at position 3"), std::string::npos);
  EXPECT_FALSE(validate_timestamp_format("%Y%").ok());
  EXPECT_FALSE(validate_timestamp_format("").ok());
  // An unvalidated bad format fails at parse time, it does not crash.
  EXPECT_FALSE(parse_timestamp("2023", "%Q").ok());
  EXPECT_FALSE(parse_timestamp("2023", "%Y%").ok());
}

TEST(Timestamp, YearOfUnixNanos) {
  EXPECT_EQ(year_of_unix_nanos(0), 1970);
  EXPECT_EQ(year_of_unix_nanos(-1), 1969);
  EXPECT_EQ(year_of_unix_nanos(1798761599 * kS), 2026);
  EXPECT_EQ(year_of_unix_nanos(1798761600 * kS), 2027);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST(TimestampMemo, AgreesWithParseTimestampAcrossTextsFormatsAndErrors) {
  TimestampMemo memo;
  const char* kFormat = "%d/%b/%Y:%H:%M:%S %z";
  for (const char* text : {"21/Nov/2025:14:00:00 +0000", "21/Nov/2025:14:00:00 +0000", "21/Nov/2025:14:00:01 +0000",
                           "31/Nov/2025:14:00:01 +0000", "21/Nov/2025:14:00:01 +0000", "garbage", "garbage"}) {
    auto want = parse_timestamp(text, kFormat);
    auto got = memo.parse(text, kFormat);
    ASSERT_EQ(got.ok(), want.ok()) << text;
    if (want.ok()) {
      EXPECT_EQ(*got, *want) << text;
    } else {
      EXPECT_EQ(got.status().message(), want.status().message()) << text;
    }
  }
  // The same text in another format is parsed again, not taken from the memo.
  ASSERT_TRUE(memo.parse("2025-11-21", "%Y-%m-%d").ok());
  auto other = memo.parse("2025-11-21", "%Y-%d-%m");
  EXPECT_FALSE(other.ok());  // month 21
}

}  // namespace
}  // namespace sluice
