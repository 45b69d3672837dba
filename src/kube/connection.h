#pragma once
// Where a Kubernetes API server is and how to authenticate to it: what in_cluster.h and
// kubeconfig.h produce and what client.h consumes.
//
// Thread safety: values.

#include <functional>
#include <string>

#include "core/status.h"

namespace cpa::kube {

// Reads a whole file: kNotFound when it does not exist, another error (naming the path) when it
// cannot be read. Injected so that loading is testable without a filesystem.
using FileReader = std::function<core::Result<std::string>(const std::string& path)>;

// The real filesystem.
FileReader RealFileReader();

struct Connection {
  // Base URL of the API server: "https://host[:port]" with an optional path prefix (as some
  // proxies use), without a trailing '/'.
  std::string server;
  // TLS: PEM certificates trusted for `server` (empty: the system store), or no verification at
  // all when insecure_skip_tls_verify (never both).
  std::string ca_pem;
  bool insecure_skip_tls_verify = false;
  // x509 client authentication: PEM certificate and key, both or neither.
  std::string client_cert_pem;
  std::string client_key_pem;
  // Bearer token. A token file is re-read while the client runs (projected service account
  // tokens rotate); when both are set the file wins, as in client-go.
  std::string token;
  std::string token_file;
  // Default namespace: the service account's, or the kubeconfig context's. May be empty.
  std::string namespace_name;
  // Where this came from, for messages: "in-cluster service account", "kubeconfig <path>
  // context <name>". Never contains credentials.
  std::string source;
};

// A connection is usable: server set, client cert and key together, no CA with
// insecure_skip_tls_verify. The message names `source`.
core::Status ValidateConnection(const Connection& connection);

}  // namespace cpa::kube
