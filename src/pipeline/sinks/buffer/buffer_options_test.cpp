#include "pipeline/sinks/buffer/buffer_options.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

struct Opts {
  std::string endpoint;
  BufferOptions buffer;
};

const OptionTable<Opts>& table() {
  static const OptionTable<Opts> kTable = [] {
    BufferedSinkOptionTable<Opts> t;
    t.add_string("endpoint", &Opts::endpoint, "", "where");
    t.add_buffer(&Opts::buffer);
    return t;
  }();
  return kTable;
}

Result<Opts> apply_text(std::string_view text) {
  toml::table doc = toml::parse(text, std::string("c.toml"));
  Opts o;
  SLUICE_RETURN_IF_ERROR(table().apply(doc, &o, "sinks.out", "c.toml"));
  return o;
}

TEST(BufferOptions, DottedKeysTablesAndTheShorthand) {
  auto none = apply_text("endpoint = \"x\"");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->buffer.type, "memory");
  EXPECT_EQ(none->buffer.max_size, 256u << 20);
  auto dotted = apply_text("buffer.type = \"disk\"\nbuffer.max_size = \"1MiB\"");
  ASSERT_TRUE(dotted.ok()) << dotted.status().to_string();
  EXPECT_EQ(dotted->buffer.type, "disk");
  EXPECT_EQ(dotted->buffer.max_size, 1u << 20);
  auto inline_table = apply_text("buffer = { type = \"disk\", max_size = \"2GiB\" }");
  ASSERT_TRUE(inline_table.ok());
  EXPECT_EQ(inline_table->buffer.max_size, 2ull << 30);
  auto shorthand = apply_text("buffer = \"disk\"");
  ASSERT_TRUE(shorthand.ok());
  EXPECT_EQ(shorthand->buffer.type, "disk");
  EXPECT_EQ(shorthand->buffer.max_size, 256u << 20);
}

TEST(BufferOptions, ErrorsNameTheKeyTheLineAndTheNearestValidKey) {
  auto typo = apply_text("buffer.type = \"disk\"\nbuffer.max_sise = \"1MiB\"");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("c.toml:2"), std::string::npos) << typo.status().message();
  EXPECT_NE(typo.status().message().find("[sinks.out.buffer]"), std::string::npos);
  EXPECT_NE(typo.status().message().find("did you mean \"max_size\""), std::string::npos);
  auto small = apply_text("buffer.max_size = \"512KiB\"");
  ASSERT_FALSE(small.ok());
  EXPECT_NE(small.status().message().find("sinks.out.buffer.max_size"), std::string::npos);
  auto kind = apply_text("buffer.type = \"disc\"");
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.status().message().find("did you mean \"disk\""), std::string::npos);
  EXPECT_FALSE(apply_text("buffer = 5").ok());
}

TEST(BufferOptions, DiskNeedsAStateDirectoryMemoryPassesTheSinkThrough) {
  BufferOptions disk;
  disk.type = "disk";
  auto r = with_buffer("out", "http", disk, "", false, Result<std::unique_ptr<Sink>>(std::unique_ptr<Sink>()));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--data-dir"), std::string::npos);
  auto checked = with_buffer("out", "http", disk, "", true, Result<std::unique_ptr<Sink>>(std::unique_ptr<Sink>()));
  EXPECT_TRUE(checked.ok());
  auto err =
      with_buffer("out", "http", disk, "/x", false, Result<std::unique_ptr<Sink>>(Status::InvalidArgument("bad")));
  EXPECT_EQ(err.status().message(), "bad");
}

}  // namespace
}  // namespace sluice
