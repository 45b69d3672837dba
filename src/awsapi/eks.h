#pragma once
// Amazon EKS, the EKS Anywhere subscription operations (restJson1, API 2017-11-01).
//
// Subscriptions may carry members the public model lacks (packageRegistry, name); they are kept.
// Timestamps arrive as epoch seconds and are truncated to whole seconds.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "awsapi/client.h"
#include "core/clock.h"

namespace cpa::awsapi {

struct EksAnywhereSubscriptionTerm {
  int64_t duration = 0;  // 12 or 36
  std::string unit;      // "MONTHS"
};

struct EksAnywhereLicense {
  std::string id;
  std::string token;  // secret: never logged
};

struct EksAnywhereSubscription {
  std::string id;
  std::string arn;
  std::string name;  // not in the public model; sent by the service
  std::optional<core::TimePoint> created_at;
  std::optional<core::TimePoint> effective_date;
  std::optional<core::TimePoint> expiration_date;
  std::optional<int64_t> license_quantity;
  std::string license_type;
  EksAnywhereSubscriptionTerm term;
  std::string status;
  std::string package_registry;  // "<acct>.dkr.ecr.<region>.amazonaws.com"; not in the public model
  std::optional<bool> auto_renew;
  std::vector<std::string> license_arns;
  std::vector<EksAnywhereLicense> licenses;
  std::map<std::string, std::string> tags;
};

struct CreateEksAnywhereSubscriptionRequest {
  std::string name;
  EksAnywhereSubscriptionTerm term;
  std::optional<int64_t> license_quantity;
  std::string license_type;  // e.g. "Cluster"
  std::optional<bool> auto_renew;
  std::string client_request_token;  // empty: a random UUID, as the SDKs do
  std::map<std::string, std::string> tags;
};

struct DescribeEksAnywhereSubscriptionRequest {
  std::string id;
};

struct EksAnywhereSubscriptionResponse {
  EksAnywhereSubscription subscription;
  std::string request_id;
};

struct ListEksAnywhereSubscriptionsRequest {
  std::optional<int64_t> max_results;
  std::string next_token;
  std::vector<std::string> include_status;  // CREATING, ACTIVE, ...
};
struct ListEksAnywhereSubscriptionsResponse {
  std::vector<EksAnywhereSubscription> subscriptions;
  std::string next_token;
  std::string request_id;
};

class EksClient {
 public:
  static core::Result<EksClient> Create(ClientConfig config);

  Outcome<EksAnywhereSubscriptionResponse> CreateEksAnywhereSubscription(
      const CreateEksAnywhereSubscriptionRequest& request) const;
  Outcome<EksAnywhereSubscriptionResponse> DescribeEksAnywhereSubscription(
      const DescribeEksAnywhereSubscriptionRequest& request) const;
  Outcome<ListEksAnywhereSubscriptionsResponse> ListEksAnywhereSubscriptions(
      const ListEksAnywhereSubscriptionsRequest& request = {}) const;

  const ServiceClient& service_client() const { return client_; }

 private:
  explicit EksClient(ServiceClient client) : client_(std::move(client)) {}
  ServiceClient client_;
};

}  // namespace cpa::awsapi
