#pragma once
// Errors answered by the Kubernetes API server, and ApiResult<T>, the result type of every API
// call (like awsapi's Outcome: a value or a Status, plus the server's error when it answered).
//
// The server answers failures with a Status object ({"kind":"Status","status":"Failure",
// "reason":"NotFound","message":"...","details":{...},"code":404}). A body that is not one (a
// proxy's page) gets the reason client-go derives from the HTTP code.
//
// Core codes, mapped here and nowhere else: 401 -> kInvalidClientTokenId (credentials missing or
// not accepted), 403 -> kAccessDenied, 404 -> kNotFound, 409 AlreadyExists -> kAlreadyExists,
// 409 Conflict (a stale resourceVersion) -> kInternal (retry after a re-read; use IsConflict),
// 422 Invalid -> kValidationError, other 4xx -> kInvalidArgument, 429 and 5xx -> kInternal.
// Messages: "<operation>: <Reason>: <message> (HTTP <code>)".

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace cpa::kube {

struct ApiError {
  int code = 0;                     // HTTP status
  std::string reason;               // "NotFound", "Conflict", ...; may be empty (e.g. some 500s)
  std::string message;              // the server's message; may be empty
  std::string kind;                 // details.kind ("secrets", "Secret", "namespaces")
  std::string name;                 // details.name
  std::vector<std::string> causes;  // details.causes as "field: message"

  friend bool operator==(const ApiError&, const ApiError&) = default;
};

// Decodes an error response. Never fails: a body that is not a Status object gives a reason
// from `http_status` and a short, printable excerpt of the body as the message.
ApiError ParseApiError(int http_status, std::string_view body);

core::ErrorCode MapApiError(const ApiError& error);

// The Status for an error of `operation` ("get secret ns/name at https://host").
core::Status ApiErrorStatus(std::string_view operation, const ApiError& error);

template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : result_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  // A failure without a server answer (transport, TLS, token file, decoding). Not OK.
  ApiResult(core::Status status) : result_(std::move(status)) {}  // NOLINT
  ApiResult(core::Status status, ApiError error)
      : result_(std::move(status)), error_(std::make_shared<const ApiError>(std::move(error))) {}

  // The failure of another result, with its server error if any.
  template <typename U>
  static ApiResult FailureOf(const ApiResult<U>& other) {
    return other.api_error() ? ApiResult(other.status(), *other.api_error())
                             : ApiResult(other.status());
  }

  bool ok() const { return result_.ok(); }
  explicit operator bool() const { return ok(); }
  const core::Status& status() const { return result_.status(); }
  // Set when the server answered with an error.
  const ApiError* api_error() const { return error_.get(); }
  std::string_view reason() const { return error_ ? std::string_view(error_->reason) : ""; }
  int http_code() const { return error_ ? error_->code : 0; }
  bool IsNotFound() const { return http_code() == 404; }
  bool IsAlreadyExists() const { return http_code() == 409 && reason() == "AlreadyExists"; }
  // 409 other than AlreadyExists: the object changed since it was read.
  bool IsConflict() const { return http_code() == 409 && reason() != "AlreadyExists"; }

  T& value() & { return result_.value(); }
  const T& value() const& { return result_.value(); }
  T&& value() && { return std::move(result_).value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  core::Result<T> ToResult() && { return std::move(result_); }
  core::Result<T> ToResult() const& { return result_; }

 private:
  core::Result<T> result_;
  std::shared_ptr<const ApiError> error_;
};

}  // namespace cpa::kube
