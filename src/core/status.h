#pragma once
// Status and Result<T>: the error currency across every module boundary in cpa.
//
// A Status carries a semantic ErrorCode and a human-readable message. The AWS error code
// string and HTTP status for a wire response are derived from the ErrorCode in exactly one
// place (core/aws_error.h); modules never spell AWS codes themselves.
//
// Thread safety: values; const use from many threads is safe.

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cpa::core {

enum class ErrorCode {
  kOk = 0,
  // Generic.
  kInvalidArgument,   // malformed input that has no more specific code
  kMissingParameter,  // a required input is absent
  kNotFound,          // an entity does not exist
  kAlreadyExists,     // an entity exists already
  kLimitExceeded,     // a size or count quota was exceeded
  kMalformedArn,      // an ARN does not parse
  kInternal,          // a bug or an environment failure (I/O, OpenSSL)
  // Authentication (SigV4).
  kIncompleteSignature,    // Authorization header or presigned query malformed or incomplete
  kInvalidClientTokenId,   // unknown or inactive access key id / session token
  kSignatureDoesNotMatch,  // signature recomputed differently
  kRequestExpired,         // X-Amz-Date too far from the server clock, or presigned URL expired
  kExpiredToken,           // temporary credentials past their expiration
  kMissingAuthenticationToken,  // no credentials at all in the request
  // Authorization and policy.
  kAccessDenied,
  kMalformedPolicyDocument,
  // Entity rules.
  kDeleteConflict,   // an entity cannot be deleted while others depend on it (IAM DeleteConflict)
  kValidationError,  // a parameter violates its constraints (IAM/STS ValidationError)
  // Registries (ECR API and OCI /v2). Distinct codes because ECR names each case.
  kRepositoryNotFound,        // no such repository in the registry
  kRepositoryNotEmpty,        // DeleteRepository of a repository holding images, without force
  kRepositoryPolicyNotFound,  // the repository has no policy
  kImageNotFound,             // no image with that tag or digest
  kImageAlreadyExists,        // PutImage of the same manifest under the same tag
  kImageTagAlreadyExists,     // an immutable tag points at another image
  kLayersNotFound,            // a blob (layer, config) is not in the repository
  kUploadNotFound,            // no such upload in progress
  kInvalidLayerPart,          // a chunk does not start where the upload stands (Content-Range)
  kDigestMismatch,            // uploaded bytes do not hash to the given digest
  kManifestInvalid,           // a manifest that does not parse or has an unknown media type
};

// The last code; tests iterate up to it.
inline constexpr ErrorCode kLastErrorCode = ErrorCode::kManifestInvalid;

// The stable CamelCase name of a code (e.g. "SignatureDoesNotMatch"); used in logs and CLI output.
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "Code: message", for logs and CLI output.
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status Error(ErrorCode code, std::string message) {
  return Status(code, std::move(message));
}

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace cpa::core

// Propagates a non-OK Status from an expression returning Status.
#define CPA_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::cpa::core::Status cpa_status_ = (expr);  \
    if (!cpa_status_.ok()) return cpa_status_; \
  } while (0)

#define CPA_CONCAT_INNER_(a, b) a##b
#define CPA_CONCAT_(a, b) CPA_CONCAT_INNER_(a, b)

// Evaluates a Result<T> expression; on error returns its Status, otherwise moves the value into
// `lhs` (which may be a declaration such as `auto x`).
#define CPA_ASSIGN_OR_RETURN(lhs, expr) \
  CPA_ASSIGN_OR_RETURN_IMPL_(CPA_CONCAT_(cpa_result_, __LINE__), lhs, expr)
#define CPA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
