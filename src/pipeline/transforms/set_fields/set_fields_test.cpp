#include "pipeline/transforms/set_fields/set_fields.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

template <class Opts>
Result<Opts> apply(const OptionTable<Opts>& table, std::string_view toml_text) {
  toml::table t;
  try {
    t = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string(e.description()));
  }
  Opts o;
  SLUICE_RETURN_IF_ERROR(table.apply(t, &o, "transforms.x", "test.toml"));
  return o;
}

LogRecord record() {
  LogRecord r;
  r.body = "hello";
  r.attributes = {{"msg", "from attr"}, {"level", "warn"}, {"password", "hunter2"}};
  r.resource = {{"host.name", "h1"}};
  return r;
}

TEST(SetFields, InlineTableAndListForms) {
  auto o = apply(set_option_table(),
                 R"(fields = { "attributes.env" = "prod", severity_number = 17, "resource.service.name" = "api" })");
  ASSERT_TRUE(o.ok()) << o.status().to_string();
  auto t = SetFields::create(*o);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  LogBatch b;
  b.records.push_back(record());
  (*t)->process(b);
  EXPECT_EQ(*find_key_value(b.records[0].attributes, "env"), "prod");
  EXPECT_EQ(b.records[0].severity_number, 17);
  EXPECT_EQ(b.records[0].service_name, "api");

  auto l = apply(set_option_table(), R"(fields = ["attributes.a=x=y", "attributes.\"b=c\"=d"])");
  ASSERT_TRUE(l.ok()) << l.status().to_string();
  EXPECT_EQ(l->fields, (FieldMap{{"attributes.a", "x=y"}, {"attributes.\"b=c\"", "d"}}));
}

TEST(SetFields, ErrorsNameTheOption) {
  EXPECT_EQ(apply(set_option_table(), R"(fields = ["novalue"])").status().message(),
            "test.toml:1:10: transforms.x.fields[0]: expected a string \"key=value\", found \"novalue\" (no '=')");
  EXPECT_EQ(apply(set_option_table(), R"(fields = 3)").status().message(),
            "test.toml:1:10: transforms.x.fields: expected an inline table { key = \"value\" } or an array of "
            "\"key=value\"");
  EXPECT_EQ(apply(set_option_table(), "").status().message(), "test.toml:1:1: [transforms.x] needs the key \"fields\"");
  SetOptions bad;
  bad.fields = {{"attributes", "x"}};
  EXPECT_EQ(SetFields::create(bad).status().message(),
            "set: fields: field path \"attributes\": \"attributes\" needs a key here: attributes.<key>");
}

TEST(RenameFields, MovesValuesAndSkipsMissingSources) {
  auto o = apply(rename_option_table(),
                 R"(fields = ["attributes.msg=body", "attributes.level=severity_text", "attributes.nope=body"])");
  ASSERT_TRUE(o.ok()) << o.status().to_string();
  auto t = RenameFields::create(*o);
  ASSERT_TRUE(t.ok());
  LogBatch b;
  b.records.push_back(record());
  (*t)->process(b);
  const LogRecord& r = b.records[0];
  EXPECT_EQ(r.body, "from attr");
  EXPECT_EQ(r.severity_text, "warn");
  EXPECT_EQ(r.attributes, (KeyValues{{"password", "hunter2"}}));
}

TEST(DropFields, RemovesFieldsAndWholeMaps) {
  auto o = apply(drop_option_table(), R"(fields = ["attributes.password", "resource", "body"])");
  ASSERT_TRUE(o.ok()) << o.status().to_string();
  auto t = DropFields::create(*o);
  ASSERT_TRUE(t.ok());
  LogBatch b;
  b.records.push_back(record());
  b.positions.push_back(SourcePosition{"s", "k", 1, ""});
  (*t)->process(b);
  const LogRecord& r = b.records[0];
  EXPECT_EQ(r.body, "");
  EXPECT_TRUE(r.resource.empty());
  EXPECT_EQ(r.attributes, (KeyValues{{"msg", "from attr"}, {"level", "warn"}}));
  EXPECT_EQ(b.positions.size(), 1u);
  EXPECT_EQ(DropFields::create(DropOptions{{"bdy"}}).status().message(),
            "drop: fields: field path \"bdy\": unknown field \"bdy\" (did you mean \"body\"?); fields: body, "
            "severity_text, severity_number, service_name, scope_name, scope_version, trace_id, span_id, "
            "attributes.<key>, resource.<key>");
}

}  // namespace
}  // namespace sluice
