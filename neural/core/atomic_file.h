// Writers never leave half-written outputs: they write to a temporary file beside the target
// and rename it into place once complete.
#pragma once

#include <functional>
#include <string>

namespace strata {

// Calls write(tmp_path) to produce the file at a temporary path next to `path`, then renames
// it onto `path`. If write throws or the rename fails, the temporary file is removed and an
// InputError (for an unwritable location) or the original exception propagates.
void write_atomically(const std::string& path,
                      const std::function<void(const std::string&)>& write);

// Writes `bytes` to `path` atomically.
void write_text_atomically(const std::string& path, const std::string& bytes);

// Creates `dir` (and parents) if missing and checks that it is writable; throws InputError
// naming the folder otherwise.
void ensure_writable_directory(const std::string& dir);

// Reads a whole file; throws InputError naming it when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace strata
