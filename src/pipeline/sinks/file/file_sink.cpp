#include "pipeline/sinks/file/file_sink.hpp"

#include "pipeline/sinks/encoding.hpp"

namespace sluice {

const OptionTable<FileSinkOptions>& file_sink_option_table() {
  static const OptionTable<FileSinkOptions> kTable = [] {
    OptionTable<FileSinkOptions> t;
    t.add_string("path", &FileSinkOptions::path, "", "File to append to (absolute path); created when missing.", true)
        .add_enum("encoding", &FileSinkOptions::encoding, "ndjson", sink_encodings(),
                  "ndjson: one OpenTelemetry-shaped JSON object per line; text: the body only.")
        .add_bool("fsync", &FileSinkOptions::fsync, true,
                  "Sync the file before a batch counts as written (the source's position advances only then).");
    return t;
  }();
  return kTable;
}

namespace {

class FileSink final : public Sink {
 public:
  FileSink(Env* env, FileSinkOptions o) : env_(env), options_(std::move(o)) {}

  SinkResult write(LogBatch& batch, std::string* error) override {
    std::string out;
    encode_batch(out, batch, options_.encoding);
    Status st = append(out);
    if (st.ok()) return SinkResult::kOk;
    file_.reset();  // re-open on the retry
    *error = st.to_string();
    return SinkResult::kRetry;
  }

 private:
  Status append(const std::string& data) {
    if (!file_) {
      auto slash = options_.path.rfind('/');
      if (slash != std::string::npos && slash > 0) {
        SLUICE_RETURN_IF_ERROR(env_->create_dirs(options_.path.substr(0, slash)));
      }
      SLUICE_ASSIGN_OR_RETURN(file_, env_->open_appendable(options_.path));
    }
    SLUICE_RETURN_IF_ERROR(file_->append(data));
    if (options_.fsync) SLUICE_RETURN_IF_ERROR(file_->sync());
    return Status::Ok();
  }

  Env* env_;
  FileSinkOptions options_;
  std::unique_ptr<WritableFile> file_;
};

}  // namespace

Result<std::unique_ptr<Sink>> make_file_sink(Env* env, const FileSinkOptions& options) {
  if (options.path.empty() || options.path[0] != '/') {
    return Status::InvalidArgument("path \"" + options.path + "\" must be an absolute path");
  }
  return std::unique_ptr<Sink>(std::make_unique<FileSink>(env, options));
}

}  // namespace sluice
