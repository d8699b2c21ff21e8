#include "pipeline/sources/elasticsearch/es_probes.hpp"

#include <string_view>

#include "common/json_text.hpp"

namespace sluice {
namespace {

constexpr const char* kClusterName = "sluice";
constexpr const char* kClusterUuid = "c2x1aWNlLXNpbmdsZS1u";
constexpr const char* kNodeId = "c2x1aWNlLW5vZGUtMDAx";

bool has_prefix(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

/// `path` is `base` or `base` followed by '/' and more.
bool under(std::string_view path, std::string_view base) {
  return path == base || (has_prefix(path, base) && path[base.size()] == '/');
}

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string version_document(const std::string& node_name) {
  return std::string("{\"name\":") + quoted(node_name) + ",\"cluster_name\":\"" + kClusterName +
         "\",\"cluster_uuid\":\"" + kClusterUuid + "\",\"version\":{\"number\":\"" + kEsVersion +
         "\",\"build_flavor\":\"default\",\"build_type\":\"tar\",\"build_hash\":\"sluice\","
         "\"build_date\":\"2023-11-04T10:04:57.184859352Z\",\"build_snapshot\":false,\"lucene_version\":\"9.8.0\","
         "\"minimum_wire_compatibility_version\":\"7.17.0\",\"minimum_index_compatibility_version\":\"7.0.0\"},"
         "\"tagline\":\"You Know, for Search\"}";
}

constexpr const char* kLicense =
    "{\"license\":{\"status\":\"active\",\"uid\":\"c2x1aWNlLWxpY2Vuc2UtMDAx\",\"type\":\"basic\","
    "\"issue_date\":\"2023-01-01T00:00:00.000Z\",\"issue_date_in_millis\":1672531200000,\"max_nodes\":1000,"
    "\"max_resource_units\":null,\"issued_to\":\"sluice\",\"issuer\":\"elasticsearch\","
    "\"start_date_in_millis\":-1}}";

constexpr const char* kXpack =
    "{\"build\":{\"hash\":\"sluice\",\"date\":\"2023-11-04T10:04:57.184859352Z\"},"
    "\"license\":{\"uid\":\"c2x1aWNlLWxpY2Vuc2UtMDAx\",\"type\":\"basic\",\"mode\":\"basic\",\"status\":\"active\"},"
    "\"features\":{\"ilm\":{\"available\":true,\"enabled\":true},\"security\":{\"available\":true,\"enabled\":false},"
    "\"monitoring\":{\"available\":true,\"enabled\":true},\"data_streams\":{\"available\":true,\"enabled\":true}},"
    "\"tagline\":\"You know, for X\"}";

std::string cluster_health() {
  return std::string("{\"cluster_name\":\"") + kClusterName +
         "\",\"status\":\"green\",\"timed_out\":false,\"number_of_nodes\":1,\"number_of_data_nodes\":1,"
         "\"active_primary_shards\":0,\"active_shards\":0,\"relocating_shards\":0,\"initializing_shards\":0,"
         "\"unassigned_shards\":0,\"delayed_unassigned_shards\":0,\"number_of_pending_tasks\":0,"
         "\"number_of_in_flight_fetch\":0,\"task_max_waiting_in_queue_millis\":0,"
         "\"active_shards_percent_as_number\":100.0}";
}

std::string nodes(const std::string& node_name) {
  return std::string("{\"_nodes\":{\"total\":1,\"successful\":1,\"failed\":0},\"cluster_name\":\"") + kClusterName +
         "\",\"nodes\":{\"" + kNodeId + "\":{\"name\":" + quoted(node_name) + ",\"version\":\"" + kEsVersion +
         "\",\"build_flavor\":\"default\",\"roles\":[\"data\",\"ingest\",\"master\"]}}}";
}

}  // namespace

std::optional<HttpResponse> answer_es_probe(const HttpRequest& request, const std::string& node_name) {
  const std::string& m = request.method;
  const std::string& p = request.path;
  const bool read = m == "GET" || m == "HEAD";
  std::optional<HttpResponse> r;
  if (p == "/" && read) {
    r = HttpResponse{200, "application/json", version_document(node_name)};
  } else if (p == "/_license" && read) {
    r = HttpResponse{200, "application/json", kLicense};
  } else if (under(p, "/_xpack") && read) {
    r = HttpResponse{200, "application/json", kXpack};
  } else if (under(p, "/_cluster/health") && read) {
    r = HttpResponse{200, "application/json", cluster_health()};
  } else if (under(p, "/_nodes") && read) {
    r = HttpResponse{200, "application/json", nodes(node_name)};
  } else if (has_prefix(p, "/_index_template/") || has_prefix(p, "/_template/") || has_prefix(p, "/_ilm/policy/") ||
             has_prefix(p, "/_ingest/pipeline/")) {
    if (read) {
      r = HttpResponse{200, "application/json", "{}"};
    } else if (m == "PUT" || m == "POST" || m == "DELETE") {
      r = HttpResponse{200, "application/json", "{\"acknowledged\":true}"};
    }
  }
  if (r && m == "HEAD") r->body.clear();
  return r;
}

}  // namespace sluice
