#include "pipeline/transforms/multiline/rules.hpp"

#include <algorithm>
#include <map>

#include "config/options.hpp"

namespace sluice {

namespace {

/// A rule as written in a preset table: state names instead of indices.
struct RuleText {
  std::string_view pattern;  ///< "" = matches every line
  LineAction action;
  std::string_view next;  ///< kJoin / start rules
  bool tentative = false;
};

struct StateText {
  std::string_view name;
  std::vector<RuleText> rules;
};

struct PresetText {
  std::string_view name;
  std::vector<RuleText> start;
  std::vector<StateText> states;
};

constexpr LineAction kJoin = LineAction::kJoin;
constexpr LineAction kEndInclude = LineAction::kEndInclude;
constexpr LineAction kEndExclude = LineAction::kEndExclude;

// Java (and other JVM languages): an exception as printed by
// Throwable.printStackTrace:
//   Exception in thread "main" java.lang.RuntimeException: outer
//   <tab>at Main.main(Main.java:9)
//   Caused by: java.lang.IllegalStateException: inner
//   <tab>at Main.inner(Main.java:3)
//   <tab>... 5 more
// Any non-indented line may be the exception line (class names vary), so a
// normal line is held until the next line (or the time-out) shows that no
// frame follows. A log message printed on the line before the exception
// stays its own record; a message spanning several lines is not joined.
const PresetText kJava = {
    "java",
    {{R"(^\S)", kJoin, "head"}},
    {
        {"head", {{R"(^\s+at \S)", kJoin, "frames"}, {R"(^\s*(Caused by|Suppressed): )", kJoin, "frames"}}},
        {"frames",
         {{R"(^\s+at \S)", kJoin, "frames"},
          {R"(^\s*\.\.\. \d+ (more|common frames omitted)\s*$)", kJoin, "frames"},
          {R"(^\s*(Caused by|Suppressed): )", kJoin, "frames"},
          {R"(^\s+\S)", kJoin, "frames"}}},
    },
};

// Python: a traceback, with chained exceptions:
//   Traceback (most recent call last):
//     File "<string>", line 3, in <module>
//       inner()
//   ValueError: inner
//   <blank>
//   During handling of the above exception, another exception occurred:
//   <blank>
//   Traceback (most recent call last):
//   ...
//   RuntimeError: outer
// Lines before "Traceback" (a logging.exception message) stay their own
// records; an exception message spanning several lines is not joined.
const PresetText kPython = {
    "python",
    {{R"(^Traceback \(most recent call last\):$)", kJoin, "frames"}},
    {
        // Indented lines: "  File ...", source lines, ^^^ markers; the first
        // non-indented line is the exception ("ValueError: inner").
        {"frames", {{R"(^[ \t])", kJoin, "frames"}, {R"(^\S)", kJoin, "exception"}}},
        {"exception", {{R"(^$)", kJoin, "blank", /*tentative=*/true}}},
        {"blank",
         {{R"(^(During handling of the above exception, another exception occurred:|)"
           R"(The above exception was the direct cause of the following exception:)$)",
           kJoin, "chained"}}},
        {"chained", {{R"(^$)", kJoin, "chained_blank", /*tentative=*/true}}},
        {"chained_blank", {{R"(^Traceback \(most recent call last\):$)", kJoin, "frames"}}},
    },
};

// Go: a panic or fatal error with the goroutine dump:
//   panic: boom [recovered]
//   <tab>panic: again
//   [signal SIGSEGV: segmentation violation ...]
//   <blank>
//   goroutine 1 [running]:
//   main.main()
//   <tab>/src/main.go:8 +0x1d
//   created by main.start in goroutine 1
//   <tab>/src/main.go:3 +0x25
// A function line joins only when its tab-indented file line follows.
const PresetText kGo = {
    "go",
    {{R"(^(panic: |fatal error: |runtime: ))", kJoin, "panic"}},
    {
        {"panic",
         {{R"(^\t)", kJoin, "panic"},
          {R"(^\[signal )", kJoin, "panic"},
          {R"(^(panic: |fatal error: |runtime: ))", kJoin, "panic"},
          {R"(^goroutine \d+ .*:$)", kJoin, "frames"},
          {R"(^$)", kJoin, "blank", /*tentative=*/true}}},
        {"blank", {{R"(^goroutine \d+ .*:$)", kJoin, "frames"}}},
        {"frames",
         {{R"(^\t)", kJoin, "frames"},
          {R"(^\.\.\.additional frames elided\.\.\.$)", kJoin, "frames"},
          {R"(^created by )", kJoin, "function", /*tentative=*/true},
          {R"(^\S.*\)$)", kJoin, "function", /*tentative=*/true},
          {R"(^$)", kJoin, "blank", /*tentative=*/true}}},
        {"function", {{R"(^\t)", kJoin, "frames"}}},
    },
};

Result<std::shared_ptr<const RE2>> compile(std::string_view pattern, std::string_view what) {
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, o);
  if (!re->ok()) {
    return Status::InvalidArgument("multiline: " + std::string(what) + ": invalid pattern \"" + std::string(pattern) +
                                   "\": " + re->error());
  }
  return re;
}

Result<std::shared_ptr<const MultilineProgram>> build(const PresetText& p) {
  auto prog = std::make_shared<MultilineProgram>();
  std::map<std::string_view, int> index;
  for (const auto& s : p.states) index[s.name] = static_cast<int>(index.size());
  auto rule = [&](const RuleText& r) -> Result<MultilineRule> {
    MultilineRule out;
    if (!r.pattern.empty()) {
      SLUICE_ASSIGN_OR_RETURN(out.pattern, compile(r.pattern, "preset " + std::string(p.name)));
    }
    out.action = r.action;
    out.tentative = r.tentative;
    if (r.action == kJoin) {
      auto it = index.find(r.next);
      if (it == index.end())
        return Status::Internal("multiline preset " + std::string(p.name) + ": no state " + std::string(r.next));
      out.next = it->second;
    }
    return out;
  };
  for (const auto& r : p.start) {
    SLUICE_ASSIGN_OR_RETURN(auto compiled, rule(r));
    prog->start.push_back(std::move(compiled));
  }
  for (const auto& s : p.states) {
    MultilineState st;
    st.name = std::string(s.name);
    for (const auto& r : s.rules) {
      SLUICE_ASSIGN_OR_RETURN(auto compiled, rule(r));
      st.rules.push_back(std::move(compiled));
    }
    prog->states.push_back(std::move(st));
  }
  return std::shared_ptr<const MultilineProgram>(std::move(prog));
}

}  // namespace

const MultilineRule* MultilineProgram::match(const std::vector<MultilineRule>& rules, std::string_view line) {
  for (const auto& r : rules) {
    if (r.pattern == nullptr || RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *r.pattern)) return &r;
  }
  return nullptr;
}

const std::vector<std::string>& multiline_preset_names() {
  static const std::vector<std::string> kNames = {"go", "java", "python"};
  return kNames;
}

const std::vector<std::string>& multiline_mode_names() {
  static const std::vector<std::string> kNames = {"continue_through", "continue_past", "halt_before", "halt_with"};
  return kNames;
}

Result<std::shared_ptr<const MultilineProgram>> preset_rules(std::string_view name) {
  for (const PresetText* p : {&kGo, &kJava, &kPython}) {
    if (p->name == name) return build(*p);
  }
  std::string msg = "multiline: unknown preset \"" + std::string(name) + "\"";
  std::string near = nearest_word(name, multiline_preset_names());
  if (!near.empty()) msg += " (did you mean \"" + near + "\"?)";
  return Status::InvalidArgument(msg + "; presets: " + option_detail::list_text(multiline_preset_names()));
}

Result<std::shared_ptr<const MultilineProgram>> rules_from_mode(std::string_view start_pattern,
                                                                std::string_view condition_pattern,
                                                                std::string_view mode) {
  SLUICE_ASSIGN_OR_RETURN(auto start, compile(start_pattern, "start_pattern"));
  SLUICE_ASSIGN_OR_RETURN(auto cond, compile(condition_pattern, "condition_pattern"));
  auto prog = std::make_shared<MultilineProgram>();
  prog->start.push_back(MultilineRule{start, kJoin, 0, false});
  MultilineState s;
  s.name = std::string(mode);
  if (mode == "continue_through") {
    // Matching lines join; the first other line ends the group and is
    // handled afresh.
    s.rules = {{cond, kJoin, 0, false}, {nullptr, kEndExclude, 0, false}};
  } else if (mode == "continue_past") {
    // Matching lines join, plus the first other line, which ends it.
    s.rules = {{cond, kJoin, 0, false}, {nullptr, kEndInclude, 0, false}};
  } else if (mode == "halt_before") {
    // Other lines join; a matching line ends the group and is handled afresh.
    s.rules = {{cond, kEndExclude, 0, false}, {nullptr, kJoin, 0, false}};
  } else if (mode == "halt_with") {
    // Other lines join; a matching line joins and ends the group.
    s.rules = {{cond, kEndInclude, 0, false}, {nullptr, kJoin, 0, false}};
  } else {
    std::string msg = "multiline: unknown mode \"" + std::string(mode) + "\"";
    std::string near = nearest_word(mode, multiline_mode_names());
    if (!near.empty()) msg += " (did you mean \"" + near + "\"?)";
    return Status::InvalidArgument(msg + "; modes: " + option_detail::list_text(multiline_mode_names()));
  }
  prog->states.push_back(std::move(s));
  return std::shared_ptr<const MultilineProgram>(std::move(prog));
}

}  // namespace sluice
