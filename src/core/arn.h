#pragma once
// Amazon Resource Names: arn:partition:service:region:account-id:resource
//
// Parsing splits on the first five colons only; the resource part keeps any further colons and
// slashes (e.g. "assumed-role/r/s", "repository/a/b"). Parsing is strict about the shape and
// lenient about values: wildcards ("*", "?") are allowed in every segment so that policy
// documents can be parsed with the same type.

#include <string>
#include <string_view>

#include "core/status.h"

namespace cpa::core {

struct Arn {
  std::string partition;  // "aws", "aws-cn", "aws-us-gov", ...
  std::string service;    // "iam", "sts", "ecr", ...
  std::string region;     // empty for global services (IAM, STS)
  std::string account;    // 12 digits, "aws" for AWS-managed policies, or empty (S3)
  std::string resource;   // everything after the fifth colon

  // Returns MalformedArn with a message that names what is wrong.
  static Result<Arn> Parse(std::string_view text);

  std::string ToString() const;

  // The resource type: the part of `resource` before the first '/' or ':'
  // ("role" for "role/path/name"), or the whole resource when it has neither.
  std::string_view ResourceType() const;
  // The part of `resource` after the type and its separator, or empty.
  std::string_view ResourceId() const;

  friend bool operator==(const Arn&, const Arn&) = default;
};

// True for exactly twelve ASCII digits.
bool IsAccountId(std::string_view s);

}  // namespace cpa::core
