#include "store/metric_table.hpp"

#include "store/vector_write.hpp"

namespace sluice {

using vector_write::put_fixed;
using vector_write::put_maps;
using vector_write::put_strings;

const std::vector<std::string>& metric_column_names() {
  static const std::vector<std::string> kNames = {"timestamp", "name",     "labels", "value",
                                                  "kind",      "resource", "_offset"};
  return kNames;
}

duckdb_logical_type metric_column_type(MetricColumn c) {
  switch (c) {
    case kMetricColTimestamp:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_NS);
    case kMetricColValue:
      return duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
    case kMetricColOffset:
      return duckdb_create_logical_type(DUCKDB_TYPE_UBIGINT);
    case kMetricColLabels:
    case kMetricColResource:
      return vector_write::string_map_type();
    default:
      return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  }
}

void fill_metric_column(duckdb_vector vec, MetricColumn c, const std::vector<const MetricSample*>& rows,
                        const std::vector<uint64_t>& offsets) {
  switch (c) {
    case kMetricColTimestamp:
      put_fixed<int64_t>(vec, rows, [](const MetricSample& m) { return m.timestamp_ns; });
      break;
    case kMetricColName:
      put_strings(vec, rows, [](const MetricSample& m) -> const std::string& { return m.name; });
      break;
    case kMetricColLabels:
      put_maps(vec, rows, [](const MetricSample& m) -> const KeyValues& { return m.labels; });
      break;
    case kMetricColValue:
      put_fixed<double>(vec, rows, [](const MetricSample& m) { return m.value; });
      break;
    case kMetricColKind:
      put_strings(vec, rows, [](const MetricSample& m) { return metric_kind_name(m.kind); });
      break;
    case kMetricColResource:
      put_maps(vec, rows, [](const MetricSample& m) -> const KeyValues& { return m.resource; });
      break;
    case kMetricColOffset:
      vector_write::put_offsets(vec, offsets);
      break;
    default:
      break;
  }
}

}  // namespace sluice
