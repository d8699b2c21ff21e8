#include "pipeline/sinks/store/store_sink.hpp"

#include <algorithm>

namespace sluice {

const OptionTable<StoreSinkOptions>& store_sink_option_table() {
  static const OptionTable<StoreSinkOptions> kTable = [] {
    OptionTable<StoreSinkOptions> t;
    t.add_string("stream", &StoreSinkOptions::stream, "",
                 "Stream to append to ([a-z0-9_.-]{1,64}); created when missing. Queried as the SQL table of the "
                 "same name. Empty: the stream each batch's source asks for (a network source's `stream`, an "
                 "Elasticsearch index); a batch that names none is rejected.");
    return t;
  }();
  return kTable;
}

namespace {

/// Owned by the pipeline; write() runs on the sink's worker thread.
class StoreSink final : public Sink {
 public:
  /// `fixed` is the configured stream, or null to follow each batch's.
  StoreSink(Store* store, Stream* fixed) : store_(store), fixed_(fixed) {}

  SinkResult write(LogBatch& batch, std::string* error) override {
    Stream* stream = fixed_;
    if (stream == nullptr) {
      if (!valid_stream_name(batch.stream)) {
        *error = "the batch names no valid stream (\"" + batch.stream +
                 "\"; expected [a-z0-9_.-]{1,64}) and the sink has no `stream` option";
        return SinkResult::kFatal;
      }
      auto s = store_->stream(batch.stream);
      if (!s.ok()) {
        *error = s.status().to_string();
        return SinkResult::kRetry;
      }
      stream = *s;
    }
    auto r = stream->append(batch);
    if (r.ok()) return SinkResult::kOk;
    *error = r.status().to_string();
    return r.status().code() == StatusCode::kInvalidArgument ? SinkResult::kFatal : SinkResult::kRetry;
  }

  bool commits_positions() const override { return true; }

  std::unordered_map<std::string, uint64_t> committed_positions(const std::string& source) override {
    if (fixed_) return fixed_->committed_positions(source);
    // Following each batch's stream, a source's positions may be in any
    // stream (an otlp source's agents choose theirs): per key the furthest.
    std::unordered_map<std::string, uint64_t> out;
    for (const auto& info : store_->list_streams()) {
      Stream* s = store_->find_stream(info.name);
      if (s == nullptr) continue;
      for (const auto& [key, offset] : s->committed_positions(source)) {
        uint64_t& slot = out[key];
        slot = std::max(slot, offset);
      }
    }
    return out;
  }

 private:
  Store* store_;
  Stream* fixed_;
};

}  // namespace

Result<std::unique_ptr<Sink>> make_store_sink(Store* store, const StoreSinkOptions& options) {
  Stream* fixed = nullptr;
  if (!options.stream.empty()) {
    SLUICE_ASSIGN_OR_RETURN(fixed, store->stream(options.stream));
  }
  return std::unique_ptr<Sink>(std::make_unique<StoreSink>(store, fixed));
}

}  // namespace sluice
