#include "apps/viewer/script.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

#include "neural/core/atomic_file.h"
#include "neural/core/error.h"

namespace strata::viewer {

namespace {

struct Rule {
  size_t min_args, max_args;
  std::vector<std::string> choices;  // allowed first arguments, when not empty
  int numbers;                       // the first `numbers` arguments after any choice are numbers
};

const std::map<std::string, Rule>& rules() {
  static const std::map<std::string, Rule> table = {
      {"orbit", {2, 2, {}, 2}},
      {"camera", {1, 2, {"reference", "dataset", "nearest", "next", "previous"}, 0}},
      {"mode", {1, 1, {"orbit", "fly", "panorama"}, 0}},
      {"fov", {1, 1, {}, 1}},
      {"look", {2, 2, {}, 2}},
      {"move", {3, 3, {}, 3}},
      {"open", {1, 1, {}, 0}},
      {"dataset", {1, 1, {}, 0}},
      {"frusta", {1, 1, {"on", "off"}, 0}},
      {"compare", {1, 1, {"on", "off"}, 0}},
      {"toggle", {1, 2, {}, 0}},
      {"show", {1, 2, {}, 0}},
      {"hide", {1, 2, {}, 0}},
      {"opacity", {2, 2, {}, 0}},
      {"view", {1, 1, {"color", "colour", "depth", "alpha", "layers"}, 0}},
      {"key", {1, 2, {"add", "remove", "clear"}, 0}},
      {"path", {2, 2, {"save"}, 0}},
      {"play", {1, 1, {"on", "off"}, 0}},
      {"scrub", {1, 1, {}, 1}},
      {"ui", {1, 1, {"show", "hide"}, 0}},
      {"screenshot", {1, 1, {}, 0}},
      {"wait", {1, 1, {}, 1}},
      {"resize", {2, 2, {}, 2}},
      {"minimize", {0, 0, {}, 0}},
      {"restore", {0, 0, {}, 0}},
      {"quit", {0, 0, {}, 0}},
  };
  return table;
}

bool parse_number(const std::string& text, double* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return end && *end == '\0';
}

std::string where(const std::string& file, int line) {
  return file + ":" + std::to_string(line);
}

}  // namespace

std::vector<ScriptCommand> parse_script(const std::string& text, const std::string& file) {
  std::vector<ScriptCommand> commands;
  std::istringstream lines(text);
  std::string line_text;
  int line = 0;
  while (std::getline(lines, line_text)) {
    ++line;
    const size_t hash = line_text.find('#');
    if (hash != std::string::npos) line_text.resize(hash);
    std::istringstream words(line_text);
    ScriptCommand command;
    command.line = line;
    if (!(words >> command.name)) continue;
    std::string word;
    while (words >> word) command.args.push_back(word);
    const auto rule = rules().find(command.name);
    if (rule == rules().end())
      throw InputError(where(file, line) + ": unknown command '" + command.name + "'");
    const Rule& r = rule->second;
    if (command.args.size() < r.min_args || command.args.size() > r.max_args)
      throw InputError(where(file, line) + ": '" + command.name + "' takes " +
                       std::to_string(r.min_args) +
                       (r.max_args != r.min_args ? ".." + std::to_string(r.max_args) : "") +
                       " argument(s), got " + std::to_string(command.args.size()));
    if (!r.choices.empty()) {
      bool ok = false;
      for (const std::string& c : r.choices) ok |= c == command.args[0];
      if (!ok)
        throw InputError(where(file, line) + ": '" + command.name + "' does not know '" +
                         command.args[0] + "'");
    }
    for (int i = 0; i < r.numbers; ++i) {
      double v = 0.0;
      if (!parse_number(command.args[size_t(i)], &v))
        throw InputError(where(file, line) + ": expected a number, got '" +
                         command.args[size_t(i)] + "'");
    }
    if ((command.name == "camera" && command.args[0] == "dataset") ||
        (command.name == "key" && command.args[0] == "remove")) {
      double v = 0.0;
      if (command.args.size() != 2 || !parse_number(command.args[1], &v))
        throw InputError(where(file, line) + ": '" + command.name + " " + command.args[0] +
                         "' needs an index");
    }
    if (command.name == "wait" && std::atof(command.args[0].c_str()) < 0)
      throw InputError(where(file, line) + ": wait needs a count of frames >= 0");
    commands.push_back(std::move(command));
  }
  return commands;
}

std::vector<ScriptCommand> read_script(const std::string& path) {
  return parse_script(read_file(path), path);
}

std::vector<ScriptCommand> ScriptRunner::step() {
  std::vector<ScriptCommand> out;
  if (waiting_ > 0) {
    --waiting_;
    if (waiting_ > 0) return out;
  }
  while (next_ < commands_.size()) {
    const ScriptCommand& c = commands_[next_++];
    if (c.name == "wait") {
      waiting_ = std::atoi(c.args[0].c_str());
      if (waiting_ > 0) break;
      continue;
    }
    out.push_back(c);
    // A command that changes the window (or takes a picture) gets a frame of its own.
    if (c.name == "screenshot" || c.name == "resize" || c.name == "minimize" ||
        c.name == "restore" || c.name == "open" || c.name == "quit")
      break;
  }
  return out;
}

float script_float(const ScriptCommand& command, size_t index) {
  double v = 0.0;
  if (index >= command.args.size() || !parse_number(command.args[index], &v))
    throw InputError("script line " + std::to_string(command.line) + ": expected a number");
  return float(v);
}

int script_int(const ScriptCommand& command, size_t index) {
  return int(std::lround(script_float(command, index)));
}

}  // namespace strata::viewer
