#pragma once
// The awsQuery request parameters (IAM, STS): form-encoded `Action=...&Version=...&Name=value`,
// from a POST body or a GET query string. '+' and '%20' both decode to a space. Lists are
// `Name.member.N` (1-based), lists of structures `Name.member.N.Field`.
//
// Thread safety: a plain value.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cpa::server::api {

class QueryParams {
 public:
  QueryParams() = default;

  // Parses `a=b&c=d` into this object (later keys replace earlier ones, so a body parsed after
  // the query string wins). InvalidArgument for a bad percent escape.
  core::Status AddForm(std::string_view form);

  // The value of `key` (case-sensitive, as AWS treats parameter names), or null when absent.
  const std::string* Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  std::string Get(std::string_view key, std::string_view fallback = "") const;

  // `prefix.member.1`, `prefix.member.2`, ... up to the first gap.
  std::vector<std::string> List(std::string_view prefix) const;
  // `prefix.member.N.field` for N = 1.. up to the first N without any `prefix.member.N.` key;
  // absent fields are empty strings.
  std::vector<std::map<std::string, std::string>> StructList(
      std::string_view prefix, const std::vector<std::string>& fields) const;

  void Set(std::string key, std::string value) { values_[std::move(key)] = std::move(value); }
  size_t size() const { return values_.size(); }

 private:
  bool HasPrefix(std::string_view prefix) const;
  std::map<std::string, std::string, std::less<>> values_;
};

// "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member
// must not be null" as a ValidationError Status.
core::Status MissingValue(std::string_view member);
// A ValidationError with AWS's one-constraint message: "1 validation error detected: Value 'v' at
// 'member' failed to satisfy constraint: <constraint>".
core::Status ConstraintViolation(std::string_view value, std::string_view member,
                                 std::string_view constraint);

// The parameter `key` (required): MissingValue(member) when absent or empty.
core::Result<std::string> Required(const QueryParams& params, std::string_view key,
                                   std::string_view member);

// Optional integer parameter within [min, max]; ValidationError otherwise.
core::Result<std::optional<int64_t>> OptionalInt(const QueryParams& params, std::string_view key,
                                                 std::string_view member, int64_t min, int64_t max);

}  // namespace cpa::server::api
