#pragma once
// The console's signed-in sessions, in memory only: each holds the access key pair the person
// signed in with (never written anywhere, never sent back to the browser), the principal it
// resolved to, a CSRF token, and its expiry.
//
// The browser holds only a random session id, in a cookie (`SessionCookie`): HttpOnly, so page
// scripts cannot read it; SameSite=Strict, so other sites' pages cannot send it; Path=/console.
// The store is keyed by the SHA-256 of the id, so a dump of the map does not yield cookies.
// A session ends at sign-out, after `idle_timeout` without a request, or `max_lifetime` after
// sign-in, whichever comes first; past `max_sessions` the least recently used one is dropped.
//
// Thread safety: every method may be called from many threads at once.
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/crypto.h"
#include "server/http/message.h"
#include "sigv4/signer.h"

namespace cpa::server::console {

inline constexpr std::string_view kSessionCookieName = "cpa_console";
inline constexpr std::string_view kCookiePath = "/console";

// Who a session acts as: the key pair and what sts:GetCallerIdentity said about it.
struct Principal {
  sigv4::Credentials credentials;
  std::string account_id;
  std::string arn;
  std::string user_id;
};

struct Session {
  Principal principal;
  std::string csrf_token;  // 64 hex characters; required on every state-changing request
  core::TimePoint created;
  core::TimePoint last_used;
  core::TimePoint expires;  // when the session ends if it stays in use (the lifetime's end)
};

struct SessionOptions {
  std::chrono::seconds idle_timeout = std::chrono::hours(1);
  std::chrono::seconds max_lifetime = std::chrono::hours(12);
  size_t max_sessions = 1000;
};

class SessionStore {
 public:
  // `random` must be a cryptographically secure generator outside tests.
  SessionStore(const core::Clock& clock, core::Random& random, SessionOptions options = {});
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  // Starts a session for `principal`; returns its id (the cookie value, 64 hex characters) and
  // the session.
  std::pair<std::string, Session> Create(Principal principal);
  // The live session with this id (its idle timer restarts), or nullopt when there is none or it
  // has expired (it is then removed).
  std::optional<Session> Find(std::string_view id);
  // Ends the session (no-op when there is none).
  void Remove(std::string_view id);
  size_t size() const;

  const SessionOptions& options() const { return options_; }

 private:
  std::string RandomHex(size_t bytes);
  void PurgeLocked(core::TimePoint now);

  const core::Clock& clock_;
  core::Random& random_;
  const SessionOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Session, std::less<>> sessions_;  // by SHA-256 hex of the id
};

// The Set-Cookie value that carries a session id for `max_age` (Secure when the console is
// reached over https).
std::string SessionCookie(std::string_view id, std::chrono::seconds max_age, bool secure);
// The Set-Cookie value that deletes the session cookie.
std::string ClearedSessionCookie(bool secure);
// The value of the cookie `name` in the request's Cookie header(s), if present.
std::optional<std::string> CookieValue(const http::Request& request, std::string_view name);

}  // namespace cpa::server::console
