#pragma once
// AccountApi and ChainProbe over the awsapi clients (IAM, STS, EKS, ECR): what the CLI uses.

#include <memory>

#include "awsapi/client.h"
#include "core/status.h"
#include "share/aws.h"

namespace cpa::share {

// One principal's view of its account. `config` gives the region (STS, EKS), the endpoint
// overrides and the credentials; IAM is called at its global endpoint unless overridden.
core::Result<std::unique_ptr<AccountApi>> MakeAwsAccountApi(const awsapi::ClientConfig& config);

// Calls signed with explicit credentials. `base` gives the region, endpoints and transport; its
// credentials are ignored.
std::unique_ptr<ChainProbe> MakeAwsChainProbe(awsapi::ClientConfig base);

}  // namespace cpa::share
