#include "pipeline/sources/elasticsearch/index_name.hpp"

#include <algorithm>

#include "model/stream_name.hpp"

namespace sluice {
namespace {

bool is_stream_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

std::string stream_for_index(std::string_view index) {
  std::string out;
  for (size_t i = 0; i < index.size() && out.size() < 64; ++i) {
    auto c = static_cast<unsigned char>(index[i]);
    if ((c & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte: its lead byte already became '_'
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    out += is_stream_char(static_cast<char>(c)) ? static_cast<char>(c) : '_';
  }
  return valid_stream_name(out) ? out : std::string();
}

}  // namespace sluice
