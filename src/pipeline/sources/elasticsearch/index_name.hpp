// Elasticsearch index name -> sluice stream name, for the elasticsearch
// source (docs/protocols/elasticsearch.md).
//
// Streams are named [a-z0-9_.-]{1,64} (ARCHITECTURE.md "Data model"); index
// names are looser (upper case from old clients, UTF-8, date math such as
// "<logs-{now/d}>"). The mapping: ASCII letters are lower-cased; every other
// character outside [a-z0-9_.-] becomes '_' (a multi-byte UTF-8 character
// becomes one '_'); the result is cut to 64 bytes. "" , "." and ".." (which
// would name a directory of the store's data dir) map to nothing.
//
// Thread-safety: pure functions.
#pragma once

#include "model/stream_name.hpp"

#include <string>
#include <string_view>

namespace sluice {

/// The stream for index `index`, or "" when it maps to no valid stream.
std::string stream_for_index(std::string_view index);

}  // namespace sluice
