#include "pipeline/transforms/set_fields/set_fields.hpp"

namespace sluice {

const OptionTable<SetOptions>& set_option_table() {
  static const FieldMapOptionTable<SetOptions> table = [] {
    FieldMapOptionTable<SetOptions> t;
    t.add_field_map("fields", &SetOptions::fields,
                    "Field path -> value to set: an inline table { \"attributes.env\" = \"prod\" } (applied in key "
                    "order) or a list [\"attributes.env=prod\"] (applied in order).");
    return t;
  }();
  return table;
}

const OptionTable<RenameOptions>& rename_option_table() {
  static const FieldMapOptionTable<RenameOptions> table = [] {
    FieldMapOptionTable<RenameOptions> t;
    t.add_field_map("fields", &RenameOptions::fields,
                    "Source path -> target path: an inline table { \"attributes.msg\" = \"body\" } (applied in key "
                    "order) or a list [\"attributes.msg=body\"] (applied in order). The target is overwritten; "
                    "records without the source are left alone.");
    return t;
  }();
  return table;
}

const OptionTable<DropOptions>& drop_option_table() {
  static const OptionTable<DropOptions> table = [] {
    OptionTable<DropOptions> t;
    t.add_string_list("fields", &DropOptions::fields, {},
                      "Field paths to remove; \"attributes\" or \"resource\" alone clear the whole map.",
                      /*required=*/true);
    return t;
  }();
  return table;
}

Result<std::unique_ptr<SetFields>> SetFields::create(const SetOptions& options) {
  if (options.fields.empty()) return Status::InvalidArgument("set: fields must not be empty");
  auto t = std::make_unique<SetFields>();
  for (const auto& [path, value] : options.fields) {
    auto p = parse_field_path(path);
    if (!p.ok()) return p.status().with_context("set: fields");
    t->fields_.emplace_back(std::move(p).value(), value);
  }
  return t;
}

void SetFields::process(LogBatch& batch) {
  for (LogRecord& r : batch.records) {
    for (const auto& [path, value] : fields_) path.set(r, value);
  }
}

Result<std::unique_ptr<RenameFields>> RenameFields::create(const RenameOptions& options) {
  if (options.fields.empty()) return Status::InvalidArgument("rename: fields must not be empty");
  auto t = std::make_unique<RenameFields>();
  for (const auto& [from, to] : options.fields) {
    auto f = parse_field_path(from);
    if (!f.ok()) return f.status().with_context("rename: fields");
    auto d = parse_field_path(to);
    if (!d.ok()) return d.status().with_context("rename: fields.\"" + from + "\"");
    t->fields_.emplace_back(std::move(f).value(), std::move(d).value());
  }
  return t;
}

void RenameFields::process(LogBatch& batch) {
  std::string scratch;
  for (LogRecord& r : batch.records) {
    for (const auto& [from, to] : fields_) {
      if (from == to || !from.exists(r)) continue;
      std::optional<std::string_view> v = from.get(r, scratch);
      std::string value(v.value_or(std::string_view()));
      from.remove(r);
      to.set(r, std::move(value));
    }
  }
}

Result<std::unique_ptr<DropFields>> DropFields::create(const DropOptions& options) {
  if (options.fields.empty()) return Status::InvalidArgument("drop: fields must not be empty");
  auto t = std::make_unique<DropFields>();
  for (const auto& path : options.fields) {
    auto p = parse_field_path(path, /*allow_maps=*/true);
    if (!p.ok()) return p.status().with_context("drop: fields");
    t->fields_.push_back(std::move(p).value());
  }
  return t;
}

void DropFields::process(LogBatch& batch) {
  for (LogRecord& r : batch.records) {
    for (const auto& path : fields_) path.remove(r);
  }
}

Result<std::unique_ptr<Transform>> make_set(const SetOptions& options) {
  auto t = SetFields::create(options);
  if (!t.ok()) return t.status();
  return std::unique_ptr<Transform>(std::move(t).value());
}

Result<std::unique_ptr<Transform>> make_rename(const RenameOptions& options) {
  auto t = RenameFields::create(options);
  if (!t.ok()) return t.status();
  return std::unique_ptr<Transform>(std::move(t).value());
}

Result<std::unique_ptr<Transform>> make_drop(const DropOptions& options) {
  auto t = DropFields::create(options);
  if (!t.ok()) return t.status();
  return std::unique_ptr<Transform>(std::move(t).value());
}

}  // namespace sluice
