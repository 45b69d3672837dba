#pragma once
// A Connection from kubeconfig files, following kubectl's loading rules for what cpa supports.
//
// Several files (KUBECONFIG is a ':'-separated list): merged in order, the first file that
// defines a cluster, user or context name wins, and the first non-empty current-context wins.
// Files that do not exist are skipped (as kubectl does); at least one must exist.
//
// Supported per entry:
//   clusters[].cluster: server (a bare host:port gets https://), certificate-authority-data
//     (wins) or certificate-authority (a path, relative to the file that names it),
//     insecure-skip-tls-verify (an error together with a CA, as in client-go);
//   users[].user: token, tokenFile (wins over token, re-read while running),
//     client-certificate[-data] with client-key[-data] (data wins over path);
//   contexts[].context: cluster, user, namespace.
// Rejected with a message naming the entry: exec and auth-provider plugins, username/password,
// impersonation (as, as-groups), proxy-url, tls-server-name, a context naming a cluster or user
// that is not defined.

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "kube/connection.h"

namespace cpa::kube {

struct KubeconfigOptions {
  // Use this context instead of current-context (kubectl --context).
  std::string context;
};

// The entries of a KUBECONFIG value: split on ':', empty entries and repeats dropped.
std::vector<std::string> SplitKubeconfigList(std::string_view value);

// Loads, merges and resolves `paths` (see above). With `must_exist`, every path must exist
// (an explicit --kube file); otherwise missing ones are skipped.
core::Result<Connection> KubeconfigConnection(const std::vector<std::string>& paths,
                                              const FileReader& read,
                                              const KubeconfigOptions& options = {},
                                              bool must_exist = false);

}  // namespace cpa::kube
