#include "server/console/session_store.h"

#include <algorithm>
#include <vector>

#include "core/encoding.h"

namespace cpa::server::console {

namespace {

std::string Key(std::string_view id) { return core::Sha256Hex(id); }

core::TimePoint EndOf(const Session& s, const SessionOptions& o) {
  return std::min(s.last_used + o.idle_timeout, s.created + o.max_lifetime);
}

}  // namespace

SessionStore::SessionStore(const core::Clock& clock, core::Random& random, SessionOptions options)
    : clock_(clock), random_(random), options_(options) {}

std::string SessionStore::RandomHex(size_t bytes) {
  std::vector<uint8_t> buf(bytes);
  random_.Fill(buf.data(), buf.size());
  return core::HexEncode(core::Bytes(buf.data(), buf.size()));
}

void SessionStore::PurgeLocked(core::TimePoint now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.expires <= now ? sessions_.erase(it) : std::next(it);
  }
  while (sessions_.size() >= options_.max_sessions && !sessions_.empty()) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second.last_used < b.second.last_used;
    });
    sessions_.erase(oldest);
  }
}

std::pair<std::string, Session> SessionStore::Create(Principal principal) {
  const core::TimePoint now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  PurgeLocked(now);
  std::string id = RandomHex(32);
  Session s;
  s.principal = std::move(principal);
  s.csrf_token = RandomHex(32);
  s.created = now;
  s.last_used = now;
  s.expires = EndOf(s, options_);
  sessions_[Key(id)] = s;
  return {std::move(id), std::move(s)};
}

std::optional<Session> SessionStore::Find(std::string_view id) {
  if (id.size() != 64) return std::nullopt;
  const core::TimePoint now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(Key(id));
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  it->second.expires = EndOf(it->second, options_);
  return it->second;
}

void SessionStore::Remove(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(Key(id));
}

size_t SessionStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

std::string SessionCookie(std::string_view id, std::chrono::seconds max_age, bool secure) {
  std::string c = std::string(kSessionCookieName) + "=" + std::string(id) +
                  "; Path=" + std::string(kCookiePath) +
                  "; Max-Age=" + std::to_string(max_age.count()) + "; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  return c;
}

std::string ClearedSessionCookie(bool secure) {
  std::string c = std::string(kSessionCookieName) + "=; Path=" + std::string(kCookiePath) +
                  "; Max-Age=0; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  return c;
}

std::optional<std::string> CookieValue(const http::Request& request, std::string_view name) {
  for (const auto& [field, value] : request.headers) {
    if (!core::AsciiIEquals(field, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = core::TrimAsciiWhitespace(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (core::TrimAsciiWhitespace(pair.substr(0, eq)) == name) {
        return std::string(core::TrimAsciiWhitespace(pair.substr(eq + 1)));
      }
    }
  }
  return std::nullopt;
}

}  // namespace cpa::server::console
