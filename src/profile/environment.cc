#include "profile/environment.h"

namespace cpa::profile {

std::optional<std::string> Environment::Get(std::string_view name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Environment::GetNonEmpty(std::string_view name) const {
  auto value = Get(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

void Environment::Unset(std::string_view name) {
  auto it = vars_.find(name);
  if (it != vars_.end()) vars_.erase(it);
}

}  // namespace cpa::profile
