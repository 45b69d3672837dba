#include "share/files.h"

namespace cpa::share {

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty()) return std::string(name);
  if (out.back() != '/') out += '/';
  return out + std::string(name);
}

}  // namespace cpa::share
