// How error messages name a JSON value's type ("expected a string, found
// an object"), for every simdjson On-Demand reader.
#pragma once

#include <simdjson.h>

#include <string_view>

namespace sluice {

/// "an object", "an array", "a number", "a string", "a boolean" or "null".
inline std::string_view json_type_name(simdjson::ondemand::json_type t) {
  switch (t) {
    case simdjson::ondemand::json_type::object:
      return "an object";
    case simdjson::ondemand::json_type::array:
      return "an array";
    case simdjson::ondemand::json_type::number:
      return "a number";
    case simdjson::ondemand::json_type::string:
      return "a string";
    case simdjson::ondemand::json_type::boolean:
      return "a boolean";
    case simdjson::ondemand::json_type::null:
      return "null";
  }
  return "an unknown value";
}

}  // namespace sluice
