// The SQL function that rebuilds a record's whole attributes map from a
// segment's split storage.
//
//   sluice_merge_attributes(rest MAP(VARCHAR, VARCHAR), keys VARCHAR[],
//                           value VARCHAR...) -> MAP(VARCHAR, VARCHAR)
//
// A logs segment compacted with attribute columns stores each promoted key's
// value once, in its column "attributes.<key>", and leaves that entry out of
// the file's `attributes` map (attribute_columns.hpp, catalog
// `attributes_split`). The stream's view passes the file's map, the keys of
// the columns it holds and those columns' values; the result is
// (keys[j], value j) for every value that is not NULL, followed by `rest`'s
// entries in their order. So the view shows the map the record was written
// with; only the order of its entries may differ (promoted keys come first).
// A column holds its key's first entry and a repeat of the key stays in
// `rest`, so `attributes['k']` still finds the first, as it did.
//
// A NULL `rest` counts as empty; NULL `keys` or fewer keys than values is an
// error naming the function. DuckDB's built-in `map_concat` does the same
// job ~20x slower (it rebuilds and de-duplicates every row's map).
//
// Thread-safety: the function keeps no state; DuckDB calls it from any
// number of threads.
#pragma once

#include "common/status.hpp"
#include "store/duckdb_handle.hpp"

namespace sluice {

/// Registers sluice_merge_attributes in the database of `con` (every
/// connection of that database sees it).
Status register_merge_attributes(Connection* con);

}  // namespace sluice
