#pragma once
// The console's way into the AWS APIs of `cpa serve`: every console action becomes the request an
// API client would send (awsQuery for IAM and STS, restJson1 for EKS, awsJson1_1 for ECR), signed
// with SigV4 with the signed-in principal's key pair and handed in process to the same pipeline
// that serves API clients (`ApiHandler::Handle`). So IAM is enforced exactly as for API calls,
// the audit log sees the same decisions, and errors carry AWS's code and message.
//
// Replies are JSON for the browser: `{"result": {...}}` on success (an awsQuery `<OpResult>`
// converted by QueryXmlToJson, or a JSON service's body), `{"error": {"code", "message"},
// "requestId"}` otherwise, with the API's HTTP status.
//
// Thread safety: const methods; safe from many threads when `dispatch` is.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "server/http/message.h"
#include "sigv4/signer.h"

namespace cpa::server::console {

using Dispatch = std::function<http::Response(http::Request&&)>;
using QueryParamList = std::vector<std::pair<std::string, std::string>>;

struct Reply {
  int status = 200;
  nlohmann::json body;
  bool ok() const { return status >= 200 && status < 300; }
  // The error code ("" on success).
  std::string code() const;
};

class AwsBridge {
 public:
  // `clock` must be the API pipeline's clock (the signature's date is checked against it).
  AwsBridge(Dispatch dispatch, const core::Clock& clock);

  // An awsQuery call: `service` is "iam" or "sts".
  Reply Query(const sigv4::Credentials& credentials, std::string_view service,
              std::string_view action, const QueryParamList& params,
              std::string_view remote_address) const;
  // A restJson1 call (`service` "eks") in `region`; `target` is the path and query.
  Reply RestJson(const sigv4::Credentials& credentials, std::string_view service,
                 std::string_view region, std::string_view method, std::string_view target,
                 std::string body, std::string_view remote_address) const;
  // An awsJson1_1 call (`service` "ecr") with X-Amz-Target `target` in `region`.
  Reply Json(const sigv4::Credentials& credentials, std::string_view service,
             std::string_view region, std::string_view target, std::string body,
             std::string_view remote_address) const;

 private:
  Reply Send(const sigv4::Credentials& credentials, std::string_view service,
             std::string_view region, std::string method, std::string target,
             std::vector<std::pair<std::string, std::string>> headers, std::string body,
             std::string_view remote_address, bool json_protocol) const;

  Dispatch dispatch_;
  const core::Clock& clock_;
};

// The awsQuery API version of "iam" and "sts".
std::string_view QueryApiVersion(std::string_view service);

// An awsQuery response body as JSON: the members of `<ActionResult>` (an element whose children
// are all `member` becomes an array; one with children an object; a leaf its text), `{}` when
// the operation has no result; an `<ErrorResponse>` becomes {"error": {...}, "requestId"}.
Reply QueryXmlToReply(std::string_view xml, int http_status);

// A JSON service's response (body and x-amzn-ErrorType / __type) as a Reply.
Reply JsonToReply(const http::Response& response);

// The console's JSON parameters as awsQuery parameters: strings, numbers and booleans as they
// are, arrays as `Name.member.N`, objects as `Name.Field` (recursively). Anything else (null)
// is kInvalidArgument naming the parameter.
core::Result<QueryParamList> FlattenQueryParams(const nlohmann::json& params);

}  // namespace cpa::server::console
