#include "agent/refresher.h"

#include <utility>

#include "agent/go_duration.h"

namespace cpa::agent {

Refresher::Refresher(TokenSource* source, std::vector<TokenGroup> groups,
                     std::vector<CredentialsOutput*> outputs, const core::Clock* clock, LogFn log)
    : source_(source),
      groups_(std::move(groups)),
      outputs_(std::move(outputs)),
      clock_(clock),
      log_(log ? std::move(log) : LogFn([](std::string_view) {})) {}

std::string Refresher::Key(const RegistryTarget& r) {
  return r.port ? r.host + ":" + std::to_string(*r.port) : r.host;
}

void Refresher::Replan(TokenSource* source, std::vector<TokenGroup> groups) {
  source_ = source;
  groups_ = std::move(groups);
  std::map<std::string, Login> kept;
  for (const TokenGroup& g : groups_) {
    for (const RegistryTarget& r : g.registries) {
      if (auto it = in_place_.find(Key(r)); it != in_place_.end()) kept.insert(*it);
    }
  }
  in_place_ = std::move(kept);
}

size_t Refresher::registries() const {
  size_t n = 0;
  for (const TokenGroup& g : groups_) n += g.registries.size();
  return n;
}

std::optional<core::TimePoint> Refresher::ValidUntil() const {
  std::optional<core::TimePoint> earliest;
  for (const TokenGroup& g : groups_) {
    for (const RegistryTarget& r : g.registries) {
      auto it = in_place_.find(Key(r));
      if (it == in_place_.end()) return std::nullopt;
      if (!earliest || it->second.expires_at < *earliest) earliest = it->second.expires_at;
    }
  }
  return earliest;
}

RefreshReport Refresher::Refresh() {
  RefreshReport report;
  std::map<std::string, Login> next = in_place_;
  size_t fresh = 0;
  for (const TokenGroup& group : groups_) {
    report.registries += group.registries.size();
    const std::string where = "profile `" + group.profile + "` in " + group.region;
    TokenRequest request{group.profile, group.region, group.RegistryIds()};
    FetchOutcome fetched = source_->Fetch(request);
    if (!fetched.ok()) {
      RefreshFailure f{fetched.cause, where + ": " + fetched.status.message()};
      bool kept = true;
      for (const RegistryTarget& r : group.registries) kept = kept && in_place_.contains(Key(r));
      log_("refresh failed [" + std::string(FailureCauseName(f.cause)) + "]: " + f.message +
           (kept ? "; the logins in place are kept" : "; nothing is written for it"));
      report.failures.push_back(std::move(f));
      continue;
    }
    const RegistryToken& token = *fetched.token;
    std::string servers;
    for (const RegistryTarget& r : group.registries) {
      Login login{{ServerFor(r, token.proxy_endpoint), token.username, token.password},
                  token.expires_at};
      servers += (servers.empty() ? "" : ", ") + login.auth.server;
      next[Key(r)] = std::move(login);
      ++fresh;
    }
    const core::TimePoint now = clock_->Now();
    log_("token for " + where + " valid until " + core::FormatIso8601(token.expires_at) + " (" +
         FormatGoDuration(token.expires_at - now) + "): " + servers);
  }

  if (fresh > 0) {
    std::vector<RegistryAuth> auths;
    for (const auto& [key, login] : next) auths.push_back(login.auth);
    bool all_stored = true;
    for (CredentialsOutput* out : outputs_) {
      WriteResult written = out->Write(auths);
      if (written.ok()) {
        log_("wrote " + std::to_string(auths.size()) + " registry login(s) to " + out->Describe());
        continue;
      }
      all_stored = all_stored && written.stored;
      for (RefreshFailure& f : written.failures) {
        log_("refresh failed [" + std::string(FailureCauseName(f.cause)) + "]: " + f.message);
        report.failures.push_back(std::move(f));
      }
      if (written.stored) {
        log_("wrote " + std::to_string(auths.size()) + " registry login(s) to " + out->Describe() +
             " (not everywhere: see the failures)");
      }
    }
    if (all_stored) {
      in_place_ = std::move(next);
      report.refreshed = fresh;
    }
  }
  report.valid_until = ValidUntil();
  return report;
}

}  // namespace cpa::agent
