#include "store/hot_scan.hpp"

#include <limits>

#include "store/attribute_columns.hpp"
#include "store/log_table.hpp"
#include "store/metric_table.hpp"
#include "store/span_table.hpp"
#include "store/wal/batch_codec.hpp"

namespace sluice {
namespace {

// The table shape of each stream kind: which part of a decoded batch holds
// the rows, their columns and how to write them.
struct LogShape {
  using Row = LogRecord;
  static constexpr const char* kFunction = "sluice_hot";
  static constexpr int kColumns = kLogColumnCount;
  static constexpr int kOffsetColumn = kColOffset;
  static constexpr bool kAttributeColumns = true;
  static const std::vector<Row>& rows(const LogBatch& b) { return b.records; }
  static int64_t timestamp(const Row& r) { return r.timestamp_ns; }
  static const std::vector<std::string>& names() { return log_column_names(); }
  static duckdb_logical_type type(int c) { return log_column_type(static_cast<LogColumn>(c)); }
  static void fill(duckdb_vector v, int c, const std::vector<const Row*>& rows, const std::vector<uint64_t>& offs) {
    fill_log_column(v, static_cast<LogColumn>(c), rows, offs);
  }
};

struct MetricShape {
  using Row = MetricSample;
  static constexpr const char* kFunction = "sluice_hot_metrics";
  static constexpr int kColumns = kMetricColumnCount;
  static constexpr int kOffsetColumn = kMetricColOffset;
  static constexpr bool kAttributeColumns = false;
  static const std::vector<Row>& rows(const LogBatch& b) { return b.samples; }
  static int64_t timestamp(const Row& r) { return r.timestamp_ns; }
  static const std::vector<std::string>& names() { return metric_column_names(); }
  static duckdb_logical_type type(int c) { return metric_column_type(static_cast<MetricColumn>(c)); }
  static void fill(duckdb_vector v, int c, const std::vector<const Row*>& rows, const std::vector<uint64_t>& offs) {
    fill_metric_column(v, static_cast<MetricColumn>(c), rows, offs);
  }
};

struct BindData {
  HotSource* source = nullptr;
  std::string stream;
  int64_t gen = -1;
  uint64_t from_offset = 0;
  int64_t ts_from = std::numeric_limits<int64_t>::min();
  int64_t ts_to = std::numeric_limits<int64_t>::max();
  std::vector<std::string> attribute_columns;  // logs only: keys emitted as "attributes.<key>" columns
  bool split_attributes = false;               // logs only: the map omits what those columns hold
};

struct SpanShape {
  using Row = Span;
  static constexpr const char* kFunction = "sluice_hot_spans";
  static constexpr int kColumns = kSpanColumnCount;
  static constexpr int kOffsetColumn = kSpanColOffset;
  static constexpr bool kAttributeColumns = false;
  static const std::vector<Row>& rows(const LogBatch& b) { return b.spans; }
  static int64_t timestamp(const Row& r) { return r.start_timestamp_ns; }
  static const std::vector<std::string>& names() { return span_column_names(); }
  static duckdb_logical_type type(int c) { return span_column_type(static_cast<SpanColumn>(c)); }
  static void fill(duckdb_vector v, int c, const std::vector<const Row*>& rows, const std::vector<uint64_t>& offs) {
    fill_span_column(v, static_cast<SpanColumn>(c), rows, offs);
  }
};

template <class Shape>
struct ScanState {
  std::vector<HotChunk> chunks;  // snapshot taken at init
  std::vector<int> columns;      // projected columns, in output order; >= kColumns: attribute column
  size_t chunk = 0;
  bool decoded = false;
  size_t record = 0;
  LogBatch batch;
  std::vector<const typename Shape::Row*> rows;
  std::vector<uint64_t> offsets;
  std::vector<int32_t> found;  // locate_attribute_entries() of the chunk's rows
};

struct Value {
  duckdb_value v;
  explicit Value(duckdb_value x) : v(x) {}
  ~Value() {
    if (v) duckdb_destroy_value(&v);
  }
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
};

template <class Shape>
void bind(duckdb_bind_info info) {
  auto* source = static_cast<HotSource*>(duckdb_bind_get_extra_info(info));
  Value stream_v(duckdb_bind_get_parameter(info, 0));
  char* s = duckdb_get_varchar(stream_v.v);
  std::string stream = s ? s : "";
  duckdb_free(s);
  auto data = std::make_unique<BindData>();
  data->source = source;
  data->stream = stream;
  {
    Value v(duckdb_bind_get_named_parameter(info, "from_offset"));
    if (v.v && !duckdb_is_null_value(v.v)) data->from_offset = duckdb_get_uint64(v.v);
  }
  {
    Value v(duckdb_bind_get_named_parameter(info, "gen"));
    if (v.v && !duckdb_is_null_value(v.v)) data->gen = duckdb_get_int64(v.v);
  }
  {
    Value v(duckdb_bind_get_named_parameter(info, "ts_from"));
    if (v.v && !duckdb_is_null_value(v.v)) data->ts_from = duckdb_get_int64(v.v);
  }
  {
    Value v(duckdb_bind_get_named_parameter(info, "ts_to"));
    if (v.v && !duckdb_is_null_value(v.v)) data->ts_to = duckdb_get_int64(v.v);
  }
  if constexpr (Shape::kAttributeColumns) {
    Value v(duckdb_bind_get_named_parameter(info, "attribute_columns"));
    if (v.v && !duckdb_is_null_value(v.v)) {
      idx_t n = duckdb_get_list_size(v.v);
      for (idx_t i = 0; i < n; ++i) {
        Value item(duckdb_get_list_child(v.v, i));
        char* k = duckdb_get_varchar(item.v);
        data->attribute_columns.emplace_back(k ? k : "");
        duckdb_free(k);
      }
    }
    Value split(duckdb_bind_get_named_parameter(info, "split_attributes"));
    if (split.v && !duckdb_is_null_value(split.v)) data->split_attributes = duckdb_get_bool(split.v);
  }
  // No snapshot here: DuckDB binds a view's query when the view is created,
  // which happens under the stream's locks. The snapshot is taken at init.
  for (int c = 0; c < Shape::kColumns; ++c) {
    duckdb_logical_type t = Shape::type(c);
    duckdb_bind_add_result_column(info, Shape::names()[c].c_str(), t);
    duckdb_destroy_logical_type(&t);
  }
  for (const auto& key : data->attribute_columns) {
    duckdb_logical_type t = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    duckdb_bind_add_result_column(info, attribute_column_name(key).c_str(), t);
    duckdb_destroy_logical_type(&t);
  }
  // DuckDB owns the state through a C callback, so ownership passes as a raw pointer.
  duckdb_bind_set_bind_data(info, data.release(), [](void* p) {
    delete static_cast<BindData*>(p);
  });  // NOLINT(cppcoreguidelines-owning-memory)
}

template <class Shape>
void init(duckdb_init_info info) {
  auto* bd = static_cast<BindData*>(duckdb_init_get_bind_data(info));
  auto state = std::make_unique<ScanState<Shape>>();
  auto snap = bd->source->hot_snapshot(bd->stream, bd->gen);
  if (!snap.ok()) {
    duckdb_init_set_error(info, snap.status().message().c_str());
    return;
  }
  state->chunks = std::move(*snap);
  idx_t n = duckdb_init_get_column_count(info);
  idx_t ours = Shape::kColumns + bd->attribute_columns.size();
  for (idx_t i = 0; i < n; ++i) {
    idx_t c = duckdb_init_get_column_index(info, i);
    // Row-id style virtual columns have indexes past ours; give them offsets.
    state->columns.push_back(c < ours ? static_cast<int>(c) : Shape::kOffsetColumn);
  }
  duckdb_init_set_max_threads(info, 1);
  // DuckDB owns the state through a C callback, so ownership passes as a raw pointer.
  duckdb_init_set_init_data(info, state.release(), [](void* p) {
    delete static_cast<ScanState<Shape>*>(p);
  });  // NOLINT(cppcoreguidelines-owning-memory)
}

template <class Shape>
void scan(duckdb_function_info info, duckdb_data_chunk output) {
  auto* bd = static_cast<BindData*>(duckdb_function_get_bind_data(info));
  auto* st = static_cast<ScanState<Shape>*>(duckdb_function_get_init_data(info));
  const size_t cap = duckdb_vector_size();
  st->rows.clear();
  st->offsets.clear();
  // count(*) and the like project no column: whole chunks inside the filters
  // are counted without being decoded.
  if (st->columns.empty()) {
    size_t n = 0;
    while (st->chunk < st->chunks.size() && n < cap) {
      const HotChunk& c = st->chunks[st->chunk];
      bool inside =
          c.first_offset >= bd->from_offset && c.min_timestamp_ns >= bd->ts_from && c.max_timestamp_ns < bd->ts_to;
      if (!inside) break;
      size_t take = std::min<size_t>(cap - n, c.count - st->record);
      n += take;
      st->record += take;
      if (st->record == c.count) {
        st->record = 0;
        st->chunk++;
      }
    }
    if (n > 0) {
      duckdb_data_chunk_set_size(output, n);
      return;
    }
  }
  // Rows point into st->batch, so one call emits rows of one chunk only.
  while (st->rows.empty() && st->chunk < st->chunks.size()) {
    const HotChunk& c = st->chunks[st->chunk];
    if (!st->decoded) {
      bool skip = c.first_offset + c.count <= bd->from_offset || c.max_timestamp_ns < bd->ts_from ||
                  c.min_timestamp_ns >= bd->ts_to;
      if (skip) {
        st->chunk++;
        continue;
      }
      Status s = decode_batch(c.payload(), &st->batch);
      if (!s.ok()) {
        duckdb_function_set_error(info, ("hot records: " + s.to_string()).c_str());
        return;
      }
      st->decoded = true;
      st->record = 0;
    }
    const auto& rows = Shape::rows(st->batch);
    while (st->record < rows.size() && st->rows.size() < cap) {
      uint64_t off = c.first_offset + st->record;
      const auto& r = rows[st->record++];
      int64_t ts = Shape::timestamp(r);
      if (off < bd->from_offset || ts < bd->ts_from || ts >= bd->ts_to) continue;
      st->rows.push_back(&r);
      st->offsets.push_back(off);
    }
    if (st->record >= rows.size()) {
      st->decoded = false;
      st->record = 0;
      st->chunk++;
      if (!st->rows.empty()) break;
    }
  }
  std::vector<duckdb_vector> attribute_vectors;
  std::vector<size_t> attribute_indexes;
  duckdb_vector split_map = nullptr;
  for (size_t i = 0; i < st->columns.size(); ++i) {
    duckdb_vector v = duckdb_data_chunk_get_vector(output, i);
    int c = st->columns[i];
    if constexpr (Shape::kAttributeColumns) {
      if (c >= Shape::kColumns) {
        attribute_vectors.push_back(v);
        attribute_indexes.push_back(static_cast<size_t>(c - Shape::kColumns));
        continue;
      }
      if (c == kColAttributes && bd->split_attributes && !bd->attribute_columns.empty()) {
        split_map = v;
        continue;
      }
    }
    Shape::fill(v, c, st->rows, st->offsets);
  }
  if constexpr (Shape::kAttributeColumns) {
    if (!attribute_vectors.empty() || split_map != nullptr) {
      std::vector<std::string_view> keys(bd->attribute_columns.begin(), bd->attribute_columns.end());
      locate_attribute_entries(keys, st->rows, &st->found);
      fill_attribute_columns(attribute_vectors, attribute_indexes, keys.size(), st->rows, st->found);
      if (split_map != nullptr) fill_attributes_without_columns(split_map, keys.size(), st->rows, st->found);
    }
  }
  duckdb_data_chunk_set_size(output, st->rows.size());
}

template <class Shape>
Status register_scan(Connection* con, HotSource* source) {
  duckdb_table_function f = duckdb_create_table_function();
  duckdb_table_function_set_name(f, Shape::kFunction);
  duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_logical_type ubig = duckdb_create_logical_type(DUCKDB_TYPE_UBIGINT);
  duckdb_logical_type big = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_table_function_add_parameter(f, varchar);
  duckdb_table_function_add_named_parameter(f, "from_offset", ubig);
  duckdb_table_function_add_named_parameter(f, "gen", big);
  duckdb_table_function_add_named_parameter(f, "ts_from", big);
  duckdb_table_function_add_named_parameter(f, "ts_to", big);
  if constexpr (Shape::kAttributeColumns) {
    duckdb_logical_type list = duckdb_create_list_type(varchar);
    duckdb_table_function_add_named_parameter(f, "attribute_columns", list);
    duckdb_destroy_logical_type(&list);
    duckdb_logical_type boolean = duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    duckdb_table_function_add_named_parameter(f, "split_attributes", boolean);
    duckdb_destroy_logical_type(&boolean);
  }
  duckdb_destroy_logical_type(&varchar);
  duckdb_destroy_logical_type(&ubig);
  duckdb_destroy_logical_type(&big);
  duckdb_table_function_set_extra_info(f, source, nullptr);
  duckdb_table_function_set_bind(f, bind<Shape>);
  duckdb_table_function_set_init(f, init<Shape>);
  duckdb_table_function_set_function(f, scan<Shape>);
  duckdb_table_function_supports_projection_pushdown(f, true);
  duckdb_state st = duckdb_register_table_function(con->raw(), f);
  duckdb_destroy_table_function(&f);
  if (st != DuckDBSuccess)
    return Status::Internal(std::string("registering the ") + Shape::kFunction + " table function failed");
  return Status::Ok();
}

}  // namespace

Status register_hot_scan(Connection* con, HotSource* source) {
  SLUICE_RETURN_IF_ERROR(register_scan<LogShape>(con, source));
  SLUICE_RETURN_IF_ERROR(register_scan<MetricShape>(con, source));
  return register_scan<SpanShape>(con, source);
}

}  // namespace sluice
