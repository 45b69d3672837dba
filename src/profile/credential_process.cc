#include "profile/credential_process.h"

#include <nlohmann/json.hpp>

namespace cpa::profile {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;
using nlohmann::json;

constexpr std::string_view kParseError =
    "Error retrieving credentials from external process, could not parse response: ";

Status ParseFailure(std::string_view why) {
  return Status(ErrorCode::kInvalidArgument, std::string(kParseError) + std::string(why));
}

// A required or optional string member; the error names the member, never its value.
Result<std::optional<std::string>> StringMember(const json& doc, const char* name, bool required) {
  auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) {
    if (required) return ParseFailure(std::string(name) + " is missing");
    return std::optional<std::string>();
  }
  if (!it->is_string()) return ParseFailure(std::string(name) + " must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

}  // namespace

Result<Credentials> ParseCredentialProcessOutput(std::string_view output,
                                                 const std::optional<std::string>& fallback) {
  json doc = json::parse(output, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return ParseFailure("invalid JSON in response");

  auto version = doc.find("Version");
  if (version == doc.end()) return ParseFailure("Version is missing");
  if (!version->is_number_integer() || version->get<int64_t>() != 1) {
    return ParseFailure("unsupported Version (only 1 is supported)");
  }
  Credentials c;
  CPA_ASSIGN_OR_RETURN(auto access_key, StringMember(doc, "AccessKeyId", true));
  CPA_ASSIGN_OR_RETURN(auto secret_key, StringMember(doc, "SecretAccessKey", true));
  CPA_ASSIGN_OR_RETURN(auto token, StringMember(doc, "SessionToken", false));
  CPA_ASSIGN_OR_RETURN(auto expiration, StringMember(doc, "Expiration", false));
  CPA_ASSIGN_OR_RETURN(auto account, StringMember(doc, "AccountId", false));
  c.access_key_id = *access_key;
  c.secret_access_key = *secret_key;
  c.session_token = token.value_or("");
  if (expiration) {
    auto t = core::ParseIso8601(*expiration);
    if (!t.ok()) return ParseFailure("Expiration is not an ISO 8601 timestamp");
    c.expiration = *t;
  }
  if (account && !account->empty()) {
    c.account_id = *account;
  } else if (fallback) {
    c.account_id = *fallback;
  }
  c.source = "credential_process";
  return c;
}

Result<Credentials> RunCredentialProcess(const CredentialProcess& provider,
                                         const ProcessRunner& run) {
  const std::string where = " (credential_process of profile `" + provider.profile + "`)";
  auto output = run(provider.command);
  if (!output.ok()) {
    return Status(output.status().code(),
                  "Error retrieving credentials: " + output.status().message() + where);
  }
  if (output->exit_code != 0) {
    return Status(ErrorCode::kInternal,
                  "Error retrieving credentials: external process exited with code exit status: " +
                      std::to_string(output->exit_code) + where);
  }
  auto creds = ParseCredentialProcessOutput(output->stdout_text, provider.account_id);
  if (!creds.ok()) return Status(creds.status().code(), creds.status().message() + where);
  creds->source = "credential_process of profile `" + provider.profile + "`";
  return creds;
}

}  // namespace cpa::profile
