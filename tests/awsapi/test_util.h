#pragma once
// Shared helpers for the awsapi tests: a scripted HTTP transport and a client configuration with
// a fake clock, seeded randomness and a recorded sleep.

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "awsapi/client.h"
#include "awsapi/http.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "sigv4/verifier.h"

namespace cpa::awsapi::testing {

inline constexpr char kAccessKey[] = "AKIDEXAMPLE";
inline constexpr char kSecretKey[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// Returns canned responses in order and records every request.
class FakeTransport final : public HttpTransport {
 public:
  core::Result<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests.push_back(request);
    if (responses.empty()) {
      return core::Status(core::ErrorCode::kInvalidArgument, "FakeTransport: no canned response");
    }
    auto next = responses.front();
    responses.pop_front();
    return next;
  }

  void Push(int status, std::string body, HttpHeaders headers = {}) {
    responses.push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }
  void PushError(core::Status status) { responses.push_back(std::move(status)); }

  const HttpRequest& last() const { return requests.back(); }

  std::vector<HttpRequest> requests;
  std::deque<core::Result<HttpResponse>> responses;

 private:
  std::mutex mu_;
};

inline std::optional<std::string> HeaderOf(const HttpRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (core::AsciiIEquals(k, name)) return v;
  }
  return std::nullopt;
}

// The form fields of an awsQuery body.
inline std::map<std::string, std::string> FormFields(const std::string& body) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= body.size() && !body.empty()) {
    size_t amp = body.find('&', pos);
    std::string pair = body.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    size_t eq = pair.find('=');
    auto key = core::UriDecode(pair.substr(0, eq), true);
    auto value = core::UriDecode(eq == std::string::npos ? "" : pair.substr(eq + 1), true);
    out[key.ok() ? *key : "?"] = value.ok() ? *value : "?";
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

struct TestEnv {
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  core::FakeClock clock{core::TimePoint(std::chrono::seconds(1714564800))};  // 2024-05-01T12:00Z
  core::SeededRandom random{42};
  std::vector<std::chrono::milliseconds> sleeps;

  ClientConfig Config(std::string region = "us-west-2", std::string session_token = "") {
    ClientConfig config;
    config.region = std::move(region);
    config.credentials = MakeStaticCredentials(kAccessKey, kSecretKey, std::move(session_token));
    config.transport = transport;
    config.clock = &clock;
    config.random = &random;
    config.sleep = [this](std::chrono::milliseconds d) {
      sleeps.push_back(d);
      clock.Advance(std::chrono::duration_cast<std::chrono::seconds>(d));
    };
    return config;
  }
};

// Checks the SigV4 signature of a captured request with the sigv4 verifier; returns the verified
// scope, or the failure.
inline core::Result<sigv4::VerifiedRequest> VerifySignature(const HttpRequest& request,
                                                            const core::Clock& clock,
                                                            std::string session_token = "") {
  auto url = Url::Parse(request.url);
  if (!url.ok()) return url.status();
  sigv4::HttpRequest wire;
  wire.method = request.method;
  wire.path = url->path.empty() ? "/" : url->path;
  wire.query = url->query;
  wire.headers = request.headers;
  wire.body = request.body;
  sigv4::SecretInfo secret;
  secret.secret_access_key = kSecretKey;
  secret.session_token = session_token;
  auto shared = std::make_shared<const sigv4::SecretInfo>(secret);
  sigv4::Verifier verifier(clock,
                           [&](std::string_view id) -> std::shared_ptr<const sigv4::SecretInfo> {
                             if (id != kAccessKey) return nullptr;
                             return shared;
                           });
  return verifier.Verify(wire);
}

}  // namespace cpa::awsapi::testing
