#include "pipeline/sources/elasticsearch/bulk_response.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sluice {
namespace {

TEST(BulkResponse, AcceptedAndFailedItemsInOrder) {
  std::vector<BulkItem> items(3);
  items[0].action = BulkAction::kIndex;
  items[0].index = "logs";
  items[0].id = "a1";
  items[1].action = BulkAction::kDelete;
  items[1].index = "logs";
  items[1].id = "x";
  items[1].status = 400;
  items[1].error_type = "illegal_argument_exception";
  items[1].error_reason = "no \"delete\"";
  items[2].action = BulkAction::kCreate;
  items[2].index = "other";
  items[2].id = "b2";
  EXPECT_EQ(encode_bulk_response(items, 7, 10),
            R"({"took":7,"errors":true,"items":[)"
            R"({"index":{"_index":"logs","_id":"a1","_version":1,"result":"created",)"
            R"("_shards":{"total":1,"successful":1,"failed":0},"_seq_no":10,"_primary_term":1,"status":201}},)"
            R"({"delete":{"_index":"logs","_id":"x","status":400,"error":{"type":"illegal_argument_exception",)"
            R"("reason":"no \"delete\"","index":"logs"}}},)"
            R"({"create":{"_index":"other","_id":"b2","_version":1,"result":"created",)"
            R"("_shards":{"total":1,"successful":1,"failed":0},"_seq_no":11,"_primary_term":1,"status":201}}]})");
}

TEST(BulkResponse, NoErrorsAndEmpty) {
  std::vector<BulkItem> items(1);
  items[0].index = "i";
  items[0].id = "1";
  EXPECT_NE(encode_bulk_response(items, 0, 0).find("\"errors\":false"), std::string::npos);
  EXPECT_EQ(encode_bulk_response({}, 1, 0), R"({"took":1,"errors":false,"items":[]})");
}

TEST(EsErrorBody, Shape) {
  EXPECT_EQ(es_error_body(400, "illegal_argument_exception", "bad \"x\""),
            R"({"error":{"root_cause":[{"type":"illegal_argument_exception","reason":"bad \"x\""}],)"
            R"("type":"illegal_argument_exception","reason":"bad \"x\""},"status":400})");
}

TEST(GenerateDocumentId, TwentyUrlSafeCharactersAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = generate_document_id();
    ASSERT_EQ(id.size(), 20u);
    for (char c : id) ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace sluice
