// set, rename and drop: three small transforms that edit fields in place
// (Vector's remap assignments and del(), Fluent Bit's modify filter
// Set/Rename/Remove). Field paths: condition/field_path.hpp.
//
//   set     fields = { "attributes.env" = "prod", severity_text = "WARN" }
//           Sets each field to the constant, replacing what was there.
//   rename  fields = { "attributes.msg" = "body" }   (from = to)
//           Moves the value: the target is overwritten, the source removed.
//           A record without the source field is left alone.
//   drop    fields = ["attributes.password", "resource"]
//           Removes attributes (or whole maps); text fields become empty.
//
// Records keep their order; batches keep their positions and acks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pipeline/component.hpp"
#include "pipeline/transforms/condition/field_path.hpp"
#include "pipeline/transforms/set_fields/field_map_option.hpp"

namespace sluice {

/// [transforms.<name>] type = "set".
struct SetOptions {
  FieldMap fields;  ///< path -> constant value
};
/// [transforms.<name>] type = "rename".
struct RenameOptions {
  FieldMap fields;  ///< from path -> to path
};
/// [transforms.<name>] type = "drop".
struct DropOptions {
  std::vector<std::string> fields;  ///< paths; `attributes` / `resource` alone clear the map
};

const OptionTable<SetOptions>& set_option_table();
const OptionTable<RenameOptions>& rename_option_table();
const OptionTable<DropOptions>& drop_option_table();

/// The set transform. Owned by the pipeline; one thread at a time;
/// immutable after construction.
class SetFields final : public Transform {
 public:
  /// InvalidArgument naming the bad path (whole maps are not settable).
  static Result<std::unique_ptr<SetFields>> create(const SetOptions& options);
  void process(LogBatch& batch) override;

 private:
  std::vector<std::pair<FieldPath, std::string>> fields_;
};

/// The rename transform; as SetFields.
class RenameFields final : public Transform {
 public:
  /// InvalidArgument naming the bad path (whole maps cannot be renamed).
  static Result<std::unique_ptr<RenameFields>> create(const RenameOptions& options);
  void process(LogBatch& batch) override;

 private:
  std::vector<std::pair<FieldPath, FieldPath>> fields_;
};

/// The drop transform; as SetFields.
class DropFields final : public Transform {
 public:
  /// InvalidArgument naming the bad path, or when `fields` is empty.
  static Result<std::unique_ptr<DropFields>> create(const DropOptions& options);
  void process(LogBatch& batch) override;

 private:
  std::vector<FieldPath> fields_;
};

Result<std::unique_ptr<Transform>> make_set(const SetOptions& options);
Result<std::unique_ptr<Transform>> make_rename(const RenameOptions& options);
Result<std::unique_ptr<Transform>> make_drop(const DropOptions& options);

}  // namespace sluice
