#include "neural/core/error.h"

#include <cstdio>

namespace strata {

static std::string compose(const std::string& file, const std::string& field,
                           const std::string& problem) {
  std::string m;
  if (!file.empty()) m += file + ": ";
  if (!field.empty()) m += "field '" + field + "': ";
  return m + problem;
}

InputError::InputError(const std::string& file, const std::string& field,
                       const std::string& problem)
    : std::runtime_error(compose(file, field, problem)) {}

void warn(const std::string& message) {
  std::fprintf(stderr, "strata: warning: %s\n", message.c_str());
}

}  // namespace strata
