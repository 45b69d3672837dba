#pragma once
// Fakes for the agent tests: an in-memory filesystem with injectable write failures, a scripted
// HTTP transport, a scripted token source and a recording output.

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "agent/file_system.h"
#include "agent/output.h"
#include "agent/token_source.h"
#include "awsapi/http.h"
#include "core/encoding.h"

namespace cpa::agent::testing {

class MemoryFileSystem final : public FileSystem {
 public:
  core::Result<std::string> ReadFile(const std::string& path) override {
    ++reads;
    auto it = files.find(path);
    if (it == files.end()) return core::Status(core::ErrorCode::kNotFound, path + " missing");
    return it->second;
  }
  core::Status WriteFileAtomically(const std::string& path, std::string_view data,
                                   mode_t mode) override {
    if (!fail_writes.empty()) return core::Status(core::ErrorCode::kInternal, fail_writes);
    files[path] = std::string(data);
    modes[path] = mode;
    ++writes;
    return core::Status::Ok();
  }

  std::map<std::string, std::string> files;
  std::map<std::string, mode_t> modes;
  std::string fail_writes;  // non-empty: every write fails with this message
  int reads = 0;
  int writes = 0;
};

// Answers requests in order; records them.
class ScriptedTransport final : public awsapi::HttpTransport {
 public:
  core::Result<awsapi::HttpResponse> Send(const awsapi::HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests.push_back(request);
    if (responses.empty()) {
      return core::Status(core::ErrorCode::kInvalidArgument, "ScriptedTransport: no response");
    }
    auto next = responses.front();
    responses.pop_front();
    return next;
  }
  void Push(int status, std::string body, awsapi::HttpHeaders headers = {}) {
    responses.push_back(awsapi::HttpResponse{status, std::move(headers), std::move(body)});
  }
  void PushError(core::Status s) { responses.push_back(std::move(s)); }

  std::vector<awsapi::HttpRequest> requests;
  std::deque<core::Result<awsapi::HttpResponse>> responses;

 private:
  std::mutex mu_;
};

// Hands out scripted outcomes in order and records the requests.
class ScriptedTokenSource final : public TokenSource {
 public:
  FetchOutcome Fetch(const TokenRequest& request) override {
    requests.push_back(request);
    if (outcomes.empty()) {
      FetchOutcome o;
      o.status = core::Status(core::ErrorCode::kInternal, "no scripted outcome");
      return o;
    }
    FetchOutcome o = outcomes.front();
    outcomes.pop_front();
    return o;
  }
  void PushToken(std::string password, core::TimePoint expires_at,
                 std::string proxy_endpoint = "") {
    FetchOutcome o;
    o.token = RegistryToken{"AWS", std::move(password), expires_at, std::move(proxy_endpoint)};
    outcomes.push_back(std::move(o));
  }
  void PushFailure(FailureCause cause, core::ErrorCode code, std::string message) {
    FetchOutcome o;
    o.cause = cause;
    o.status = core::Status(code, std::move(message));
    outcomes.push_back(std::move(o));
  }

  std::vector<TokenRequest> requests;
  std::deque<FetchOutcome> outcomes;
};

class RecordingOutput final : public CredentialsOutput {
 public:
  std::string Describe() const override { return "recording output"; }
  WriteResult Write(std::span<const RegistryAuth> auths) override {
    if (!fail.empty() && !partly) return WriteResult::Failed(cause, fail);
    writes.emplace_back(auths.begin(), auths.end());
    if (!fail.empty()) return {{{cause, fail}}, true};  // stored in part
    return {};
  }
  std::vector<std::vector<RegistryAuth>> writes;
  std::string fail;  // non-empty: every write fails with this message
  FailureCause cause = FailureCause::kOutput;
  bool partly = false;  // the failing writes store the logins in part
};

// base64("AWS:<password>"), as ECR returns it.
inline std::string EcrToken(const std::string& password) {
  return core::Base64Encode("AWS:" + password);
}

// A GetAuthorizationToken response body.
inline std::string EcrTokenResponse(const std::string& password, int64_t expires_at_epoch,
                                    const std::string& proxy_endpoint) {
  return R"({"authorizationData":[{"authorizationToken":")" + EcrToken(password) +
         R"(","expiresAt":)" + std::to_string(expires_at_epoch) + R"(,"proxyEndpoint":")" +
         proxy_endpoint + R"("}]})";
}

}  // namespace cpa::agent::testing
