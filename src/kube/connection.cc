#include "kube/connection.h"

#include "awsapi/http.h"
#include "profile/files.h"

namespace cpa::kube {

using core::ErrorCode;
using core::Status;

FileReader RealFileReader() {
  return [](const std::string& path) { return profile::ReadTextFile(path); };
}

Status ValidateConnection(const Connection& c) {
  auto bad = [&](std::string why) {
    return Status(ErrorCode::kInvalidArgument, c.source.empty() ? why : c.source + ": " + why);
  };
  if (c.server.empty()) return bad("no API server URL");
  if (!c.server.starts_with("https://") && !c.server.starts_with("http://")) {
    return bad("the API server URL must start with https:// or http://");
  }
  auto url = awsapi::Url::Parse(c.server);
  if (!url.ok()) return bad(url.status().message());
  if (!url->query.empty()) return bad("the API server URL must not have a query");
  if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
    return bad("a client certificate needs its key and a key its certificate");
  }
  if (c.insecure_skip_tls_verify && !c.ca_pem.empty()) {
    return bad("a CA certificate together with insecure-skip-tls-verify is not allowed");
  }
  return Status::Ok();
}

}  // namespace cpa::kube
