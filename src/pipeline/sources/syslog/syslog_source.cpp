#include "pipeline/sources/syslog/syslog_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "pipeline/sources/delivery.hpp"

namespace sluice {
namespace {

constexpr size_t kReadBufferBytes = 64 * 1024;
constexpr size_t kUdpQueueBatches = 16;
constexpr size_t kMaxUdpDatagram = 65535;

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// "10.0.0.1:5140" -> "10.0.0.1"; "::1:5140" -> "::1".
std::string_view address_of(std::string_view peer) {
  size_t colon = peer.rfind(':');
  return colon == std::string_view::npos ? peer : peer.substr(0, colon);
}

}  // namespace

SyslogSource::SyslogSource(std::string name, SyslogSourceOptions options, std::unique_ptr<SyslogTlsContext> tls)
    : name_(std::move(name)),
      error_prefix_("sources." + name_ + ": "),
      options_(std::move(options)),
      tls_(std::move(tls)) {
  // The options were validated by make_syslog_source; defaults on error.
  if (auto f = syslog_format_from_name(options_.format); f.ok()) parser_.format = *f;
  if (auto tz = syslog_time_zone_from_name(options_.timezone); tz.ok()) parser_.time_zone = *tz;
  if (auto fr = syslog_framing_from_name(options_.framing); fr.ok()) framing_ = *fr;
  auto& m = MetricsRegistry::global();
  Labels l{{"listener", name_}};
  counters_.messages = &m.counter("sluice_syslog_messages_total", "Syslog messages received (records made).", l);
  counters_.parse_errors = &m.counter("sluice_syslog_parse_errors_total",
                                      "Syslog messages kept unparsed with parse.error (not RFC 5424/3164).", l);
  counters_.malformed = &m.counter("sluice_syslog_malformed_frames_total",
                                   "TCP connections closed because their framing (RFC 6587) was malformed.", l);
  counters_.oversize = &m.counter("sluice_syslog_oversize_frames_total",
                                  "Datagrams and octet-counted frames skipped for exceeding max_message_bytes.", l);
  counters_.dropped = &m.counter("sluice_syslog_dropped_total",
                                 "Syslog records dropped: the UDP queue was full or a batch was not delivered.", l);
  pending_.stream = options_.stream;
}

SyslogSource::~SyslogSource() { stop(); }

uint16_t SyslogSource::port() const {
  if (udp_) return udp_->port();
  if (tcp_) return tcp_->port();
  return 0;
}

Status SyslogSource::start(SourceContext* ctx) {
  ctx_ = ctx;
  if (options_.mode == "udp") {
    UdpServerOptions o;
    o.name = name_;
    o.listen = options_.listen;
    o.max_datagram_bytes = std::min<uint64_t>(options_.max_message_bytes, kMaxUdpDatagram);
    udp_ = std::make_unique<UdpServer>(
        o, [this](std::string_view d, bool truncated, const std::string& peer) { on_datagram(d, truncated, peer); });
    udp_delivery_ = std::thread([this] { udp_delivery_loop(); });
    Status st = udp_->start();
    if (!st.ok()) {
      stop();
      return st.with_context("sources." + name_);
    }
  } else {
    TcpServerOptions o;
    o.name = name_;
    o.listen = options_.listen;
    o.idle_timeout = options_.idle_timeout;
    o.max_connections = options_.max_connections;
    tcp_ = std::make_unique<TcpServer>(o, [this](TcpConnection& c) { serve(c); });
    SLUICE_RETURN_IF_ERROR(tcp_->start().with_context("sources." + name_));
  }
  spdlog::info("sources.{}: syslog over {}{} on {} (port {})", name_, options_.mode, tls_ ? "+tls" : "",
               options_.listen, port());
  return Status::Ok();
}

void SyslogSource::stop() {
  if (tcp_) tcp_->stop();
  if (udp_) udp_->stop();
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (udp_delivery_.joinable()) udp_delivery_.join();
}

bool SyslogSource::batch_is_full(size_t records, uint64_t bytes) const {
  return records >= static_cast<size_t>(options_.max_batch_records) || bytes >= options_.max_batch_bytes;
}

LogRecord SyslogSource::make_record(std::string_view text, LinePart part, std::string_view peer_address,
                                    int64_t now_ns) {
  LogRecord rec;
  rec.observed_timestamp_ns = now_ns;
  if (part == LinePart::kWhole || part == LinePart::kFirst) {
    if (!parse_syslog_into(text, parser_, error_prefix_, rec)) counters_.parse_errors->inc();
  } else {
    rec.body = std::string(text);  // the rest of a cut line has no header
  }
  if (part != LinePart::kWhole) set_key_value(rec.attributes, "log.split", std::string(line_part_name(part)));
  set_key_value(rec.attributes, "client.address", std::string(peer_address));
  counters_.messages->inc();
  return rec;
}

// ---- UDP -------------------------------------------------------------------

void SyslogSource::on_datagram(std::string_view datagram, bool truncated, const std::string& peer) {
  if (truncated) {
    counters_.oversize->inc();
    return;
  }
  std::string_view text = trim_syslog_trailer(datagram);
  if (text.empty()) return;
  LogRecord rec = make_record(text, LinePart::kWhole, address_of(peer), wall_ns());
  std::lock_guard<std::mutex> l(mu_);
  if (full_.size() >= kUdpQueueBatches) {
    counters_.dropped->inc();
    return;
  }
  if (pending_.records.empty()) pending_since_ns_ = steady_ns();
  pending_bytes_ += rec.body.size();
  pending_.records.push_back(std::move(rec));
  if (batch_is_full(pending_.records.size(), pending_bytes_)) {
    full_.push_back(std::move(pending_));
    pending_ = LogBatch{};
    pending_.stream = options_.stream;
    pending_bytes_ = 0;
    cv_.notify_one();
  } else if (pending_.records.size() == 1) {
    cv_.notify_one();  // starts the batch_timeout clock
  }
}

void SyslogSource::udp_delivery_loop() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    // Wait for a full batch, the batch_timeout of the oldest pending record, or stop.
    while (!stopping_ && full_.empty()) {
      if (pending_.records.empty()) {
        cv_.wait(l);
        continue;
      }
      int64_t due = pending_since_ns_ + options_.batch_timeout.count();
      int64_t now = steady_ns();
      if (now >= due) break;
      cv_.wait_for(l, std::chrono::nanoseconds(due - now));
    }
    LogBatch batch;
    if (!full_.empty()) {
      batch = std::move(full_.front());
      full_.pop_front();
    } else if (!pending_.records.empty()) {
      batch = std::move(pending_);
      pending_ = LogBatch{};
      pending_.stream = options_.stream;
      pending_bytes_ = 0;
    } else {
      return;  // stopping, and everything was handed on
    }
    l.unlock();
    size_t n = batch.records.size();
    Status st = deliver(*ctx_, std::move(batch), options_.ack_timeout);
    if (!st.ok()) {
      counters_.dropped->inc(n);
      spdlog::warn("sources.{}: {} UDP syslog records not delivered: {}", name_, n, st.to_string());
    }
    l.lock();
  }
}

// ---- TCP / TLS -------------------------------------------------------------

bool SyslogSource::deliver_tcp(LogBatch& batch, const std::string& peer) {
  size_t n = batch.records.size();
  Status st = deliver(*ctx_, std::move(batch), options_.ack_timeout);
  batch = LogBatch{};
  batch.stream = options_.stream;
  if (st.ok()) return true;
  counters_.dropped->inc(n);
  if (st.code() == StatusCode::kInvalidArgument) {  // rejected for good: the next batch may be fine
    spdlog::warn("sources.{}: {} records from {} rejected: {}", name_, n, peer, st.message());
    return true;
  }
  spdlog::warn("sources.{}: closing the connection from {}: {} records not delivered: {}", name_, peer, n,
               st.to_string());
  return false;
}

void SyslogSource::serve(TcpConnection& conn) {
  const std::string peer = conn.peer();
  const std::string address(address_of(peer));
  std::unique_ptr<SyslogByteStream> in;
  if (tls_) {
    auto s = tls_->accept(conn);
    if (!s.ok()) {
      spdlog::info("sources.{}: {}", name_, s.status().message());
      return;
    }
    in = std::move(s).value();
  } else {
    in = make_plain_stream(conn);
  }
  SyslogFrameDecoder decoder(framing_, options_.max_message_bytes);
  LogBatch batch;
  batch.stream = options_.stream;
  int64_t batch_since = 0;
  uint64_t batch_bytes = 0;
  int64_t now = 0;
  bool open = true;  // false once a delivery failed: the connection closes
  uint64_t oversize_seen = 0;
  SyslogFrameDecoder::FrameFn on_frame = [&](const SyslogFrame& f) {
    if (!open) return;
    if (batch.records.empty()) {
      batch_since = steady_ns();
      batch_bytes = 0;
    }
    batch.records.push_back(make_record(f.text, f.part, address, now));
    batch_bytes += batch.records.back().body.size();
    if (batch_is_full(batch.records.size(), batch_bytes)) open = deliver_tcp(batch, peer);
  };
  std::vector<char> buf(kReadBufferBytes);
  while (open && !conn.stopping()) {
    Result<size_t> n = in->read_some(buf.data(), buf.size());
    if (!n.ok()) {
      spdlog::debug("sources.{}: {}", name_, n.status().message());
      break;
    }
    now = wall_ns();
    Status st = *n == 0 ? decoder.finish(on_frame) : decoder.feed(std::string_view(buf.data(), *n), on_frame);
    counters_.oversize->inc(decoder.oversize_frames() - oversize_seen);
    oversize_seen = decoder.oversize_frames();
    if (!st.ok()) {
      counters_.malformed->inc();
      spdlog::warn("sources.{}: closing the connection from {}: {}", name_, peer, st.message());
      break;
    }
    if (*n == 0) break;
    if (open && !batch.records.empty() &&
        (!in->has_pending() || steady_ns() - batch_since >= options_.batch_timeout.count())) {
      open = deliver_tcp(batch, peer);
    }
  }
  // Frames read before an error or the end of the stream are valid.
  if (open && !batch.records.empty()) deliver_tcp(batch, peer);
}

// ---- factory ---------------------------------------------------------------

Result<std::unique_ptr<Source>> make_syslog_source(const std::string& name, const SyslogSourceOptions& options) {
  SLUICE_RETURN_IF_ERROR(validate_syslog_source_options(options));
  std::unique_ptr<SyslogTlsContext> tls;
  if (!options.tls_cert_file.empty()) {
    SLUICE_ASSIGN_OR_RETURN(tls, SyslogTlsContext::load(options.tls_cert_file, options.tls_key_file));
  }
  return std::unique_ptr<Source>(std::make_unique<SyslogSource>(name, options, std::move(tls)));
}

}  // namespace sluice
