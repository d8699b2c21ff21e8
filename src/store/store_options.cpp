#include "store/store_options.hpp"

namespace sluice {

const OptionTable<StoreOptions>& store_option_table() {
  static const OptionTable<StoreOptions> kTable = [] {
    OptionTable<StoreOptions> t;
    t.add_string("data_dir", &StoreOptions::data_dir, "./sluice-data",
                 "Directory holding each stream's WAL, Parquet segments and catalog.")
        .add_duration("retention", &StoreOptions::retention, "7d", "0", "36500d",
                      "Delete segments whose newest record is older than this; 0 keeps data forever.")
        .add_size("max_bytes", &StoreOptions::max_bytes, "10GiB", "0", "1024TiB",
                  "Cap on segment bytes of all streams together; the oldest segments are deleted first. 0 = no cap.")
        .add_size("stream_max_bytes", &StoreOptions::stream_max_bytes, "0", "0", "1024TiB",
                  "Cap on segment bytes of each stream; 0 = no cap.")
        .add_enum("fsync", &StoreOptions::fsync, "batch", {"batch", "interval", "off"},
                  "When the WAL is fsynced: \"batch\" before every acknowledgement (group commit), \"interval\" every "
                  "fsync_interval (acknowledged writes may be lost on power failure within it), \"off\" never "
                  "(left to the OS).")
        .add_duration("fsync_interval", &StoreOptions::fsync_interval, "100ms", "1ms", "1h",
                      "Period of the WAL fsync under fsync = \"interval\".")
        .add_size("wal_segment_bytes", &StoreOptions::wal_segment_bytes, "64MiB", "1MiB", "4GiB",
                  "A WAL segment file is closed and a new one started past this size.")
        .add_integer("compact_rows", &StoreOptions::compact_rows, 1000000, 1000, 100000000,
                     "Compact the WAL into Parquet once this many records are hot.")
        .add_duration("compact_interval", &StoreOptions::compact_interval, "1m", "1s", "1d",
                      "Compact hot records at least this often, whatever their count.")
        .add_size("row_group_rows", &StoreOptions::row_group_rows, "122880", "1024", "10000000",
                  "Rows per Parquet row group.")
        .add_integer("compression_level", &StoreOptions::compression_level, 3, 1, 22,
                     "zstd level of Parquet segments: higher is smaller and slower to compact.")
        .add_integer("attribute_columns", &StoreOptions::attribute_columns, 32, 0, 256,
                     "At most this many attribute keys per log stream, each present in at least half of the "
                     "records, are also stored as their own Parquet columns and shown in SQL as nested columns "
                     "named by their dotted path (`SELECT http.response.status_code ...` reads one column instead "
                     "of every attributes map). Keys are chosen from a sample of the records and never removed; 0 "
                     "promotes no more keys.")
        .add_size("min_free_bytes", &StoreOptions::min_free_bytes, "256MiB", "0", "1024TiB",
                  "Below this much free disk space writes are refused with resource_exhausted (backpressure) "
                  "instead of filling the disk.")
        .add_string("memory_limit", &StoreOptions::memory_limit, "2GB",
                    "DuckDB memory limit for hot records, compaction and queries together (DuckDB syntax).")
        .add_integer("threads", &StoreOptions::threads, 0, 0, 256, "DuckDB worker threads; 0 = number of cores.")
        .add_integer("maintenance_nice", &StoreOptions::maintenance_nice, 10, 0, 19,
                     "CPU priority (Linux nice value, higher is lower) of the store's background work: compaction, "
                     "retention and DuckDB's worker threads (which also help run queries). When the CPUs are full "
                     "the ingest path keeps its share and compaction catches up later; max_hot_rows bounds how far "
                     "it may fall behind. 0 leaves them at sluice's own priority.")
        .add_integer("max_hot_rows", &StoreOptions::max_hot_rows, 4000000, 1000, 1000000000,
                     "When a stream holds more hot (not yet compacted) records than this, or than twice "
                     "compact_rows, each append waits up to a second for compaction to catch up: backpressure "
                     "to the sources instead of ever more memory; nothing is dropped.");
    return t;
  }();
  return kTable;
}

}  // namespace sluice
