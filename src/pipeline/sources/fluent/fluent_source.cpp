#include "pipeline/sources/fluent/fluent_source.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <vector>

#include "common/metrics.hpp"
#include "pipeline/sources/delivery.hpp"
#include "pipeline/sources/fluent/forward_decoder.hpp"
#include "pipeline/sources/fluent/forward_handshake.hpp"

namespace sluice {

namespace {

constexpr size_t kReadBytes = 64 * 1024;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `s` with control characters replaced, for quoting client-sent text in a log line.
std::string printable(std::string_view s) {
  std::string out(s.substr(0, 256));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

/// State of one connection, owned by its thread.
struct FluentSource::Connection {
  TcpConnection& tcp;
  std::string nonce;           ///< sent in HELO; empty without a handshake
  bool authenticated = false;  ///< transport phase reached
};

FluentSource::FluentSource(std::string name, FluentSourceOptions options)
    : name_(std::move(name)),
      options_(std::move(options)),
      mapping_{options_.body_keys, options_.severity_keys},
      self_hostname_(options_.self_hostname.empty() ? host_name() : options_.self_hostname) {
  auto& m = MetricsRegistry::global();
  Labels l{{"source", name_}};
  events_ = &m.counter("sluice_fluent_events_total", "Fluent Forward events delivered durably.", l);
  closed_on_error_ = &m.counter("sluice_fluent_connections_closed_on_error_total",
                                "Fluent Forward connections closed for a malformed request, a failed handshake or "
                                "a failed delivery.",
                                l);
}

FluentSource::~FluentSource() { stop(); }

Status FluentSource::start(SourceContext* ctx) {
  if (ctx == nullptr || !ctx->emit) return Status::InvalidArgument("fluent source: start needs an emit function");
  ctx_ = ctx;
  TcpServerOptions o;
  o.name = name_;
  o.listen = options_.listen;
  o.idle_timeout = options_.idle_timeout;
  o.max_connections = options_.max_connections;
  server_ = std::make_unique<TcpServer>(o, [this](TcpConnection& c) { serve(c); });
  SLUICE_RETURN_IF_ERROR(server_->start());
  spdlog::info("sources.{}: Fluent Forward listening on {} (port {}){}", name_, options_.listen, server_->port(),
               options_.shared_key.empty() ? "" : ", shared_key handshake required");
  return Status::Ok();
}

void FluentSource::stop() {
  if (server_) server_->stop();
}

uint16_t FluentSource::port() const { return server_ ? server_->port() : 0; }

void FluentSource::serve(TcpConnection& tcp) {
  Connection c{tcp, "", options_.shared_key.empty()};
  auto close_with = [&](const Status& st) {
    closed_on_error_->inc();
    spdlog::warn("sources.{}: closing connection from {}: {}", name_, tcp.peer(), st.to_string());
  };
  if (!c.authenticated) {
    Result<std::string> nonce = random_bytes(kForwardNonceBytes);
    if (!nonce.ok()) return close_with(nonce.status());
    c.nonce = std::move(nonce).value();
    Status st = tcp.write_all(encode_helo(c.nonce));
    if (!st.ok()) return close_with(st);
  }
  ForwardDecoder decoder({options_.max_frame_bytes, options_.max_decompressed_bytes});
  std::vector<char> buf(kReadBytes);
  while (!tcp.stopping()) {
    Result<size_t> got = tcp.read_some(buf.data(), buf.size());
    if (!got.ok()) {
      // Reset, idle time-out or shutdown: nothing unacknowledged is lost.
      spdlog::debug("sources.{}: {}", name_, got.status().to_string());
      return;
    }
    if (*got == 0) {
      if (decoder.mid_message()) {
        spdlog::warn("sources.{}: {} closed the connection inside a message (after byte {}); it was not acked", name_,
                     tcp.peer(), decoder.framed_offset());
      }
      return;
    }
    Status st = decoder.feed(std::string_view(buf.data(), *got));
    if (!st.ok()) return close_with(st);
    while (true) {
      Result<std::optional<ForwardMessage>> m = decoder.next();
      if (!m.ok()) return close_with(m.status());
      if (!m->has_value()) break;
      st = handle(c, **m);
      if (!st.ok()) return close_with(st);
    }
  }
}

Status FluentSource::handle(Connection& c, ForwardMessage& m) {
  switch (m.kind()) {
    case ForwardMessage::Kind::kHeartbeat:
      return Status::Ok();
    case ForwardMessage::Kind::kPing: {
      if (c.authenticated) {
        return Status::InvalidArgument("byte " + std::to_string(m.stream_offset()) +
                                       ": expected events, found a PING outside a handshake");
      }
      const ForwardPing& p = m.ping();
      PingCheck check = check_ping(p, c.nonce, options_.shared_key);
      Status st = c.tcp.write_all(
          encode_pong(check.ok, check.reason, self_hostname_, p.shared_key_salt, c.nonce, options_.shared_key));
      if (!check.ok) {
        return Status::InvalidArgument("handshake failed for client host \"" + printable(p.client_hostname) +
                                       "\": " + check.reason);
      }
      SLUICE_RETURN_IF_ERROR(st);
      c.authenticated = true;
      return Status::Ok();
    }
    case ForwardMessage::Kind::kEvents:
      if (!c.authenticated) {
        return Status::InvalidArgument("byte " + std::to_string(m.stream_offset()) +
                                       ": expected a PING (shared_key is set), found events before the handshake");
      }
      return handle_events(c, m);
  }
  return Status::Ok();
}

Status FluentSource::handle_events(Connection& c, ForwardMessage& m) {
  const int64_t observed = now_ns();
  const size_t max_batch = static_cast<size_t>(options_.max_batch_records);
  LogBatch batch;
  batch.stream = options_.stream;
  bool checked = false;
  ForwardEvent event;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, m.next_event(&event));
    if (!more) break;
    batch.records.push_back(fluent_log_record(m.tag(), std::move(event), mapping_, observed));
    if (batch.records.size() < max_batch) continue;
    // A full batch goes out before the request is read to its end: check
    // the rest first, so a malformed request stores nothing.
    if (!checked) SLUICE_RETURN_IF_ERROR(m.check_remaining());
    checked = true;
    SLUICE_RETURN_IF_ERROR(deliver_batch(std::move(batch)));
    batch = LogBatch{};
    batch.stream = options_.stream;
  }
  SLUICE_RETURN_IF_ERROR(deliver_batch(std::move(batch)));
  if (m.chunk().empty()) return Status::Ok();
  return c.tcp.write_all(encode_ack(m.chunk()));
}

Status FluentSource::deliver_batch(LogBatch&& batch) {
  if (batch.records.empty()) return Status::Ok();
  const size_t n = batch.records.size();
  Status st = deliver(*ctx_, std::move(batch), options_.ack_timeout);
  if (!st.ok()) return st.with_context("delivering " + std::to_string(n) + " events (not acked)");
  events_->inc(n);
  return Status::Ok();
}

Result<std::unique_ptr<Source>> make_fluent_source(std::string name, const FluentSourceOptions& options) {
  SLUICE_RETURN_IF_ERROR(validate_fluent_source_options(options));
  return std::unique_ptr<Source>(std::make_unique<FluentSource>(std::move(name), options));
}

}  // namespace sluice
