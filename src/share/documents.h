#pragma once
// The IAM documents of the sharing procedure, and their comparison.
//
// The three documents are the spec's (steps 2, 3 and 4) with the accounts and the role filled in,
// rendered with two-space indentation and the spec's member order. Comparison is semantic, the
// way IAM evaluates a document: whitespace, member order, statement order, a single statement
// or value written without its array, duplicate values, the case of action names and an account
// id written for its `:root` ARN make no difference. Sids and every other member do.
//
// Pure.

#include <string>
#include <string_view>

namespace cpa::share {

// Step 2: ECR read and login, for the repositories of `packages_account`.
std::string EcrReadPolicyDocument(std::string_view packages_account,
                                  std::string_view partition = "aws");

// Step 3: the role's trust policy, delegating to the whole `trusted_account`.
std::string TrustPolicyDocument(std::string_view trusted_account,
                                std::string_view partition = "aws");

// Step 4: allows sts:AssumeRole on `role_arn` (the statement as a single object, as the spec).
std::string AssumeRolePolicyDocument(std::string_view role_arn);

// Whether `actual` grants exactly what `expected` does, as written (see above). A document that
// is not JSON equals nothing.
bool EquivalentPolicies(std::string_view actual, std::string_view expected,
                        std::string_view partition = "aws");

}  // namespace cpa::share
