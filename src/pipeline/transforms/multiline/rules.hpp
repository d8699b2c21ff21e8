// The rule program that decides how the multiline transform joins lines.
//
// One model underlies both configurations:
//   - Vector's (start_pattern + condition_pattern + mode, see
//     https://vector.dev/docs/reference/configuration/sources/file/#multiline),
//     compiled by rules_from_mode();
//   - the presets (java, python, go), which need a few more states than one
//     pattern pair can say, written like Fluent Bit's multiline parser rules
//     (state, regex, next state), built by preset_rules().
//
// A program is a start rule list plus named states. With no group held for
// a key, a line matching a start rule begins a group in that rule's state;
// any other line passes alone. With a group held, the state's rules are
// tried in order and the first match decides:
//   kJoin        the line joins the group, which moves to `next`;
//   kEndInclude  the line joins the group, which is emitted;
//   kEndExclude  the group is emitted; the line is handled afresh (it may
//                begin the next group).
// A rule with no pattern matches every line (a state's "otherwise"); a
// state whose rules all miss ends with kEndExclude.
// A `tentative` kJoin holds the line only provisionally: it becomes part of
// the group when a later non-tentative line joins; if the group ends by
// kEndExclude or a time-out first, the tentative lines are split off and
// handled afresh, as if they had arrived after the group ended. (A blank
// line after a Python traceback belongs to it only when "During handling
// of the above exception" follows.)
//
// Thread-safety: immutable after construction; shared by reference.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace sluice {

enum class LineAction { kJoin, kEndInclude, kEndExclude };

struct MultilineRule {
  std::shared_ptr<const RE2> pattern;  ///< null: matches every line
  LineAction action = LineAction::kJoin;
  int next = 0;  ///< kJoin (and start rules): the state index the group moves to
  bool tentative = false;
};

struct MultilineState {
  std::string name;
  std::vector<MultilineRule> rules;
};

struct MultilineProgram {
  std::vector<MultilineRule> start;  ///< actions are kJoin: begin a group in `next`
  std::vector<MultilineState> states;

  /// The first rule of `rules` matching `line`, or nullptr.
  static const MultilineRule* match(const std::vector<MultilineRule>& rules, std::string_view line);
};

/// Names of the presets: "go", "java", "python".
const std::vector<std::string>& multiline_preset_names();

/// The program of a preset. InvalidArgument for an unknown name (listing
/// the valid ones and the nearest).
Result<std::shared_ptr<const MultilineProgram>> preset_rules(std::string_view name);

/// Vector's model: a line matching `start_pattern` begins a group when none
/// is held; then `mode` (continue_through, continue_past, halt_before,
/// halt_with) applies `condition_pattern` to each following line.
/// InvalidArgument for a pattern RE2 rejects (naming which) or an unknown mode.
Result<std::shared_ptr<const MultilineProgram>> rules_from_mode(std::string_view start_pattern,
                                                                std::string_view condition_pattern,
                                                                std::string_view mode);

/// Valid modes, in documentation order.
const std::vector<std::string>& multiline_mode_names();

}  // namespace sluice
