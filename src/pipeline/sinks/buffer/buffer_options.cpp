#include "pipeline/sinks/buffer/buffer_options.hpp"

#include "pipeline/sinks/buffer/disk_buffer_sink.hpp"

namespace sluice {

const OptionTable<BufferOptions>& buffer_option_table() {
  static const OptionTable<BufferOptions> kTable = [] {
    OptionTable<BufferOptions> t;
    t.add_enum("type", &BufferOptions::type, "memory", {"memory", "disk"},
               "memory: no buffer; disk: a durable buffer in <data-dir>/buffers/<sink>/.")
        .add_size("max_size", &BufferOptions::max_size, "256MiB", "1MiB", "1TiB",
                  "Cap on the disk buffer's bytes on disk; while it is reached, writes block (backpressure).");
    return t;
  }();
  return kTable;
}

namespace buffer_option_detail {

Result<BufferOptions> read_buffer(const toml::node& n, const std::string& where) {
  BufferOptions o;
  if (n.is_string()) {
    SLUICE_ASSIGN_OR_RETURN(o.type, option_detail::read_enum(n, where, {"memory", "disk"}));
    return o;
  }
  const toml::table* t = n.as_table();
  if (t == nullptr) {
    return Status::InvalidArgument(where +
                                   ": expected \"memory\", \"disk\" or a table such as { type = \"disk\", "
                                   "max_size = \"256MiB\" }");
  }
  // `where` is "<file:line:col>: sinks.NAME.buffer"; the sub-table's own
  // messages carry their own locations.
  auto colon = where.rfind(": ");
  std::string section = colon == std::string::npos ? where : where.substr(colon + 2);
  std::string file = n.source().path ? std::string(*n.source().path) : std::string();
  SLUICE_RETURN_IF_ERROR(buffer_option_table().apply(*t, &o, section, file));
  return o;
}

}  // namespace buffer_option_detail

Result<std::unique_ptr<Sink>> with_buffer(const std::string& sink_name, const std::string& sink_type,
                                          const BufferOptions& options, const std::string& state_dir, bool check_only,
                                          Result<std::unique_ptr<Sink>> inner, Env* env) {
  if (!inner.ok() || options.type != "disk" || check_only) return inner;
  if (state_dir.empty()) {
    return Status::InvalidArgument("buffer.type = \"disk\" needs a state directory for " + sink_name +
                                   "'s buffer: run `sluice agent --data-dir DIR` (or `sluice run`)");
  }
  DiskBufferSinkConfig c;
  c.name = sink_name;
  c.type = sink_type;
  c.dir = state_dir + "/buffers/" + sink_name;
  c.max_bytes = options.max_size;
  SLUICE_ASSIGN_OR_RETURN(auto s, DiskBufferSink::open(env, std::move(c), std::move(inner).value()));
  return std::unique_ptr<Sink>(std::move(s));
}

}  // namespace sluice
