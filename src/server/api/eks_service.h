#pragma once
// EKS (restJson1, signing name "eks"): the EKS Anywhere subscription operations and the tag
// operations on subscription ARNs, routed by method and path:
//
//   POST   /eks-anywhere-subscriptions        CreateEksAnywhereSubscription
//   GET    /eks-anywhere-subscriptions        ListEksAnywhereSubscriptions
//   GET    /eks-anywhere-subscriptions/{id}   DescribeEksAnywhereSubscription
//   POST   /eks-anywhere-subscriptions/{id}   UpdateEksAnywhereSubscription
//   DELETE /eks-anywhere-subscriptions/{id}   DeleteEksAnywhereSubscription
//   POST   /tags/{resourceArn}                TagResource
//   DELETE /tags/{resourceArn}                UntagResource
//   GET    /tags/{resourceArn}                ListTagsForResource
//
// URI labels are percent-decoded after the path is split (an ARN's '/' travels as %2F).
// Subscriptions live in the caller's account and the request's region (the credential scope's).
// Responses carry the model's members plus `name` and `packageRegistry`
// (<packages account>.dkr.ecr.<region>.<registry domain>), which EKS's documented outputs show
// but the public service model lacks; timestamps are epoch seconds.
//
// IAM: eks:CreateEksAnywhereSubscription and eks:ListEksAnywhereSubscriptions on "*"; the other
// operations' actions on the subscription ARN, with aws:ResourceTag/*; tags in a request add
// aws:RequestTag/* and aws:TagKeys, and a Create with tags also needs eks:TagResource on the new
// subscription's ARN.
//
// Thread safety: Handle may run on many threads at once.
#include <string>
#include <string_view>

#include "server/api/signed_service.h"
#include "server/store/store.h"

namespace cpa::server::api {

struct EksServiceOptions {
  // The domain of registry hosts: <account>.dkr.ecr.<region>.<registry_domain>.
  std::string registry_domain = "localhost";
};

class EksService final : public SignedService {
 public:
  explicit EksService(store::Store& store, EksServiceOptions options = {});

  std::string_view signing_name() const override { return "eks"; }
  std::string OperationOf(const http::Request& request) const override;
  http::Response Handle(const http::Request& request, RequestContext& context) override;
  http::Response ErrorResponse(std::string_view operation, std::string_view code, int http_status,
                               std::string_view message,
                               const std::string& request_id) const override;

  // The curated packages registry host of `region`, or "" when the region has none.
  std::string PackageRegistry(std::string_view region) const;

 private:
  store::Store& store_;
  EksServiceOptions options_;
};

}  // namespace cpa::server::api
