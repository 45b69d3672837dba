#pragma once
// Test doubles for the kube library: a scripted HTTP transport and an in-memory file reader.

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "awsapi/http.h"
#include "core/encoding.h"
#include "core/status.h"
#include "kube/connection.h"

namespace cpa::kube::testing {

// Answers requests from a script, in order, checking each request's method and path (the URL
// without the server's origin and without the query). Records every request.
class ScriptedTransport final : public awsapi::HttpTransport {
 public:
  void Expect(std::string method, std::string path, int status, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    steps_.push_back({std::move(method), std::move(path), status, std::move(body), {}});
  }
  // The next request fails in transport (no HTTP answer).
  void ExpectTransportFailure(core::Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    steps_.push_back({"", "", 0, "", std::move(status)});
  }

  core::Result<awsapi::HttpResponse> Send(const awsapi::HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests.push_back(request);
    if (steps_.empty()) {
      ADD_FAILURE() << "unexpected request " << request.method << " " << request.url;
      return core::Status(core::ErrorCode::kInternal, "unexpected request");
    }
    Step step = std::move(steps_.front());
    steps_.pop_front();
    if (!step.failure.ok()) return step.failure;
    auto url = awsapi::Url::Parse(request.url);
    EXPECT_TRUE(url.ok()) << request.url;
    EXPECT_EQ(request.method, step.method) << request.url;
    if (url.ok()) {
      EXPECT_EQ(url->path, step.path);
    }
    return awsapi::HttpResponse{step.status, {{"Content-Type", "application/json"}}, step.body};
  }

  bool done() const {
    std::lock_guard<std::mutex> lock(mu_);
    return steps_.empty();
  }

  std::vector<awsapi::HttpRequest> requests;

 private:
  struct Step {
    std::string method;
    std::string path;
    int status = 0;
    std::string body;
    core::Status failure;
  };
  mutable std::mutex mu_;
  std::deque<Step> steps_;
};

// Files from a map; a path that is not there is kNotFound. Counts reads.
struct FakeFiles {
  std::map<std::string, std::string> files;
  std::map<std::string, core::Status> errors;  // paths that fail with this status
  mutable std::map<std::string, int> reads;

  FileReader Reader() {
    return [this](const std::string& path) -> core::Result<std::string> {
      ++reads[path];
      if (auto e = errors.find(path); e != errors.end()) return e->second;
      auto it = files.find(path);
      if (it == files.end()) {
        return core::Status(core::ErrorCode::kNotFound, path + ": no such file");
      }
      return it->second;
    };
  }
};

// A Status object as the API server sends it.
inline std::string StatusBody(int code, std::string reason, std::string message,
                              nlohmann::json details = nullptr) {
  nlohmann::json j = {{"kind", "Status"},
                      {"apiVersion", "v1"},
                      {"metadata", nlohmann::json::object()},
                      {"status", "Failure"},
                      {"message", std::move(message)}};
  if (!reason.empty()) j["reason"] = std::move(reason);
  if (!details.is_null()) j["details"] = std::move(details);
  j["code"] = code;
  return j.dump();
}

inline std::string NotFoundBody(const std::string& resource, const std::string& name) {
  return StatusBody(404, "NotFound", resource + " \"" + name + "\" not found",
                    {{"name", name}, {"kind", resource}});
}

inline std::string ConflictBody(const std::string& resource, const std::string& name) {
  return StatusBody(409, "Conflict",
                    "Operation cannot be fulfilled on " + resource + " \"" + name +
                        "\": the object has been modified; please apply your changes to the "
                        "latest version and try again",
                    {{"name", name}, {"kind", resource}});
}

inline std::string AlreadyExistsBody(const std::string& resource, const std::string& name) {
  return StatusBody(409, "AlreadyExists", resource + " \"" + name + "\" already exists",
                    {{"name", name}, {"kind", resource}});
}

// A Secret as the server answers it; `data` values are plain text (encoded here).
inline nlohmann::json SecretJson(const std::string& ns, const std::string& name,
                                 const std::string& rv,
                                 const std::map<std::string, std::string>& data,
                                 const std::string& type = "Opaque") {
  nlohmann::json encoded = nlohmann::json::object();
  for (const auto& [k, v] : data) encoded[k] = core::Base64Encode(v);
  return {{"kind", "Secret"},
          {"apiVersion", "v1"},
          {"metadata",
           {{"name", name},
            {"namespace", ns},
            {"uid", "11111111-2222-3333-4444-555555555555"},
            {"resourceVersion", rv},
            {"creationTimestamp", "2026-01-02T03:04:05Z"}}},
          {"data", encoded},
          {"type", type}};
}

}  // namespace cpa::kube::testing
