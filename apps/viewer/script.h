// Viewer scripts (`strata-viewer --script FILE`): one command a line, '#' starts a comment.
// Parsing and checking happen before the window opens, so a typo fails at once with the line.
//
//   orbit AZIMUTH ELEVATION      orbit view of the scene's bounds (degrees; as neural/path's orbit)
//   camera reference|dataset N|nearest|next|previous
//   mode orbit|fly|panorama      fov DEGREES          look YAW PITCH       move X Y Z
//   open FILE                    dataset FILE         frusta on|off        compare on|off
//   toggle ITEM [LAYER]          show ITEM [LAYER]    hide ITEM [LAYER]    opacity ITEM VALUE
//   view color|depth|alpha|layers
//   key add|remove N|clear       path save FILE       play on|off          scrub SECONDS
//   ui show|hide                 screenshot PATH      wait FRAMES
//   resize WIDTH HEIGHT          minimize             restore              quit
//
// ITEM is an index (0 = first item) or an item name; LAYER an index or a layer name.
#pragma once

#include <string>
#include <vector>

namespace strata::viewer {

struct ScriptCommand {
  int line = 0;                   // 1-based line in the file
  std::string name;               // e.g. "orbit"
  std::vector<std::string> args;  // the words after it
};

// Parses script text; throws InputError naming `file`, the line and the problem (an unknown
// command, a wrong argument count, a number that is not one).
std::vector<ScriptCommand> parse_script(const std::string& text, const std::string& file);
// Reads and parses a script file.
std::vector<ScriptCommand> read_script(const std::string& path);

// Steps through a parsed script one command at a time; `wait N` holds it for N frames.
class ScriptRunner {
 public:
  ScriptRunner() = default;
  explicit ScriptRunner(std::vector<ScriptCommand> commands) : commands_(std::move(commands)) {}
  bool active() const { return !commands_.empty(); }
  bool done() const { return next_ >= commands_.size() && waiting_ == 0; }
  // Counts one frame shown; returns the commands to run before the next frame (those up to and
  // including the next `wait`, which then holds the script).
  std::vector<ScriptCommand> step();

 private:
  std::vector<ScriptCommand> commands_;
  size_t next_ = 0;
  int waiting_ = 0;
};

// Parses a float or an int argument; throws InputError naming the command's line.
float script_float(const ScriptCommand& command, size_t index);
int script_int(const ScriptCommand& command, size_t index);

}  // namespace strata::viewer
