// Answers to the requests Elasticsearch clients make before they send
// documents (version detection, license and feature checks, health checks,
// index template / ILM policy / ingest pipeline setup), so that Filebeat,
// Fluent Bit's es output, Vector's elasticsearch sink and the official
// clients start against the elasticsearch source without special settings.
//
// sluice presents itself as a single-node Elasticsearch 8.11.0 with a basic
// license. Setup requests are acknowledged and change nothing.
//
// Thread-safety: pure function.
#pragma once

#include <optional>
#include <string>

#include "net/http_types.hpp"

namespace sluice {

/// The Elasticsearch version reported to clients.
inline constexpr const char* kEsVersion = "8.11.0";

/// The answer to `request` when it is one of:
///   GET|HEAD /                         version document
///   GET /_license, GET /_xpack         basic license, features available
///   GET /_cluster/health[/...]         status green
///   GET /_nodes[/...]                  this node only
///   GET|HEAD|PUT|POST|DELETE /_index_template/*, /_template/*,
///     /_ilm/policy/*, /_ingest/pipeline/*   200; writes {"acknowledged":true},
///                                           reads {}
/// otherwise nullopt. `node_name` is the name reported (the component name).
/// HEAD answers carry no body.
std::optional<HttpResponse> answer_es_probe(const HttpRequest& request, const std::string& node_name);

}  // namespace sluice
