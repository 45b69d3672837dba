#include "server/api/query.h"

#include <charconv>

#include "core/encoding.h"

namespace cpa::server::api {

using core::ErrorCode;
using core::Status;

Status QueryParams::AddForm(std::string_view form) {
  size_t pos = 0;
  while (pos <= form.size()) {
    size_t amp = form.find('&', pos);
    if (amp == std::string_view::npos) amp = form.size();
    std::string_view pair = form.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) {
      if (amp == form.size()) break;
      continue;
    }
    size_t eq = pair.find('=');
    std::string_view k = pair.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto key = core::UriDecode(k, /*plus_as_space=*/true);
    auto value = core::UriDecode(v, /*plus_as_space=*/true);
    if (!key.ok() || !value.ok()) {
      return Status(ErrorCode::kInvalidArgument, "malformed form encoding in the request");
    }
    values_[std::move(*key)] = std::move(*value);
    if (amp == form.size()) break;
  }
  return Status::Ok();
}

const std::string* QueryParams::Find(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

std::string QueryParams::Get(std::string_view key, std::string_view fallback) const {
  const std::string* v = Find(key);
  return v ? *v : std::string(fallback);
}

bool QueryParams::HasPrefix(std::string_view prefix) const {
  auto it = values_.lower_bound(prefix);
  return it != values_.end() && std::string_view(it->first).starts_with(prefix);
}

std::vector<std::string> QueryParams::List(std::string_view prefix) const {
  std::vector<std::string> out;
  for (size_t n = 1;; ++n) {
    const std::string* v = Find(std::string(prefix) + ".member." + std::to_string(n));
    if (v == nullptr) break;
    out.push_back(*v);
  }
  return out;
}

std::vector<std::map<std::string, std::string>> QueryParams::StructList(
    std::string_view prefix, const std::vector<std::string>& fields) const {
  std::vector<std::map<std::string, std::string>> out;
  for (size_t n = 1;; ++n) {
    std::string base = std::string(prefix) + ".member." + std::to_string(n) + ".";
    if (!HasPrefix(base)) break;
    std::map<std::string, std::string> item;
    for (const auto& f : fields) item[f] = Get(base + f);
    out.push_back(std::move(item));
  }
  return out;
}

Status MissingValue(std::string_view member) {
  return Status(ErrorCode::kValidationError,
                "1 validation error detected: Value null at '" + std::string(member) +
                    "' failed to satisfy constraint: Member must not be null");
}

Status ConstraintViolation(std::string_view value, std::string_view member,
                           std::string_view constraint) {
  return Status(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + std::string(value) + "' at '" +
                    std::string(member) +
                    "' failed to satisfy constraint: " + std::string(constraint));
}

core::Result<std::string> Required(const QueryParams& params, std::string_view key,
                                   std::string_view member) {
  const std::string* v = params.Find(key);
  if (v == nullptr) return MissingValue(member);
  if (v->empty()) {
    return ConstraintViolation(*v, member, "Member must have length greater than or equal to 1");
  }
  return *v;
}

core::Result<std::optional<int64_t>> OptionalInt(const QueryParams& params, std::string_view key,
                                                 std::string_view member, int64_t min,
                                                 int64_t max) {
  const std::string* v = params.Find(key);
  if (v == nullptr) return std::optional<int64_t>();
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size()) {
    return Status(ErrorCode::kValidationError,
                  "1 validation error detected: Value '" + *v + "' at '" + std::string(member) +
                      "' failed to satisfy constraint: Member must be a number");
  }
  if (n < min) {
    return ConstraintViolation(
        *v, member, "Member must have value greater than or equal to " + std::to_string(min));
  }
  if (n > max) {
    return ConstraintViolation(
        *v, member, "Member must have value less than or equal to " + std::to_string(max));
  }
  return std::optional<int64_t>(n);
}

}  // namespace cpa::server::api
