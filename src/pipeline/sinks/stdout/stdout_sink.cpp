#include "pipeline/sinks/stdout/stdout_sink.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "pipeline/sinks/encoding.hpp"

namespace sluice {

const OptionTable<StdoutSinkOptions>& stdout_sink_option_table() {
  static const OptionTable<StdoutSinkOptions> kTable = [] {
    OptionTable<StdoutSinkOptions> t;
    t.add_enum("encoding", &StdoutSinkOptions::encoding, "ndjson", sink_encodings(),
               "ndjson: one OpenTelemetry-shaped JSON object per line; text: the body only.");
    return t;
  }();
  return kTable;
}

namespace {

class StdoutSink final : public Sink {
 public:
  explicit StdoutSink(StdoutSinkOptions o) : options_(std::move(o)) {}

  SinkResult write(LogBatch& batch, std::string* error) override {
    std::string out;
    encode_batch(out, batch, options_.encoding);
    static std::mutex mu;
    std::lock_guard<std::mutex> l(mu);
    size_t done = 0;
    while (done < out.size()) {  // looped write(2): STYLE.md bans an unlooped one
      ssize_t n = ::write(STDOUT_FILENO, out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        *error = std::string("writing to stdout: ") + std::strerror(errno);
        return SinkResult::kRetry;
      }
      done += static_cast<size_t>(n);
    }
    return SinkResult::kOk;
  }

 private:
  StdoutSinkOptions options_;
};

}  // namespace

Result<std::unique_ptr<Sink>> make_stdout_sink(const StdoutSinkOptions& options) {
  return std::unique_ptr<Sink>(std::make_unique<StdoutSink>(options));
}

}  // namespace sluice
