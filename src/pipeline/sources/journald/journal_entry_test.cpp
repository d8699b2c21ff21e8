#include "pipeline/sources/journald/journal_entry.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

const std::string* attr(const LogRecord& r, std::string_view key) { return find_key_value(r.attributes, key); }

TEST(ParseJournalCursor, ReadsSeqnumIdAndSeqnum) {
  auto r = parse_journal_cursor(
      "s=6a486f85a0104b4a9bb4f8d9751a1e5f;i=1f;b=0123456789abcdef0123456789abcdef;m=1;t=660ce9ab3c1dc;x=6af7e6d8");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->seqnum_id, "6a486f85a0104b4a9bb4f8d9751a1e5f");
  EXPECT_EQ(r->seqnum, 0x1fu);
  // Any order, upper-case hex normalized.
  r = parse_journal_cursor("i=FFFFFFFFFFFFFFFF;s=6A486F85A0104B4A9BB4F8D9751A1E5F");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seqnum_id, "6a486f85a0104b4a9bb4f8d9751a1e5f");
  EXPECT_EQ(r->seqnum, UINT64_MAX);
}

TEST(ParseJournalCursor, RejectsMalformedCursorsNamingTheByte) {
  EXPECT_EQ(parse_journal_cursor("").status().message(),
            "journal cursor: expected \"s=\" field, found none in 0 bytes");
  EXPECT_EQ(parse_journal_cursor("s=6a486f85a0104b4a9bb4f8d9751a1e5f").status().message(),
            "journal cursor: expected \"i=\" field, found none in 34 bytes");
  EXPECT_EQ(parse_journal_cursor("s=abc;i=1").status().message(),
            "journal cursor: expected 32 hex digits after \"s=\" at byte 2, found 3 characters");
  EXPECT_EQ(parse_journal_cursor("s=6a486f85a0104b4a9bb4f8d9751a1e5g;i=1").status().message(),
            "journal cursor: expected a hex digit at byte 33");
  EXPECT_EQ(parse_journal_cursor("s=6a486f85a0104b4a9bb4f8d9751a1e5f;i=").status().message(),
            "journal cursor: expected 1 to 16 hex digits after \"i=\" at byte 37");
  EXPECT_FALSE(parse_journal_cursor("s=6a486f85a0104b4a9bb4f8d9751a1e5f;i=10000000000000000").ok());
}

TEST(JournalSequenceCursor, IsTheSeekableSeqnumPart) {
  JournalSeqnum at{"6a486f85a0104b4a9bb4f8d9751a1e5f", 255};
  EXPECT_EQ(journal_sequence_cursor(at), "s=6a486f85a0104b4a9bb4f8d9751a1e5f;i=ff");
  auto back = parse_journal_cursor(journal_sequence_cursor(at));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, at);
  EXPECT_EQ(journal_sequence_cursor({at.seqnum_id, 0}), "s=6a486f85a0104b4a9bb4f8d9751a1e5f;i=0");
}

TEST(JournalRecordBuilder, MapsWellKnownFieldsToSemanticConventions) {
  JournalRecordBuilder b(1 << 20);
  for (std::string_view f :
       {"MESSAGE=disk full", "PRIORITY=3", "_PID=42", "_COMM=nginx", "_EXE=/usr/sbin/nginx",
        "_CMDLINE=nginx -g daemon off;", "_UID=33", "_HOSTNAME=web1", "_MACHINE_ID=abc", "SYSLOG_IDENTIFIER=nginx",
        "SYSLOG_FACILITY=3", "SYSLOG_PID=42", "CODE_FILE=a.c", "CODE_LINE=7", "CODE_FUNC=main",
        "_SYSTEMD_UNIT=nginx.service", "_TRANSPORT=journal", "CUSTOM=x=y"}) {
    b.add_field(f);
  }
  LogRecord r = b.finish(1700000000123456, "s=1;i=2", 99);
  EXPECT_EQ(r.body, "disk full");
  EXPECT_EQ(r.severity_number, 17);
  EXPECT_EQ(r.severity_text, "err");
  EXPECT_EQ(r.timestamp_ns, 1700000000123456000);
  EXPECT_EQ(r.observed_timestamp_ns, 99);
  EXPECT_EQ(*attr(r, "process.pid"), "42");
  EXPECT_EQ(*attr(r, "process.executable.name"), "nginx");
  EXPECT_EQ(*attr(r, "process.executable.path"), "/usr/sbin/nginx");
  EXPECT_EQ(*attr(r, "process.command_line"), "nginx -g daemon off;");
  EXPECT_EQ(*attr(r, "process.user.id"), "33");
  EXPECT_EQ(*attr(r, "syslog.app_name"), "nginx");
  EXPECT_EQ(*attr(r, "syslog.facility"), "3");
  EXPECT_EQ(*attr(r, "syslog.procid"), "42");
  EXPECT_EQ(*attr(r, "code.file.path"), "a.c");
  EXPECT_EQ(*attr(r, "code.line.number"), "7");
  EXPECT_EQ(*attr(r, "code.function.name"), "main");
  EXPECT_EQ(*attr(r, "journald._SYSTEMD_UNIT"), "nginx.service");
  EXPECT_EQ(*attr(r, "journald._TRANSPORT"), "journal");
  EXPECT_EQ(*attr(r, "journald.CUSTOM"), "x=y");
  EXPECT_EQ(*attr(r, "journald.__CURSOR"), "s=1;i=2");
  EXPECT_EQ(*find_key_value(r.resource, "host.name"), "web1");
  EXPECT_EQ(*find_key_value(r.resource, "host.id"), "abc");
  EXPECT_EQ(attr(r, "journald.MESSAGE"), nullptr);
  EXPECT_EQ(attr(r, "journald.PRIORITY"), nullptr);
}

TEST(JournalRecordBuilder, OddFieldsBinaryValuesAndRepeats) {
  JournalRecordBuilder b(1 << 20);
  b.add_field("noequals");
  b.add_field("=value");
  b.add_field("PRIORITY=9");  // not a syslog severity: kept as an attribute
  b.add_field("REPEAT=1");
  b.add_field("REPEAT=2");
  LogRecord r = b.finish(0, "", 1);
  EXPECT_EQ(r.severity_number, 0);
  EXPECT_EQ(*attr(r, "journald.PRIORITY"), "9");
  EXPECT_EQ(*attr(r, "journald.REPEAT"), "2");
  EXPECT_EQ(r.attributes.size(), 2u);  // no cursor attribute for an empty cursor
  EXPECT_EQ(r.timestamp_ns, 0);
}

TEST(JournalRecordBuilder, BinaryMessageIsRepairedUtf8) {
  JournalRecordBuilder b(1 << 20);
  b.add_field(std::string_view("MESSAGE=a\0b\xff", 12));
  LogRecord r = b.finish(1, "", 1);
  EXPECT_EQ(r.body, std::string("a\0b\xEF\xBF\xBD", 6));
}

TEST(JournalRecordBuilder, FieldsPastTheEntryCapAreDroppedAndCounted) {
  JournalRecordBuilder b(20);
  b.add_field("A=0123456789");  // 12 bytes
  b.add_field("B=0123456789");  // would make 24: dropped
  b.add_field("C=01");          // 4 more: 16, kept
  b.add_field("MESSAGE=a message longer than the cap is always kept");
  LogRecord r = b.finish(1, "", 1);
  EXPECT_NE(attr(r, "journald.A"), nullptr);
  EXPECT_EQ(attr(r, "journald.B"), nullptr);
  EXPECT_NE(attr(r, "journald.C"), nullptr);
  EXPECT_EQ(*attr(r, "journald.dropped_fields"), "1");
  EXPECT_EQ(r.body, "a message longer than the cap is always kept");
  // finish() resets for the next entry.
  b.add_field("A=1");
  LogRecord next = b.finish(1, "", 1);
  EXPECT_EQ(attr(next, "journald.dropped_fields"), nullptr);
  EXPECT_TRUE(next.body.empty());
}

TEST(JournalRecordBuilder, ImpossibleTimestampIsUnknown) {
  JournalRecordBuilder b(100);
  EXPECT_EQ(b.finish(UINT64_MAX, "", 1).timestamp_ns, 0);
}

}  // namespace
}  // namespace sluice
