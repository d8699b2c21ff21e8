#include "pipeline/sources/file/line_splitter.hpp"

namespace sluice {

std::string_view line_part_name(LinePart part) {
  switch (part) {
    case LinePart::kWhole:
      return "";
    case LinePart::kFirst:
      return "first";
    case LinePart::kMiddle:
      return "middle";
    case LinePart::kLast:
      return "last";
  }
  return "";
}

}  // namespace sluice
