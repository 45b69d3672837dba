#pragma once
// The agent's AWS settings from Secret eksa-packages/aws-secret read through the Kubernetes
// API (`cpa agent --kube`), and the failure cause of a Kubernetes API call.
//
// The Secret is read again on every refresh (reloading_refresher.h), so an updated Secret takes
// effect without a restart. Its data goes to SettingsFromSecretData: a non-empty `config`
// overrides the key fields, and a malformed one is reported by the Secret's key and the line
// ("malformed AWS config: Secret eksa-packages/aws-secret key `config` line 6: ..."), never by
// its text.

#include "agent/reloading_refresher.h"
#include "agent/token_source.h"
#include "kube/api.h"
#include "kube/api_error.h"

namespace cpa::agent {

// The cause of a failed Kubernetes API call, from the server's answer: none at all (connection,
// TLS, the token file, an answer that is not JSON) is `network`; 401 `invalid_credentials`; 403
// `access_denied`; 409 (conflicts that kept coming), 429 and 5xx `service`; any other answer
// (404, 400, 422) is `otherwise`: `config` for what the agent reads, `output` for what it writes.
FailureCause KubeFailureCause(const kube::ApiError* error, FailureCause otherwise);

// "Secret eksa-packages/aws-secret": the settings' origin.
std::string AwsSecretOrigin();

// Reads eksa-packages/aws-secret through `api` and turns it into settings.
LoadedSettings LoadAwsSecret(kube::Api& api);

}  // namespace cpa::agent
