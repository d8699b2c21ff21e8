#include "pipeline/transforms/condition/condition.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

LogRecord sample_record() {
  LogRecord r;
  r.body = "GET /healthz HTTP/1.1";
  r.severity_text = "ERROR";
  r.severity_number = 17;
  r.service_name = "api";
  r.attributes = {{"http.response.status_code", "503"}, {"http.request.method", "GET"}, {"user name", "ann"}};
  r.resource = {{"host.name", "web-1"}};
  return r;
}

bool eval(std::string_view text, const LogRecord& r = sample_record()) {
  auto c = Condition::parse(text);
  EXPECT_TRUE(c.ok()) << text << ": " << c.status().to_string();
  return c.ok() && c->matches(r);
}

std::string error_of(std::string_view text) {
  auto c = Condition::parse(text);
  EXPECT_FALSE(c.ok()) << text;
  return c.ok() ? "" : c.status().message();
}

TEST(Condition, ComparisonsAreNumericWhenBothSidesAreNumbers) {
  EXPECT_TRUE(eval(R"(attributes."http.response.status_code" >= 500)"));
  EXPECT_TRUE(eval("attributes.http.response.status_code >= 500"));
  EXPECT_FALSE(eval("attributes.http.response.status_code < 500"));
  EXPECT_TRUE(eval("attributes.http.response.status_code == 503.0"));
  EXPECT_TRUE(eval("attributes.http.response.status_code == \"503\""));
  EXPECT_TRUE(eval("severity_number > 9"));
  EXPECT_TRUE(eval("severity_number >= 1.7e1"));
  EXPECT_TRUE(eval("2 < 10"));         // numeric, not "2" > "10" as text
  EXPECT_TRUE(eval("\"b\" > \"a\""));  // text
  EXPECT_TRUE(eval("\"2x\" > \"10\""));
  EXPECT_TRUE(eval("severity_text != \"INFO\""));
  EXPECT_TRUE(eval("service_name == 'api'"));
  EXPECT_TRUE(eval("resource.host.name == \"web-1\""));
  EXPECT_TRUE(eval("attributes.\"user name\" == \"ann\""));
}

TEST(Condition, RegexAndBooleanOperators) {
  EXPECT_TRUE(eval(R"(attributes."http.response.status_code" >= 500 and not (body =~ "nothing"))"));
  EXPECT_FALSE(eval(R"(attributes."http.response.status_code" >= 500 and not (body =~ "healthz"))"));
  EXPECT_TRUE(eval(R"(body =~ "^GET /\w+")"));
  EXPECT_TRUE(eval(R"(body !~ "POST")"));
  EXPECT_TRUE(eval("false or true and true"));
  EXPECT_FALSE(eval("true and false or false"));
  EXPECT_TRUE(eval("not false and not not true"));
  EXPECT_TRUE(eval("(false or true) and (true)"));
  EXPECT_TRUE(eval(R"(body =~ "\"?GET")"));  // \" inside a string is a quote
}

TEST(Condition, MissingFieldsAndExists) {
  EXPECT_FALSE(eval("attributes.missing == \"\""));
  EXPECT_TRUE(eval("attributes.missing != \"x\""));
  EXPECT_FALSE(eval("attributes.missing > 1"));
  EXPECT_FALSE(eval("attributes.missing <= 1"));
  EXPECT_FALSE(eval("attributes.missing =~ \"\""));
  EXPECT_TRUE(eval("attributes.missing !~ \"x\""));
  EXPECT_TRUE(eval("exists(attributes.http.request.method)"));
  EXPECT_FALSE(eval("exists(attributes.missing)"));
  EXPECT_TRUE(eval("exists(resource.\"host.name\")"));
  EXPECT_TRUE(eval("exists(body) and exists(severity_number)"));
  LogRecord empty;
  EXPECT_FALSE(eval("exists(body) or exists(severity_number) or exists(service_name)", empty));
  EXPECT_TRUE(eval("body == \"\"", empty));
}

TEST(Condition, ErrorsNameTheColumn) {
  EXPECT_EQ(error_of("body == "),
            "column 9: expected a value (a field path, a \"string\" or a number) "
            "after '==', found the end of the condition");
  EXPECT_EQ(error_of("bdy == 1"),
            "column 1: unknown field \"bdy\" (did you mean \"body\"?); fields: body, severity_text, "
            "severity_number, service_name, scope_name, scope_version, trace_id, span_id, attributes.<key>, "
            "resource.<key>");
  EXPECT_EQ(error_of("body = 1"), "column 6: found '=', expected '==' (comparison) or '=~' (regex match)");
  EXPECT_EQ(error_of("body =~ body"),
            "column 9: expected a string literal (the regular expression) after '=~', found 'body'");
  EXPECT_EQ(error_of("body =~ \"(\""), "column 9: invalid regular expression \"(\": missing ): (");
  EXPECT_EQ(error_of("(body == 1"), "column 11: expected ')', found the end of the condition");
  EXPECT_EQ(error_of("body == 1 2"), "column 11: expected 'and', 'or' or the end, found '2'");
  EXPECT_EQ(error_of("body == \"abc"), "column 9: unterminated string (expected a closing \")");
  EXPECT_EQ(error_of("body"),
            "column 5: expected a comparison operator (==, !=, <, <=, >, >=, =~, !~), found the end of "
            "the condition");
  EXPECT_EQ(error_of("exists(body"), "column 12: expected ')' after the path, found the end of the condition");
  EXPECT_EQ(error_of("attributes == 1"), "column 1: \"attributes\" needs a key here: attributes.<key>");
  EXPECT_EQ(error_of("body == 12abc"), "column 9: expected a number, found '12abc'");
  EXPECT_EQ(error_of("body == 1 and"),
            "column 14: expected a condition (a comparison, exists(...), 'not' or '('), found the end of "
            "the condition");
  EXPECT_EQ(error_of("body # 1"), "column 6: unexpected character '#'");
  EXPECT_EQ(error_of(""),
            "column 1: expected a condition (a comparison, exists(...), 'not' or '('), "
            "found the end of the condition");
}

TEST(Condition, NestingIsBounded) {
  std::string deep(100, '(');
  deep += "true";
  deep += std::string(100, ')');
  EXPECT_NE(error_of(deep).find("nested deeper than 64 levels"), std::string::npos);
  std::string ok(30, '(');
  ok += "true";
  ok += std::string(30, ')');
  EXPECT_TRUE(eval(ok));
  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "not ";
  EXPECT_NE(error_of(nots + "true").find("nested deeper"), std::string::npos);
}

TEST(FieldPath, ParsesAndRendersPaths) {
  auto p = parse_field_path("attributes.http.response.status_code");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, FieldPath::Kind::kAttribute);
  EXPECT_EQ(p->key, "http.response.status_code");
  EXPECT_EQ(p->text(), "attributes.http.response.status_code");
  auto q = parse_field_path(R"(attributes."a \"b\" c")");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->key, "a \"b\" c");
  EXPECT_EQ(q->text(), R"(attributes."a \"b\" c")");
  EXPECT_EQ(parse_field_path("resource.host.name")->kind, FieldPath::Kind::kResource);
  EXPECT_EQ(parse_field_path("severity_number")->kind, FieldPath::Kind::kSeverityNumber);
  EXPECT_FALSE(parse_field_path("attributes").ok());
  EXPECT_EQ(parse_field_path("attributes", true)->kind, FieldPath::Kind::kAllAttributes);
  EXPECT_EQ(parse_field_path("attributes.").status().message(),
            "field path \"attributes.\": attributes. needs a key: attributes.<key> or attributes.\"<key>\"");
  EXPECT_EQ(parse_field_path("attributes.\"x").status().message(),
            "field path \"attributes.\"x\": unterminated quoted key (expected a closing '\"')");
  EXPECT_EQ(parse_field_path("body.x").status().message(),
            "field path \"body.x\": unexpected text after \"body\" in \"body.x\"");
}

TEST(FieldPath, GetSetRemove) {
  LogRecord r = sample_record();
  std::string scratch;
  EXPECT_EQ(*parse_field_path("severity_number")->get(r, scratch), "17");
  parse_field_path("severity_number")->set(r, "warn");
  EXPECT_EQ(r.severity_number, 13);
  parse_field_path("severity_number")->set(r, "9");
  EXPECT_EQ(r.severity_number, 9);
  parse_field_path("resource.service.name")->set(r, "billing");
  EXPECT_EQ(r.service_name, "billing");
  parse_field_path("attributes.new")->set(r, "v");
  EXPECT_EQ(*find_key_value(r.attributes, "new"), "v");
  parse_field_path("attributes.new")->remove(r);
  EXPECT_EQ(find_key_value(r.attributes, "new"), nullptr);
  parse_field_path("body")->remove(r);
  EXPECT_EQ(r.body, "");
  parse_field_path("resource", true)->remove(r);
  EXPECT_TRUE(r.resource.empty());
}

}  // namespace
}  // namespace sluice
