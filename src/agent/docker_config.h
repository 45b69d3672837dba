#pragma once
// Registry logins in the docker config format: the `auths` map of a docker config.json (which
// docker, skopeo/podman/containers auth.json and the kubelet all read), and the
// `.dockerconfigjson` payload of a Kubernetes Secret of type kubernetes.io/dockerconfigjson.
//
// Entry: {"username":"AWS","password":"<password>","auth":"<base64(AWS:password)>"} (the Secret
// payload adds the refresher's placeholder "email").
// Key forms: docker and containers/image look a registry up by its bare "host[:port]" first and
// also accept legacy URL keys ("https://host"), which they normalize; the kubelet accepts both.
// The docker config file uses the bare form (what `docker login` and `skopeo login` write, so
// an entry of ours replaces theirs instead of sitting beside it); the Secret payload uses
// "https://host", as the EKS Anywhere ecr-token-refresher writes it. Either way, merging removes
// every other key that names the same registry, so no stale alias can shadow the new login.
//
// Pure; thread-safe. Errors never quote the documents (they hold passwords).

#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cpa::agent {

struct RegistryAuth {
  std::string server;    // "host" or "host:port"
  std::string username;  // "AWS"
  std::string password;  // secret
};

enum class AuthKeyStyle {
  kHost,      // "host[:port]"
  kHttpsUrl,  // "https://host[:port]"
};

std::string AuthKey(std::string_view server, AuthKeyStyle style);

// The registry an `auths` key names, as docker normalizes it: scheme and anything from the
// first '/' removed, lowercased ("https://Host:5000/v1/" -> "host:5000").
std::string NormalizeAuthKey(std::string_view key);

// `existing` (a docker config.json; empty for none) with `auths` entries for `auths` set and
// every other entry and top-level key kept (their order too). kInvalidArgument when `existing`
// is not a JSON object or its `auths` is not an object. Tab-indented, with a final newline.
core::Result<std::string> MergeDockerConfig(std::string_view existing,
                                            std::span<const RegistryAuth> auths,
                                            AuthKeyStyle style = AuthKeyStyle::kHost);

// The EKS Anywhere refresher's placeholder email in each Secret entry.
inline constexpr char kDockerConfigEmail[] = "test@test.com";

// The `.dockerconfigjson` value of a kubernetes.io/dockerconfigjson Secret holding `auths`, byte
// for byte as the EKS Anywhere ecr-token refresher writes it (common.CreateDockerAuthConfig, so
// that the two leave each other's Secret unchanged):
//   {"auths":{"https://<host>":{"username":"AWS","password":"...","email":"test@test.com",
//    "auth":"<base64(username:password)>"}}}
// compact, keys sorted (Go marshals map keys in order), fields in the refresher's struct order,
// an empty username or password written as "username" / "password". A later entry for the same
// key replaces an earlier one. This is cpa's only renderer of that payload (the ecr-token
// output uses it; kube::ApplyDockerConfigSecret takes the bytes as they are).
std::string RenderDockerConfigJson(std::span<const RegistryAuth> auths,
                                   AuthKeyStyle style = AuthKeyStyle::kHttpsUrl);

}  // namespace cpa::agent
