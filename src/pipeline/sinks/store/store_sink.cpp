#include "pipeline/sinks/store/store_sink.hpp"

namespace sluice {

const OptionTable<StoreSinkOptions>& store_sink_option_table() {
  static const OptionTable<StoreSinkOptions> kTable = [] {
    OptionTable<StoreSinkOptions> t;
    t.add_string("stream", &StoreSinkOptions::stream, "",
                 "Stream to append to ([a-z0-9_.-]{1,64}); created when missing. Queried as the SQL table of the "
                 "same name.",
                 true);
    return t;
  }();
  return kTable;
}

namespace {

/// Owned by the pipeline; write() runs on the sink's worker thread.
class StoreSink final : public Sink {
 public:
  explicit StoreSink(Stream* stream) : stream_(stream) {}

  SinkResult write(LogBatch& batch, std::string* error) override {
    auto r = stream_->append(batch);
    if (r.ok()) return SinkResult::kOk;
    *error = r.status().to_string();
    return r.status().code() == StatusCode::kInvalidArgument ? SinkResult::kFatal : SinkResult::kRetry;
  }

  std::unordered_map<std::string, uint64_t> committed_positions(const std::string& source) override {
    return stream_->committed_positions(source);
  }

 private:
  Stream* stream_;
};

}  // namespace

Result<std::unique_ptr<Sink>> make_store_sink(Store* store, const StoreSinkOptions& options) {
  SLUICE_ASSIGN_OR_RETURN(Stream * s, store->stream(options.stream));
  return std::unique_ptr<Sink>(std::make_unique<StoreSink>(s));
}

}  // namespace sluice
