#include "pipeline/sources/http_listener.hpp"

#include <spdlog/spdlog.h>

#include "common/compression.hpp"
#include "pipeline/sources/delivery.hpp"

namespace sluice {

HttpListenerSource::HttpListenerSource(std::string name, HttpListenerOptions options)
    : name_(std::move(name)), options_(std::move(options)) {}

HttpListenerSource::~HttpListenerSource() { stop(); }

Status HttpListenerSource::start(SourceContext* ctx) {
  ctx_ = ctx;
  HttpServerOptions o;
  o.name = name_;
  o.listen = options_.listen;
  o.max_body_bytes = options_.max_body_bytes;
  o.idle_timeout = options_.idle_timeout;
  o.max_connections = options_.max_connections;
  server_ = std::make_unique<HttpServer>(o, [this](const HttpRequest& r) { return handle(r); });
  SLUICE_RETURN_IF_ERROR(server_->start());
  spdlog::info("sources.{}: listening on {} (port {})", name_, options_.listen, server_->port());
  return Status::Ok();
}

void HttpListenerSource::stop() {
  if (server_) server_->stop();
}

uint16_t HttpListenerSource::port() const { return server_ ? server_->port() : 0; }

Result<std::string> HttpListenerSource::read_body(const HttpRequest& request,
                                                  const std::string& default_encoding) const {
  std::string enc = request.header("content-encoding");
  SLUICE_ASSIGN_OR_RETURN(Compression c, compression_from_name(enc.empty() ? default_encoding : enc));
  return decompress(c, request.body, options_.max_decompressed_bytes);
}

Status HttpListenerSource::deliver(LogBatch&& batch) {
  if (batch.size() == 0 && batch.positions.empty()) return Status::Ok();
  return sluice::deliver(*ctx_, std::move(batch), options_.ack_timeout);
}

}  // namespace sluice
