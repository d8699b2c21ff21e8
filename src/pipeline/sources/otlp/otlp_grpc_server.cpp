#include "pipeline/sources/otlp/otlp_grpc_server.hpp"

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/method_handler.h>

#include <algorithm>
#include <climits>

namespace sluice {
namespace {

constexpr char kExportMethod[] = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

grpc::StatusCode grpc_code(StatusCode c) {
  switch (c) {
    case StatusCode::kOk:
      return grpc::StatusCode::OK;
    case StatusCode::kInvalidArgument:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case StatusCode::kResourceExhausted:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case StatusCode::kUnavailable:
    case StatusCode::kCancelled:
      return grpc::StatusCode::UNAVAILABLE;
    case StatusCode::kDeadlineExceeded:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    default:
      return grpc::StatusCode::INTERNAL;
  }
}

/// LogsService with Export taking and returning raw bytes.
class RawLogsService : public grpc::Service {
 public:
  RawLogsService(OtlpGrpcHandler handler, std::vector<OtlpGrpcMethod> more)
      : handler_(std::move(handler)), more_(std::move(more)) {
    // AddMethod takes ownership of both objects (grpc::Service keeps them
    // in unique_ptrs); this is how gRPC's generated services register.
    AddMethod(new grpc::internal::RpcServiceMethod(
        kExportMethod, grpc::internal::RpcMethod::NORMAL_RPC,
        new grpc::internal::RpcMethodHandler<RawLogsService, grpc::ByteBuffer, grpc::ByteBuffer>(
            [](RawLogsService* s, grpc::ServerContext*, const grpc::ByteBuffer* req, grpc::ByteBuffer* resp) {
              return s->Export(s->handler_, *req, resp);
            },
            this)));
    // The other services' methods on the same object: gRPC registers each
    // method by its full path. The method keeps the path's pointer; more_
    // is not changed after this.
    for (size_t i = 0; i < more_.size(); ++i) {
      AddMethod(new grpc::internal::RpcServiceMethod(
          more_[i].path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC,
          new grpc::internal::RpcMethodHandler<RawLogsService, grpc::ByteBuffer, grpc::ByteBuffer>(
              [i](RawLogsService* s, grpc::ServerContext*, const grpc::ByteBuffer* req, grpc::ByteBuffer* resp) {
                return s->Export(s->more_[i].handler, *req, resp);
              },
              this)));
    }
  }

 private:
  grpc::Status Export(const OtlpGrpcHandler& handler, const grpc::ByteBuffer& req, grpc::ByteBuffer* resp) {
    std::vector<grpc::Slice> slices;
    if (!req.Dump(&slices).ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "cannot read the request");
    std::string bytes;
    bytes.reserve(req.Length());
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    std::string out;
    Status st = handler(bytes, &out);
    if (!st.ok()) return grpc::Status(grpc_code(st.code()), st.message());
    grpc::Slice slice(out);
    *resp = grpc::ByteBuffer(&slice, 1);
    return grpc::Status::OK;
  }

  OtlpGrpcHandler handler_;
  std::vector<OtlpGrpcMethod> more_;
};

}  // namespace

struct OtlpGrpcServer::Impl {
  OtlpGrpcServerOptions options;
  RawLogsService service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;

  Impl(OtlpGrpcServerOptions o, OtlpGrpcHandler h, std::vector<OtlpGrpcMethod> more)
      : options(std::move(o)), service(std::move(h), std::move(more)) {}
};

OtlpGrpcServer::OtlpGrpcServer(OtlpGrpcServerOptions options, OtlpGrpcHandler handler, std::vector<OtlpGrpcMethod> more)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(more))) {}

OtlpGrpcServer::~OtlpGrpcServer() { stop(); }

Status OtlpGrpcServer::start() {
  const auto& o = impl_->options;
  grpc::ServerBuilder b;
  b.AddListeningPort(o.listen, grpc::InsecureServerCredentials(), &impl_->port);
  b.RegisterService(&impl_->service);
  b.SetMaxReceiveMessageSize(static_cast<int>(std::min<uint64_t>(o.max_receive_bytes, INT_MAX)));
  grpc::ResourceQuota quota("sluice-otlp-" + o.name);
  quota.SetMaxThreads(static_cast<int>(std::clamp<int64_t>(o.max_threads, 2, INT_MAX)));
  b.SetResourceQuota(quota);
  auto idle_ms = std::chrono::duration_cast<std::chrono::milliseconds>(o.idle_timeout).count();
  b.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, static_cast<int>(std::min<int64_t>(idle_ms, INT_MAX)));
  impl_->server = b.BuildAndStart();
  if (impl_->server == nullptr || impl_->port == 0) {
    impl_->server.reset();
    return Status::IOError("gRPC listener: cannot listen on \"" + o.listen + "\"");
  }
  return Status::Ok();
}

void OtlpGrpcServer::stop() {
  if (impl_->server) {
    impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    impl_->server->Wait();
    impl_->server.reset();
  }
}

uint16_t OtlpGrpcServer::port() const { return static_cast<uint16_t>(impl_->port); }

}  // namespace sluice
