#pragma once
// What no IAM console shows: the access chain around a role, and `cpa doctor`'s link-by-link
// check of a config file, both computed from what the signed-in principal may read through the
// API (every document is fetched with its key pair, through the pipeline), then explained with
// the policy engine's traces (which statement of which policy decides each edge).
//
// RoleAccessChain({"roleName"} or {"roleArn"}): nodes and edges
//   principal --sts:AssumeRole--> role   from the role's trust policy (accounts, ARNs, services),
//                                        and, for the signed-in account's users and roles, their
//                                        identity policies (evaluated with the trust policy)
//   role --pull--> packages registry     for every region where the role's account has an active
//                                        EKS Anywhere subscription: the role's identity policies
//                                        on the registry's repositories (ecr:BatchGetImage,
//                                        ecr:GetDownloadUrlForLayer) and ecr:GetAuthorizationToken,
//                                        and the subscription grant of the repository policy
// Parts the principal may not read are reported as such ("not visible"), never guessed.
//
// CheckConfigChain({"config"[, "region"]}): the links of `cpa doctor` (file, region, key,
// assume-role, ecr-token, registry) for the spec's config file, against this server.
//
// Thread safety: stateless functions.
#include <nlohmann/json.hpp>
#include <string>

#include "server/console/aws_bridge.h"
#include "server/console/session_store.h"

namespace cpa::server::console {

struct ChainContext {
  const AwsBridge& bridge;
  const sigv4::Credentials& credentials;  // the signed-in principal's
  const Principal& principal;
  const std::string& remote_address;
  const Dispatch& registry;  // the /v2 endpoint (may be empty: the registry link is skipped)
  const std::string& registry_domain;
};

Reply RoleAccessChain(const ChainContext& ctx, const nlohmann::json& input);
Reply CheckConfigChain(const ChainContext& ctx, const nlohmann::json& input);

}  // namespace cpa::server::console
