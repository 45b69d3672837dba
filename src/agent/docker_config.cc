#include "agent/docker_config.h"

#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/encoding.h"

namespace cpa::agent {
namespace {

using core::ErrorCode;
using core::Status;
using Json = nlohmann::ordered_json;

Json Entry(const RegistryAuth& a) {
  Json entry = Json::object();
  entry["username"] = a.username;
  entry["password"] = a.password;
  entry["auth"] = core::Base64Encode(a.username + ":" + a.password);
  return entry;
}

}  // namespace

std::string AuthKey(std::string_view server, AuthKeyStyle style) {
  return style == AuthKeyStyle::kHttpsUrl ? "https://" + std::string(server) : std::string(server);
}

std::string NormalizeAuthKey(std::string_view key) {
  std::string_view s = core::TrimAsciiWhitespace(key);
  if (s.starts_with("http://")) {
    s.remove_prefix(7);
  } else if (s.starts_with("https://")) {
    s.remove_prefix(8);
  }
  return core::AsciiLower(s.substr(0, s.find('/')));
}

core::Result<std::string> MergeDockerConfig(std::string_view existing,
                                            std::span<const RegistryAuth> auths,
                                            AuthKeyStyle style) {
  Json doc = Json::object();
  if (!core::TrimAsciiWhitespace(existing).empty()) {
    doc = Json::parse(existing, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      return Status(ErrorCode::kInvalidArgument, "it is not valid JSON");
    }
    if (!doc.is_object()) return Status(ErrorCode::kInvalidArgument, "it is not a JSON object");
  }
  Json& map = doc["auths"];
  if (map.is_null()) map = Json::object();
  if (!map.is_object()) return Status(ErrorCode::kInvalidArgument, "its `auths` is not an object");

  // Drop every key naming one of our registries, in any form; then add ours.
  std::vector<std::string> ours;
  for (const RegistryAuth& a : auths) ours.push_back(NormalizeAuthKey(a.server));
  Json kept = Json::object();
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string normalized = NormalizeAuthKey(it.key());
    bool replaced = false;
    for (const std::string& o : ours) replaced = replaced || o == normalized;
    if (!replaced) kept[it.key()] = it.value();
  }
  for (const RegistryAuth& a : auths) kept[AuthKey(a.server, style)] = Entry(a);
  map = std::move(kept);
  return doc.dump(1, '\t', false, Json::error_handler_t::replace) + "\n";
}

std::string RenderDockerConfigJson(std::span<const RegistryAuth> auths, AuthKeyStyle style) {
  // The refresher's bytes: keys sorted (Go marshals maps so), its field order, its placeholder
  // email, and "username" / "password" for empty values.
  std::map<std::string, const RegistryAuth*> sorted;
  for (const RegistryAuth& a : auths) sorted[AuthKey(a.server, style)] = &a;
  Json map = Json::object();
  for (const auto& [key, a] : sorted) {
    const std::string user = a->username.empty() ? "username" : a->username;
    const std::string pass = a->password.empty() ? "password" : a->password;
    Json entry = Json::object();
    entry["username"] = user;
    entry["password"] = pass;
    entry["email"] = kDockerConfigEmail;
    entry["auth"] = core::Base64Encode(user + ":" + pass);
    map[key] = std::move(entry);
  }
  Json doc = Json::object();
  doc["auths"] = std::move(map);
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace cpa::agent
