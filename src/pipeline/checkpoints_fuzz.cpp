// libFuzzer target: the checkpoint file reader (untrusted bytes: a sink's
// <state_dir>/checkpoints/<sink>.json is read from disk when the pipeline
// builds the sink, docs/formats/checkpoints.md). Any bytes give checkpoints
// or an InvalidArgument that names the file; checkpoints that were read are
// rewritten (a commit, an erase) into a file that reads back with the same
// positions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/env_mem.hpp"
#include "pipeline/checkpoints.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = "/state/checkpoints/out.json";
  auto env = sluice::new_mem_env();
  if (!env->create_dirs("/state/checkpoints").ok()) std::abort();
  if (!env->write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(data), size)).ok()) std::abort();
  auto c = sluice::Checkpoints::open(env.get(), path);
  if (!c.ok()) {
    if (c.status().code() != sluice::StatusCode::kInvalidArgument ||
        c.status().message().find(path) == std::string::npos) {
      std::abort();
    }
    return 0;
  }
  // A source name the input may also use: its positions must survive the
  // rewrites with the one committed here.
  const std::string source = "app";
  auto before = (*c)->positions(source);
  before["fuzz-key"] = 7;
  if (!(*c)->commit({{source, "fuzz-key", 7, "/var/log/\"quoted\"\n"}}).ok()) std::abort();
  if (!(*c)->erase("out").ok()) std::abort();
  auto again = sluice::Checkpoints::open(env.get(), path);
  if (!again.ok() || (*again)->positions(source) != before || !(*again)->positions("out").empty()) std::abort();
  return 0;
}
