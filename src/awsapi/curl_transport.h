#pragma once
// HttpTransport over libcurl.
//
// - TLS peer and host verification are on (the system CA store, or only `ca_pem` when set);
//   `insecure_skip_verify` turns them off for a transport that asks for it explicitly (a
//   kubeconfig's insecure-skip-tls-verify). A client certificate is presented when configured.
// - Proxies come from the environment (http_proxy, https_proxy, no_proxy), as libcurl does by
//   default; nothing here overrides them.
// - Connections are reused: finished easy handles go back to a small pool and keep their
//   connection caches.
// - Connect and total timeouts apply to every request; redirects are not followed.
// - Nothing is written to stdout or stderr.
//
// Thread safety: Send may be called from many threads at once; each call uses its own handle.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "awsapi/http.h"

namespace cpa::awsapi {

struct CurlTransportOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
  // Responses larger than this fail with kInvalidArgument instead of exhausting memory.
  size_t max_response_bytes = 64 << 20;
  // Idle handles kept for reuse.
  size_t max_pooled_handles = 8;
  // TLS. Non-empty `ca_pem` (PEM certificates) replaces the system CA store for this transport,
  // as a Kubernetes cluster CA does. The client certificate and key (PEM) go together.
  std::string ca_pem;
  std::string client_cert_pem;
  std::string client_key_pem;
  bool insecure_skip_verify = false;
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  core::Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  void* Acquire();             // a CURL*, from the pool or new; null if libcurl fails
  void Release(void* handle);  // back to the pool (or cleaned up when the pool is full)

  CurlTransportOptions options_;
  std::mutex mu_;
  std::vector<void*> pool_;  // guarded by mu_
};

}  // namespace cpa::awsapi
