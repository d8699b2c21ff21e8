// MultiOutputTransform: a transform with several named outputs (route), in
// the style of Vector's named outputs. A consumer lists one of them in its
// `inputs` as "<component>.<output>" (for example "split.errors"); the
// engine (pipeline.cpp) sends each output's batch to that output's consumers
// only.
//
// This contract extends component.hpp's Transform; it lives beside the only
// transform that has it so far (route) and belongs in component.hpp once a
// second one appears.
//
// Owner: the pipeline. Threads: split() is called by one worker thread at a
// time; outputs() is immutable after construction and may be read by any
// thread.
#pragma once

#include <string>
#include <vector>

#include "pipeline/component.hpp"

namespace sluice {

class MultiOutputTransform : public Transform {
 public:
  /// The output names, fixed at construction, each matching [a-z0-9_-]{1,64}.
  virtual const std::vector<std::string>& outputs() const = 0;
  /// Moves the records and samples of `batch` into `out`, resized to one
  /// batch per output (the order of outputs()); a record may go to several
  /// outputs (copied). Every output batch carries all of `batch`'s
  /// positions, acknowledgements and stream, even when it has no records:
  /// each downstream sink then commits the source's positions as if it had
  /// received the whole batch, and the acknowledgement completes only when
  /// every output's consumers have released their copies.
  virtual void split(LogBatch& batch, std::vector<LogBatch>& out) = 0;
  /// Not used by the engine (it calls split()); leaves `batch` unchanged.
  void process(LogBatch& batch) final { (void)batch; }
};

}  // namespace sluice
