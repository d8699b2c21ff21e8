#include "pipeline/sources/delivery.hpp"

#include <condition_variable>
#include <mutex>

namespace sluice {

Status deliver(SourceContext& ctx, LogBatch&& batch, std::chrono::nanoseconds timeout) {
  struct Outcome {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    DeliveryStatus status = DeliveryStatus::kDelivered;
    std::string reason;
  };
  auto outcome = std::make_shared<Outcome>();
  batch.acks.push_back(std::make_shared<Acknowledgement>([outcome](DeliveryStatus s, const std::string& reason) {
    std::lock_guard<std::mutex> l(outcome->mu);
    outcome->done = true;
    outcome->status = s;
    outcome->reason = reason;
    outcome->cv.notify_all();
  }));
  Status st;
  {
    // What emit() did not pass on (the pipeline is stopping) is released at
    // the end of this scope, so the acknowledgement cannot wait on it.
    LogBatch local = std::move(batch);
    st = ctx.emit(std::move(local));
  }
  std::unique_lock<std::mutex> l(outcome->mu);
  if (!outcome->cv.wait_for(l, timeout, [&] { return outcome->done; })) {
    return Status::Unavailable("the batch was not durable within " +
                               std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()) +
                               " ms; it may still be written");
  }
  switch (outcome->status) {
    case DeliveryStatus::kDelivered:
      return Status::Ok();
    case DeliveryStatus::kRejected:
      return Status::InvalidArgument(outcome->reason);
    case DeliveryStatus::kErrored:
      break;
  }
  return Status::Unavailable(outcome->reason.empty() ? st.to_string() : outcome->reason);
}

}  // namespace sluice
