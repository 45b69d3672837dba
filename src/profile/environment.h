#pragma once
// The process environment as an injected value, so that pure code (locations, chain planning)
// never reads global state and tests can state exactly what a case sees.
//
// Thread safety: a value; const use from many threads is safe.

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cpa::profile {

class Environment {
 public:
  Environment() = default;
  explicit Environment(std::map<std::string, std::string, std::less<>> vars)
      : vars_(std::move(vars)) {}
  Environment(std::initializer_list<std::pair<const std::string, std::string>> vars)
      : vars_(vars) {}

  // The variable's value, or nullopt when unset. An empty value counts as set.
  std::optional<std::string> Get(std::string_view name) const;
  // The value when set and non-empty; the SDKs treat AWS_PROFILE="" etc. as unset.
  std::optional<std::string> GetNonEmpty(std::string_view name) const;

  void Set(std::string name, std::string value) { vars_[std::move(name)] = std::move(value); }
  void Unset(std::string_view name);

  const std::map<std::string, std::string, std::less<>>& vars() const { return vars_; }

 private:
  std::map<std::string, std::string, std::less<>> vars_;
};

}  // namespace cpa::profile
