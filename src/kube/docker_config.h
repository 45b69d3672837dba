#pragma once
// The `.dockerconfigjson` payload of an `ecr-token` Secret, byte for byte as the EKS Anywhere
// ecr-token refresher writes it (common.CreateDockerAuthConfig):
//   {"auths":{"<registry>":{"username":"AWS","password":"...","email":"test@test.com",
//    "auth":"<base64(username:password)>"}}}
// compact, registries sorted (Go marshals map keys in order), fields in the refresher's order;
// an empty username or password becomes the literal "username" / "password". Writing the same
// bytes lets cpa and a stock refresher leave each other's Secret unchanged. Pure.

#include <string>
#include <vector>

namespace cpa::kube {

struct RegistryAuth {
  // The auths key; the refresher uses the ECR proxy endpoint with its scheme,
  // "https://<account>.dkr.ecr.<region>.amazonaws.com".
  std::string registry;
  std::string username;
  std::string password;
};

inline constexpr char kDockerConfigEmail[] = "test@test.com";  // the refresher's defaultEmail

// A later entry for the same registry replaces an earlier one.
std::string DockerConfigJson(const std::vector<RegistryAuth>& auths);

}  // namespace cpa::kube
