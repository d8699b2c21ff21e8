// The `buffer` option of network sinks (Vector's `buffer.type`):
//
//   [sinks.out]
//   type = "http"
//   buffer.type = "disk"         # "memory" (default): no buffer; "disk"
//   buffer.max_size = "256MiB"   # cap on the buffer's bytes on disk
//
// TOML makes `buffer.type = ...` a sub-table `buffer`; it may also be
// written `buffer = { type = "disk", max_size = "1GiB" }`, as a
// [sinks.out.buffer] table, or as the shorthand `buffer = "disk"`. The
// sub-table's keys are checked like any option table's (unknown keys name
// the nearest valid one).
//
// config/options.hpp has no table kind, so BufferedSinkOptionTable extends
// OptionTable<T> (as FieldMapOptionTable does); the schema lists `buffer` as
// an enum whose description names the table form.
//
// Thread-safety: like OptionTable (built once, then read-only).
#pragma once

#include <memory>
#include <string>

#include "common/env.hpp"
#include "config/options.hpp"
#include "pipeline/component.hpp"

namespace sluice {

struct BufferOptions {
  std::string type = "memory";  ///< "memory" or "disk"
  uint64_t max_size = 256ull << 20;
};

/// The keys of the `buffer` sub-table: type, max_size.
const OptionTable<BufferOptions>& buffer_option_table();

namespace buffer_option_detail {
/// Reads a `buffer` node: a string (the type) or a table. Errors name
/// `where` ("file:line:col: sinks.out.buffer").
Result<BufferOptions> read_buffer(const toml::node& n, const std::string& where);
}  // namespace buffer_option_detail

template <class T>
class BufferedSinkOptionTable : public OptionTable<T> {
 public:
  /// Adds the `buffer` option.
  BufferedSinkOptionTable& add_buffer(BufferOptions T::*field) {
    OptionSpec s{"buffer",
                 OptionType::kEnum,
                 "memory",
                 "Buffer in front of the sink: \"memory\" (none, writes wait for the sink) or \"disk\" (batches are "
                 "fsynced to <data-dir>/buffers/<sink>/ and acknowledged to the sources at once; a thread delivers "
                 "them in order, retrying). As a table: buffer.type = \"disk\", buffer.max_size = \"256MiB\" (1MiB "
                 ".. 1TiB; a full buffer blocks the sources, nothing is dropped). docs/formats/disk-buffer.md.",
                 false,
                 {},
                 {},
                 {"memory", "disk"}};
    this->add(
        std::move(s),
        [field](const toml::node& n, void* t, const std::string& where) -> Status {
          SLUICE_ASSIGN_OR_RETURN(static_cast<T*>(t)->*field, buffer_option_detail::read_buffer(n, where));
          return Status::Ok();
        },
        [field](void* t) { static_cast<T*>(t)->*field = BufferOptions{}; });
    return *this;
  }
};

/// Returns `inner` as is for buffer.type = "memory" (or when only checking
/// the config); for "disk", a DiskBufferSink around it keeping its data in
/// `<state_dir>/buffers/<sink_name>/`. `sink_type` labels metrics ("http").
/// Errors: `inner`'s; InvalidArgument when state_dir is empty (`sluice agent
/// --data-dir ""`); those of opening the buffer.
Result<std::unique_ptr<Sink>> with_buffer(const std::string& sink_name, const std::string& sink_type,
                                          const BufferOptions& options, const std::string& state_dir, bool check_only,
                                          Result<std::unique_ptr<Sink>> inner, Env* env = Env::posix());

}  // namespace sluice
