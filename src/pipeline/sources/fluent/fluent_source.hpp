// The `fluent` source: a Fluent Forward protocol v1 server over TCP (fluentd's
// in_forward, Fluent Bit's in_forward), for Fluent Bit `[OUTPUT] Name
// forward`, fluentd `@type forward`, Docker's fluentd log driver and the
// fluent-logger libraries. docs/protocols/fluent.md is the user's view.
//
// Per connection (one thread each, TcpServer):
// 1. with shared_key set, send HELO and accept nothing but a PING; a PING
//    with the right digest gets PONG true, any other gets PONG false and
//    the connection is closed;
// 2. decode requests as they arrive (ForwardDecoder); each request's events
//    are mapped to LogRecords (fluent_record.hpp) and delivered in batches of
//    at most max_batch_records, each waiting until it is durable
//    (backpressure: the next request is not read before), then, when the
//    request carried a `chunk` option, answer {"ack": chunk};
// 3. a malformed or oversized request, a failed delivery or an ack time-out
//    closes that connection only, without an ack (the client resends), with
//    the reason logged. A request larger than one batch is checked whole
//    before its first batch is sent, so a malformed one stores nothing.
#pragma once

#include <memory>
#include <string>

#include "common/status.hpp"
#include "net/tcp_server.hpp"
#include "pipeline/component.hpp"
#include "pipeline/sources/fluent/fluent_record.hpp"
#include "pipeline/sources/fluent/fluent_source_options.hpp"

namespace sluice {

class Counter;
class ForwardMessage;

/// Owner: the pipeline engine (through make_fluent_source). Threads: start()
/// and stop() from the engine's thread; connections are served concurrently
/// on TcpServer's threads, which share only const state, the counters and
/// the SourceContext (thread-safe emit). The SourceContext passed to
/// start() must stay live until stop() returns.
class FluentSource final : public Source {
 public:
  /// `options` must have passed validate_fluent_source_options().
  FluentSource(std::string name, FluentSourceOptions options);
  ~FluentSource() override;

  FluentSource(const FluentSource&) = delete;
  FluentSource& operator=(const FluentSource&) = delete;

  /// Binds `listen` and starts accepting. IOError when the address is taken.
  Status start(SourceContext* ctx) override;
  /// Stops accepting, closes every connection, joins their threads.
  /// Idempotent.
  void stop() override;
  /// The bound port (after start; useful with port 0).
  uint16_t port() const;

 private:
  struct Connection;

  void serve(TcpConnection& conn);
  /// Handles one request; non-ok closes the connection (the message is the
  /// logged reason).
  Status handle(Connection& c, ForwardMessage& message);
  Status handle_events(Connection& c, ForwardMessage& message);
  Status deliver_batch(LogBatch&& batch);

  const std::string name_;
  const FluentSourceOptions options_;
  const FluentRecordMapping mapping_;
  std::string self_hostname_;
  SourceContext* ctx_ = nullptr;
  std::unique_ptr<TcpServer> server_;
  Counter* events_ = nullptr;
  Counter* closed_on_error_ = nullptr;
};

/// Validates `options` and builds a fluent source named `name`.
Result<std::unique_ptr<Source>> make_fluent_source(std::string name, const FluentSourceOptions& options);

}  // namespace sluice
