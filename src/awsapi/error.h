#pragma once
// AWS service errors as callers see them.
//
// Every operation returns an Outcome<T>: the value, or a Status. When the failure is an error
// answer from the service, aws_error() also carries its parts (code, message, request id, HTTP
// status); transport, credential and decoding failures have no aws_error().
//
// The Status of a service error has the core ErrorCode that fits the AWS code (AccessDenied ->
// kAccessDenied, NoSuchEntity -> kNotFound, ...) and a message
//   "<service>:<Operation>: <Code>: <message> (HTTP <status>, request id <id>)".
// Outcome has ok()/status()/value(), so CPA_ASSIGN_OR_RETURN and CPA_RETURN_IF_ERROR-style code
// work with it as with core::Result.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "awsapi/http.h"
#include "core/aws_error.h"
#include "core/status.h"

namespace cpa::awsapi {

struct AwsErrorInfo {
  std::string code;        // e.g. "NoSuchEntity", "RepositoryNotFoundException"; never empty
  std::string message;     // may be empty
  std::string request_id;  // may be empty
  int http_status = 0;

  friend bool operator==(const AwsErrorInfo&, const AwsErrorInfo&) = default;
};

template <typename T>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : result_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  // A failure without a service error (transport, credentials, decoding). `status` is not OK.
  Outcome(core::Status status) : result_(std::move(status)) {}  // NOLINT
  Outcome(core::Status status, AwsErrorInfo aws)
      : result_(std::move(status)), aws_(std::make_shared<const AwsErrorInfo>(std::move(aws))) {}

  // The failure of another outcome, with its service error if any.
  template <typename U>
  static Outcome FailureOf(const Outcome<U>& other) {
    return other.aws_error() ? Outcome(other.status(), *other.aws_error())
                             : Outcome(other.status());
  }

  bool ok() const { return result_.ok(); }
  explicit operator bool() const { return ok(); }
  const core::Status& status() const { return result_.status(); }
  // Set (non-null) when the service answered with an error.
  const AwsErrorInfo* aws_error() const { return aws_.get(); }
  // The AWS error code, or empty.
  std::string_view aws_code() const { return aws_ ? std::string_view(aws_->code) : ""; }

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
  std::shared_ptr<const AwsErrorInfo> aws_;  // null unless the service answered with an error
};

// The core ErrorCode for an AWS error code (and HTTP status, for codes not known here).
core::ErrorCode MapAwsErrorCode(std::string_view aws_code, int http_status);

// The Status for a service error of `operation` ("iam:GetRole").
core::Status AwsErrorStatus(std::string_view operation, const AwsErrorInfo& error);

// Extracts the error of a non-2xx response in the given protocol. Never fails: a body that does
// not parse yields the HTTP status as the code ("Http503") with a generic message.
AwsErrorInfo ParseAwsError(core::Protocol protocol, const HttpResponse& response);

// The request id of a response: x-amzn-RequestId, then x-amz-request-id.
std::string RequestIdHeader(const HttpResponse& response);

}  // namespace cpa::awsapi
