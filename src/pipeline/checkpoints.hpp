// Checkpoints: the source positions a sink that cannot store them itself
// (http, file, stdout) has had accepted, kept in a small file per sink so
// that `sluice agent` resumes where the next hop's acknowledgements got to.
//
// File: <state_dir>/checkpoints/<sink>.json, rewritten atomically (temp
// file, fsync, rename) after every acknowledged batch that moves a position;
// format in docs/formats/checkpoints.md. A crash between the next hop's
// acknowledgement and the rewrite resends that one batch (at-least-once),
// except behind a disk buffer, which keeps each batch's positions
// (Sink::uncheckpointed_positions); nothing acknowledged is skipped.
//
// Thread-safety: none of its own; the pipeline guards each file with a
// mutex (CheckpointFile::mu): the sink's worker thread calls commit() after
// each batch, and the thread building a sink (at start or on reload, while
// a predecessor sharing the file may still run) reads positions() and
// calls commit() or erase().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/env.hpp"
#include "model/batch.hpp"

namespace sluice {

class Checkpoints {
 public:
  /// Loads `path` (absent = empty). InvalidArgument naming the file and byte
  /// offset when it is not a checkpoint document: a damaged file stops the
  /// start rather than silently re-reading or skipping data.
  static Result<std::unique_ptr<Checkpoints>> open(Env* env, std::string path);

  /// Positions of `source` by key.
  std::unordered_map<std::string, uint64_t> positions(const std::string& source) const;
  /// Records `moved` and rewrites the file when any position changed.
  Status commit(const std::vector<SourcePosition>& moved);
  /// Forgets every position of `source` and rewrites the file when there
  /// was one.
  Status erase(const std::string& source);

 private:
  Checkpoints(Env* env, std::string path) : env_(env), path_(std::move(path)) {}
  /// Rewrites the file from by_key_.
  Status write();
  Env* env_;
  std::string path_;
  std::map<std::pair<std::string, std::string>, SourcePosition> by_key_;  ///< (source, key) -> position
};

}  // namespace sluice
