#include "kube/docker_config.h"

#include <map>
#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace cpa::kube {

std::string DockerConfigJson(const std::vector<RegistryAuth>& auths) {
  // Sorted by registry, each entry's fields in the refresher's struct order.
  std::map<std::string, nlohmann::ordered_json> entries;
  for (const auto& a : auths) {
    std::string username = a.username.empty() ? "username" : a.username;
    std::string password = a.password.empty() ? "password" : a.password;
    nlohmann::ordered_json entry;
    entry["username"] = username;
    entry["password"] = password;
    entry["email"] = kDockerConfigEmail;
    entry["auth"] = core::Base64Encode(username + ":" + password);
    entries[a.registry] = std::move(entry);
  }
  nlohmann::ordered_json registries = nlohmann::ordered_json::object();
  for (auto& [registry, entry] : entries) registries[registry] = std::move(entry);
  nlohmann::ordered_json config;
  config["auths"] = std::move(registries);
  return config.dump();
}

}  // namespace cpa::kube
