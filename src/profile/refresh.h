#pragma once
// A cache in front of a source of temporary credentials (AssumeRole, web identity,
// credential_process...) that refreshes ahead of expiry and stays up when the source is down.
//
// Rules (the cross-SDK credential refresh behaviour; see README.md):
//  - valid: credentials without an expiration, or before their advisory window, are served as is.
//  - advisory window (expiration - W): one caller refreshes, callers that find a refresh in flight
//    get the cached credentials without waiting. W is chosen from the lifetime of each new set
//    (Expiration - now): <= 20 min -> 5 min, < 90 min -> 15 min, else 60 min; or configured.
//  - mandatory window (last 60 s, expired, nothing cached, or invalidated): callers wait for the
//    refresh in flight.
//  - a recoverable failure (or credentials that are already expired) keeps serving the cached
//    credentials, even expired ones, and backs off: no refresh for a random 5-10 min. Callers
//    held back this way are reported `rate_limited`. With nothing cached the error is returned.
//  - a non-recoverable failure (bad keys, access denied) is returned at once, without backoff,
//    and returned again without contacting the source for up to 5 s.
//  - Invalidate() sends the next call down the mandatory path (the backoff still applies).
//
// Thread safety: every method may be called from any thread. The fetch function runs without
// internal locks held, at most one call at a time; it must not call back into the cache.

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <random>

#include "core/clock.h"
#include "core/status.h"
#include "profile/credentials.h"

namespace cpa::profile {

// The default classification: errors that retrying cannot fix (credentials or permissions that
// are wrong, malformed configuration) are non-recoverable; I/O, throttling, 5xx are not.
bool IsNonRecoverableRefreshError(const core::Status& status);

struct RefreshOptions {
  std::chrono::seconds mandatory_window{60};
  // Overrides the lifetime-based advisory window when set.
  std::optional<std::chrono::seconds> advisory_window;
  std::chrono::seconds backoff_min{300};
  std::chrono::seconds backoff_max{600};
  std::chrono::seconds error_cache_min{1};
  std::chrono::seconds error_cache_max{5};
  std::function<bool(const core::Status&)> is_non_recoverable = IsNonRecoverableRefreshError;
  // Uniform in [0, 1), for jitter; the default is a PRNG seeded from std::random_device.
  std::function<double()> random;
};

using FetchCredentials = std::function<core::Result<Credentials>()>;

class RefreshingCredentialsCache {
 public:
  struct Lookup {
    core::Result<Credentials> credentials;
    bool source_contacted = false;
    bool rate_limited = false;  // a refresh was due but the backoff held it back
  };

  RefreshingCredentialsCache(FetchCredentials fetch, const core::Clock& clock,
                             RefreshOptions options = {});

  core::Result<Credentials> Get() { return GetWithDetails().credentials; }
  Lookup GetWithDetails();

  // Seeds the cache as if `credentials` had just been fetched (e.g. from an on-disk cache).
  void Prime(Credentials credentials);
  // The service rejected the credentials: refresh on the next call.
  void Invalidate();

  // The advisory window in effect for the cached set; nullopt when nothing expiring is cached.
  std::optional<std::chrono::seconds> advisory_window() const;

  // The advisory window for a credential set of this lifetime.
  static std::chrono::seconds AdvisoryWindowForLifetime(std::chrono::seconds lifetime);

 private:
  enum class Decision {
    kServe,
    kServeRateLimited,
    kRaiseCachedError,
    kRefreshAdvisory,
    kRefreshMandatory
  };

  Decision Decide(core::TimePoint now) const;                // state_mutex_ held
  Lookup Immediate(Decision decision) const;                 // state_mutex_ held
  Lookup Apply(core::Result<Credentials> fetched);           // state_mutex_ held
  void Store(Credentials credentials, core::TimePoint now);  // state_mutex_ held
  std::chrono::seconds Jitter(std::chrono::seconds lo, std::chrono::seconds hi);

  const FetchCredentials fetch_;
  const core::Clock& clock_;
  const RefreshOptions options_;

  std::mutex refresh_mutex_;  // held for the duration of a fetch
  mutable std::mutex state_mutex_;
  std::optional<Credentials> cached_;
  std::optional<std::chrono::seconds> advisory_window_;
  std::optional<core::TimePoint> next_refresh_allowed_;  // backoff after a recoverable failure
  std::optional<core::Status> cached_error_;             // last non-recoverable failure...
  core::TimePoint cached_error_until_;                   // ...re-raised until then
  bool invalidated_ = false;
  std::mt19937_64 rng_;
};

}  // namespace cpa::profile
