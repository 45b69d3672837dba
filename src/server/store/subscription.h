#pragma once
// EKS Anywhere subscriptions: per account and region, a name (unique among live subscriptions),
// a term of 12 or 36 months, licenses, auto-renewal and tags. An ACTIVE subscription grants its
// account pull access to the region's curated packages registry (ActiveAccounts).
//
// Status is derived from the store's clock when a subscription is read, never stored:
//   ACTIVE   effective_date <= now < expiration_date
//   EXPIRED  now >= expiration_date
// With auto_renew the term renews at each expiration: expiration_date moves forward by whole
// terms (counted from effective_date) until it is after now, so the subscription stays ACTIVE.
// Changing auto_renew first records the renewals made so far.
//
// Delete is soft: the row stays (delete_date set) but Get/List no longer return it, its name can
// be used again and it grants nothing. Only EXPIRED subscriptions may be deleted, and only ACTIVE
// ones updated; the service layer checks that (it owns the error codes for those states).
//
// Idempotency: Create with a client_request_token already used (same account and region) and
// the same parameters returns the subscription that token created (`replayed`); with different
// parameters it fails with InvalidArgument. Deleting a subscription releases its token.
//
// Errors: NotFound (no such live subscription), InvalidArgument (name in use, token reuse,
// invalid input, bad next token), LimitExceeded (kMaxSubscriptionsPerRegion live subscriptions,
// kMaxTagsPerSubscription tags).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace cpa::server::store {

namespace internal {
struct StoreState;
}

// "Up to 10 subscriptions per account" (EKS Anywhere docs, purchase-subscription.md), counted
// per region as EKS quotas are; expired subscriptions count until they are deleted.
inline constexpr int kMaxSubscriptionsPerRegion = 10;
inline constexpr int kMaxLicenseQuantity = 100;
inline constexpr int kMaxTagsPerSubscription = 50;
inline constexpr int kDefaultListSubscriptions = 10;
inline constexpr int kMaxListSubscriptions = 100;

inline constexpr std::string_view kSubscriptionActive = "ACTIVE";
inline constexpr std::string_view kSubscriptionExpired = "EXPIRED";

struct SubscriptionTerm {
  int duration = 12;            // months: 12 or 36
  std::string unit = "MONTHS";  // the only unit
  friend bool operator==(const SubscriptionTerm&, const SubscriptionTerm&) = default;
};

// A license provisioned with the subscription (License Manager's id and token).
struct SubscriptionLicense {
  std::string id;     // "l-" + 32 hex digits
  std::string token;  // opaque
};

struct Subscription {
  std::string id;   // UUID
  std::string arn;  // arn:aws:eks:<region>:<account>:eks-anywhere-subscription/<id>
  std::string account_id;
  std::string region;
  std::string name;
  SubscriptionTerm term;
  int license_quantity = 1;
  std::string license_type = "CLUSTER";
  bool auto_renew = false;
  std::vector<SubscriptionLicense> licenses;  // license_quantity of them
  std::map<std::string, std::string> tags;
  core::TimePoint created_at{};
  core::TimePoint effective_date{};
  core::TimePoint expiration_date{};  // after auto-renewals up to the time it was read
  std::string status;                 // kSubscriptionActive or kSubscriptionExpired, at read time

  // arn:aws:license-manager::<account>:license:<license id>, one per license.
  std::vector<std::string> LicenseArns() const;
};

struct NewSubscription {
  std::string account_id;
  std::string region;
  std::string name;
  SubscriptionTerm term;
  int license_quantity = 1;
  std::string license_type = "CLUSTER";
  bool auto_renew = false;
  std::map<std::string, std::string> tags;
  std::optional<std::string> client_request_token;
  std::string id;  // empty: a generated UUID
};

struct CreatedSubscription {
  Subscription subscription;
  bool replayed = false;  // an earlier Create with the same token and parameters made it
};

struct ListSubscriptionsRequest {
  std::string account_id;
  std::string region;
  std::vector<std::string> include_status;      // empty: every status
  std::string next_token;                       // empty: from the start
  int max_results = kDefaultListSubscriptions;  // 1..kMaxListSubscriptions
};

struct SubscriptionPage {
  std::vector<Subscription> items;  // by creation time, then id
  std::string next_token;           // empty when nothing follows
};

class SubscriptionRepository {
 public:
  explicit SubscriptionRepository(internal::StoreState& s) : s_(s) {}

  // Starts the term now: effective_date = created_at = now, expiration_date = now + the term.
  core::Result<CreatedSubscription> Create(const NewSubscription& subscription);
  core::Result<Subscription> Get(std::string_view account_id, std::string_view region,
                                 std::string_view id);
  core::Result<SubscriptionPage> List(const ListSubscriptionsRequest& request);
  core::Result<Subscription> UpdateAutoRenew(std::string_view account_id, std::string_view region,
                                             std::string_view id, bool auto_renew);
  // Returns the subscription as it was before the delete.
  core::Result<Subscription> Delete(std::string_view account_id, std::string_view region,
                                    std::string_view id);
  // Adds or replaces tags (LimitExceeded beyond kMaxTagsPerSubscription); removes tag keys
  // (absent keys are ignored).
  core::Result<Subscription> Tag(std::string_view account_id, std::string_view region,
                                 std::string_view id,
                                 const std::map<std::string, std::string>& tags);
  core::Result<Subscription> Untag(std::string_view account_id, std::string_view region,
                                   std::string_view id, const std::vector<std::string>& keys);

  // The accounts with an ACTIVE subscription in `region` at `now`, ordered, without duplicates.
  core::Result<std::vector<std::string>> ActiveAccounts(std::string_view region,
                                                        core::TimePoint now);

 private:
  internal::StoreState& s_;
};

// `t` plus `months` calendar months (UTC), the day clamped to the end of a shorter month.
core::TimePoint AddMonths(core::TimePoint t, int months);
// "arn:aws:eks:<region>:<account>:eks-anywhere-subscription/<id>"
std::string SubscriptionArn(std::string_view region, std::string_view account_id,
                            std::string_view id);

}  // namespace cpa::server::store
