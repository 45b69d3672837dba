#include "share/config.h"

#include "core/encoding.h"
#include "profile/config_file.h"

namespace cpa::share {
namespace {

using core::ErrorCode;
using core::Status;

std::string Quote(std::string_view s) { return "`" + std::string(s) + "`"; }

}  // namespace

std::string RenderConfig(const ShareConfig& c) {
  std::string out;
  out += "[default]\n";
  out += "source_profile=" + c.source_profile + "\n";
  out += "role_arn=" + c.role_arn + "\n";
  out += "region=" + c.region + "\n";
  out += "\n";
  out += "[profile " + c.source_profile + "]\n";
  out += "aws_access_key_id=" + c.access_key_id + "\n";
  out += "aws_secret_access_key=" + c.secret_access_key + "\n";
  return out;
}

std::string MaskConfigSecret(const ShareConfig& config) {
  ShareConfig masked = config;
  masked.secret_access_key = "****";
  return RenderConfig(masked);
}

core::Result<ShareConfig> ParseShareConfig(std::string_view text, std::string_view file_name) {
  CPA_ASSIGN_OR_RETURN(profile::ConfigFile file,
                       profile::ParseFile(text, profile::FileKind::kConfig, file_name));
  auto bad = [&](std::string what) {
    return Status(ErrorCode::kInvalidArgument, std::string(file_name) + ": " + what);
  };
  const profile::Section* def = file.FindProfile("default");
  if (def == nullptr) return bad("no [default] profile");
  ShareConfig out;
  out.role_arn = def->Get("role_arn").value_or("");
  out.source_profile = def->Get("source_profile").value_or("");
  out.region = def->Get("region").value_or("");
  if (out.role_arn.empty()) return bad("profile `default` has no role_arn");
  if (out.source_profile.empty()) return bad("profile `default` has no source_profile");
  const profile::Section* user = file.FindProfile(out.source_profile);
  if (user == nullptr) {
    return bad("profile `default` names source_profile " + Quote(out.source_profile) +
               ", which is not in the file");
  }
  out.access_key_id = user->Get("aws_access_key_id").value_or("");
  out.secret_access_key = user->Get("aws_secret_access_key").value_or("");
  if (out.access_key_id.empty() || out.secret_access_key.empty()) {
    return bad("profile " + Quote(out.source_profile) +
               " lacks aws_access_key_id or aws_secret_access_key");
  }
  return out;
}

std::string RenderAwsSecret(std::string_view config_text, std::string_view region) {
  const std::string region_value =
      region.empty() ? std::string("\"\"") : core::Base64Encode(region);
  std::string out;
  out += "apiVersion: v1\n";
  out += "kind: Secret\n";
  out += "metadata:\n";
  out += "  name: aws-secret\n";
  out += "  namespace: eksa-packages\n";
  out += "type: Opaque\n";
  out += "data:\n";
  out += "  AWS_ACCESS_KEY_ID: \"\"\n";
  out += "  AWS_SECRET_ACCESS_KEY: \"\"\n";
  out += "  REGION: " + region_value + "\n";
  out += "  config: " + core::Base64Encode(config_text) + "\n";
  return out;
}

}  // namespace cpa::share
