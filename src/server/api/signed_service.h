#pragma once
// A service spoken over a JSON protocol (ECR: awsJson1_1 with X-Amz-Target; EKS: restJson1 by
// method and path), plugged into ApiHandler's pipeline after SigV4 verification and caller
// resolution. The service decodes its own request, authorizes through the RequestContext and
// encodes its own success and error responses (`__type` body member and `x-amzn-ErrorType`
// header), so that errors raised before the service runs (SigV4, unknown service) and by it look
// the same to clients.
//
// Thread safety: Handle and ErrorResponse may run on many threads at once.
#include <string>
#include <string_view>

#include "server/api/request_context.h"
#include "server/http/message.h"

namespace cpa::server::api {

class SignedService {
 public:
  virtual ~SignedService() = default;
  // The SigV4 signing name that routes to this service ("ecr", "eks").
  virtual std::string_view signing_name() const = 0;
  // The operation a request names (X-Amz-Target suffix, or the REST route), "" when it names
  // none this service knows. Used for metrics labels and for errors raised before Handle.
  virtual std::string OperationOf(const http::Request& request) const = 0;
  // Serves a verified request. `context.params()` is empty; the body is in `request`. The
  // response carries x-amzn-RequestId and the metrics labels (service, operation, outcome).
  virtual http::Response Handle(const http::Request& request, RequestContext& context) = 0;
  // An error in this protocol's form (status, `__type`, `x-amzn-ErrorType`, `message`).
  virtual http::Response ErrorResponse(std::string_view operation, std::string_view code,
                                       int http_status, std::string_view message,
                                       const std::string& request_id) const = 0;
};

}  // namespace cpa::server::api
