// Options of the `fluent` source (Fluent Forward protocol v1 over TCP).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "config/options.hpp"

namespace sluice {

/// Configuration of one fluent source. A plain value; see
/// fluent_source_option_table() for the meaning and bounds of each field.
struct FluentSourceOptions {
  std::string listen = "127.0.0.1:24224";
  std::string stream = "fluent";
  uint64_t max_frame_bytes = 16ULL << 20;
  uint64_t max_decompressed_bytes = 64ULL << 20;
  std::chrono::nanoseconds idle_timeout = std::chrono::minutes(5);
  int64_t max_connections = 256;
  std::chrono::nanoseconds ack_timeout = std::chrono::seconds(30);
  int64_t max_batch_records = 8192;
  std::string shared_key;     ///< empty: no handshake
  std::string self_hostname;  ///< empty: gethostname()
  std::vector<std::string> body_keys = {"message", "log"};
  std::vector<std::string> severity_keys = {"level", "severity"};
};

/// The option table of the `fluent` source. Built once; safe to call from
/// any thread.
const OptionTable<FluentSourceOptions>& fluent_source_option_table();

/// Checks what the table's bounds cannot: `stream` is a valid stream name
/// ([a-z0-9_.-]{1,64}). InvalidArgument naming the option otherwise.
Status validate_fluent_source_options(const FluentSourceOptions& options);

}  // namespace sluice
