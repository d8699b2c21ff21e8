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
    Stream* stream = nullptr;
    SinkResult found = find_stream(batch, &stream, error);
    if (found != SinkResult::kOk) return found;
    return outcome(stream->append(batch), error);
  }

  /// A queue's worth of batches per stream in one group commit, so that a
  /// busy stream pays one WAL fsync for several batches, not one each.
  size_t max_group() const override { return kMaxGroup; }

  void write_group(std::span<LogBatch* const> batches, std::vector<SinkResult>* results,
                   std::vector<std::string>* errors) override {
    // Consecutive batches for the same stream go together. After a batch
    // that may succeed later (kRetry) nothing more is written, so that the
    // engine's retries keep the batches, and their positions, in order.
    size_t i = 0;
    while (i < batches.size()) {
      Stream* stream = nullptr;
      SinkResult found = find_stream(*batches[i], &stream, &(*errors)[i]);
      (*results)[i] = found;
      if (found == SinkResult::kFatal) {
        ++i;
        continue;
      }
      size_t end = i + 1;
      if (found == SinkResult::kOk) {
        while (end < batches.size() && (fixed_ != nullptr || batches[end]->stream == batches[i]->stream)) ++end;
        std::vector<Result<AppendResult>> written = stream->append_group(batches.subspan(i, end - i));
        for (size_t k = 0; k < written.size(); ++k) (*results)[i + k] = outcome(written[k], &(*errors)[i + k]);
      }
      bool retry = std::any_of(results->begin() + i, results->begin() + end,
                               [](SinkResult r) { return r == SinkResult::kRetry; });
      i = end;
      if (!retry) continue;
      for (; i < batches.size(); ++i) {
        (*results)[i] = SinkResult::kRetry;
        (*errors)[i] = "not written: an earlier batch of the group failed";
      }
    }
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
  static constexpr size_t kMaxGroup = 16;

  /// The stream `batch` goes to: kOk with `*stream` set, or the failure.
  SinkResult find_stream(const LogBatch& batch, Stream** stream, std::string* error) {
    *stream = fixed_;
    if (*stream != nullptr) return SinkResult::kOk;
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
    *stream = *s;
    return SinkResult::kOk;
  }

  static SinkResult outcome(const Result<AppendResult>& r, std::string* error) {
    if (r.ok()) return SinkResult::kOk;
    *error = r.status().to_string();
    return r.status().code() == StatusCode::kInvalidArgument ? SinkResult::kFatal : SinkResult::kRetry;
  }

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
