// Errors for bad input: one message naming the file, the field and what was expected.
// Apps catch InputError and exit with code 2.
#pragma once

#include <stdexcept>
#include <string>

namespace strata {

// Thrown by every reader and argument check when a user's input is wrong.
class InputError : public std::runtime_error {
 public:
  // file: the path the user gave (may be empty); field: JSON path or property name (may be
  // empty); problem: what was wrong and what was expected.
  InputError(const std::string& file, const std::string& field, const std::string& problem);
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

// Prints "strata: warning: <message>" to stderr (one line).
void warn(const std::string& message);

}  // namespace strata
