#include "agent/aws_inputs.h"

#include <array>
#include <utility>

#include "core/encoding.h"

namespace cpa::agent {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

std::string Quote(std::string_view s) { return "`" + std::string(s) + "`"; }

const std::string* Find(const SecretData& data, std::string_view key) {
  auto it = data.find(key);
  return it == data.end() ? nullptr : &it->second;
}

// A key value as it goes into the generated profile: one line of printable, non-space ASCII.
Status CheckKeyValue(std::string_view origin, std::string_view key, std::string_view value) {
  for (unsigned char c : value) {
    if (c <= 0x20 || c >= 0x7f) {
      return Status(ErrorCode::kInvalidArgument,
                    std::string(origin) + ": " + std::string(key) +
                        " contains whitespace, a line break or a non-ASCII character");
    }
  }
  return Status::Ok();
}

Result<AwsSettings> ParseSettings(AwsSettings s) {
  auto parsed = profile::ParseFile(s.config_text, profile::FileKind::kConfig, s.config_name);
  if (!parsed.ok()) {
    // The parser names the file and line and never quotes it.
    return Status(ErrorCode::kInvalidArgument,
                  "malformed AWS config: " + parsed.status().message());
  }
  s.files = std::move(parsed).value();
  for (const std::string& w : s.files.warnings) s.notes.push_back(w);
  return s;
}

bool IsRegionName(std::string_view r) {
  if (r.empty()) return false;
  for (char c : r) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::string TrimSecretValue(std::string_view value) {
  value = core::TrimAsciiWhitespace(value);
  while (!value.empty() && value.front() == '\'') value.remove_prefix(1);
  while (!value.empty() && value.back() == '\'') value.remove_suffix(1);
  return std::string(value);
}

Result<AwsSettings> SettingsFromSecretData(const SecretData& data, std::string_view origin,
                                           std::string config_name) {
  AwsSettings s;
  s.origin = std::string(origin);
  if (const std::string* r = Find(data, kSecretRegionKey)) s.secret_region = TrimSecretValue(*r);

  auto value = [&](std::string_view key) {
    const std::string* v = Find(data, key);
    return v ? TrimSecretValue(*v) : std::string();
  };
  const std::string key_id = value(kSecretAccessKeyIdKey);
  const std::string secret = value(kSecretSecretAccessKeyKey);
  const std::string token = value(kSecretSessionTokenKey);

  const std::string* config = Find(data, kSecretConfigKey);
  if (config != nullptr && !core::TrimAsciiWhitespace(*config).empty()) {
    s.form = SettingsForm::kConfig;
    s.config_name =
        config_name.empty() ? s.origin + " key " + Quote(kSecretConfigKey) : std::move(config_name);
    s.config_text = *config;
    if (!key_id.empty() || !secret.empty() || !token.empty()) {
      s.notes.push_back(s.origin + ": " + Quote(kSecretConfigKey) + " overrides " +
                        std::string(kSecretAccessKeyIdKey) + ", " +
                        std::string(kSecretSecretAccessKeyKey) + " and " +
                        std::string(kSecretSessionTokenKey) + " (ignored)");
    }
    return ParseSettings(std::move(s));
  }

  if (key_id.empty() && secret.empty()) {
    return Status(ErrorCode::kInvalidArgument, s.origin + " has neither a non-empty " +
                                                   Quote(kSecretConfigKey) + " nor " +
                                                   std::string(kSecretAccessKeyIdKey) + " and " +
                                                   std::string(kSecretSecretAccessKeyKey));
  }
  if (key_id.empty() || secret.empty()) {
    return Status(
        ErrorCode::kInvalidArgument,
        s.origin + " has " +
            std::string(key_id.empty() ? kSecretSecretAccessKeyKey : kSecretAccessKeyIdKey) +
            " but no " +
            std::string(key_id.empty() ? kSecretAccessKeyIdKey : kSecretSecretAccessKeyKey) +
            " (and no " + Quote(kSecretConfigKey) + ")");
  }
  CPA_RETURN_IF_ERROR(CheckKeyValue(s.origin, kSecretAccessKeyIdKey, key_id));
  CPA_RETURN_IF_ERROR(CheckKeyValue(s.origin, kSecretSecretAccessKeyKey, secret));
  CPA_RETURN_IF_ERROR(CheckKeyValue(s.origin, kSecretSessionTokenKey, token));
  s.form = SettingsForm::kKeys;
  s.config_name = s.origin + " keys";
  // The file the credential-provider package generates from the same keys (without `region`:
  // the region is chosen by ChooseRegion, which then reports REGION as its source).
  s.config_text = "[default]\naws_access_key_id=" + key_id + "\naws_secret_access_key=" + secret +
                  "\n" + (token.empty() ? "" : "aws_session_token=" + token + "\n");
  return ParseSettings(std::move(s));
}

Result<AwsSettings> SettingsFromConfigText(std::string text, std::string_view origin,
                                           std::string path) {
  AwsSettings s;
  s.form = SettingsForm::kConfig;
  s.origin = std::string(origin);
  s.config_name = std::move(path);
  s.config_text = std::move(text);
  if (core::TrimAsciiWhitespace(s.config_text).empty()) {
    return Status(ErrorCode::kInvalidArgument, "the AWS config " + s.config_name + " is empty");
  }
  return ParseSettings(std::move(s));
}

Result<SecretData> ReadSecretDir(FileSystem& fs, const std::string& dir) {
  static constexpr std::array<std::string_view, 5> kKeys = {
      kSecretConfigKey, kSecretAccessKeyIdKey, kSecretSecretAccessKeyKey, kSecretSessionTokenKey,
      kSecretRegionKey};
  SecretData data;
  for (std::string_view key : kKeys) {
    std::string path = dir;
    if (path.empty() || path.back() != '/') path += '/';
    path += key;
    auto text = fs.ReadFile(path);
    if (text.ok()) {
      data.emplace(std::string(key), std::move(text).value());
    } else if (text.status().code() != ErrorCode::kNotFound) {
      return text.status();
    }
  }
  if (data.empty()) {
    return Status(ErrorCode::kNotFound,
                  "--secret-dir " + dir +
                      " holds none of config, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
                      "AWS_SESSION_TOKEN, REGION (is the aws-secret Secret mounted there?)");
  }
  return data;
}

Result<AwsSettings> LoadSettings(FileSystem& fs, const InputFlags& flags,
                                 const profile::Environment& env) {
  auto read_config = [&](const std::string& path, std::string origin) -> Result<AwsSettings> {
    auto text = fs.ReadFile(path);
    if (!text.ok()) {
      if (text.status().code() == ErrorCode::kNotFound) {
        return Status(ErrorCode::kInvalidArgument,
                      origin + ": the AWS config " + path + " does not exist");
      }
      return Status(text.status().code(), origin + ": " + text.status().message());
    }
    return SettingsFromConfigText(std::move(text).value(), origin, path);
  };
  const auto env_config = env.GetNonEmpty("EKSA_AWS_CONFIG_FILE");
  Result<AwsSettings> out = Status(ErrorCode::kInternal, "unset");
  if (!flags.config_file.empty()) {
    out = read_config(flags.config_file, "--config " + flags.config_file);
  } else if (!flags.secret_dir.empty()) {
    CPA_ASSIGN_OR_RETURN(SecretData data, ReadSecretDir(fs, flags.secret_dir));
    std::string dir = flags.secret_dir;
    if (dir.back() != '/') dir += '/';
    out = SettingsFromSecretData(data, "--secret-dir " + flags.secret_dir,
                                 dir + std::string(kSecretConfigKey));
  } else if (env_config) {
    return read_config(*env_config, "EKSA_AWS_CONFIG_FILE");
  } else if (env.GetNonEmpty("EKSA_AWS_ACCESS_KEY_ID") ||
             env.GetNonEmpty("EKSA_AWS_SECRET_ACCESS_KEY")) {
    SecretData data;
    const std::pair<std::string_view, std::string_view> kEnv[] = {
        {"EKSA_AWS_ACCESS_KEY_ID", kSecretAccessKeyIdKey},
        {"EKSA_AWS_SECRET_ACCESS_KEY", kSecretSecretAccessKeyKey},
        {"EKSA_AWS_SESSION_TOKEN", kSecretSessionTokenKey},
    };
    for (const auto& [var, key] : kEnv) {
      if (auto v = env.Get(var)) data.emplace(std::string(key), *v);
    }
    return SettingsFromSecretData(data, "EKSA_AWS_* environment variables");
  } else {
    return Status(ErrorCode::kInvalidArgument,
                  "no AWS settings: give --config FILE or --secret-dir DIR, or set "
                  "EKSA_AWS_CONFIG_FILE (or EKSA_AWS_ACCESS_KEY_ID and "
                  "EKSA_AWS_SECRET_ACCESS_KEY)");
  }
  if (out.ok() && env_config) {
    out->notes.push_back("EKSA_AWS_CONFIG_FILE ignored: " + out->origin + " given");
  }
  if (out.ok() && !flags.config_file.empty() && !flags.secret_dir.empty()) {
    out->notes.push_back("--secret-dir ignored: --config given");
  }
  return out;
}

Result<RegionChoice> ChooseRegion(const AwsSettings& settings, std::string_view profile_name,
                                  std::string_view region_flag, const profile::Environment& env) {
  RegionChoice c;
  if (!region_flag.empty()) {
    c = {std::string(region_flag), "--region"};
  } else if (const profile::Section* p = settings.files.FindProfile(profile_name);
             p != nullptr && p->Get("region") && !p->Get("region")->empty()) {
    c = {*p->Get("region"),
         "region of profile " + Quote(profile_name) + " in " + settings.config_name};
  } else if (!settings.secret_region.empty()) {
    c = {settings.secret_region, "REGION of " + settings.origin};
  } else if (auto r = env.GetNonEmpty("EKSA_AWS_REGION")) {
    c = {*r, "EKSA_AWS_REGION"};
  } else {
    return Status(ErrorCode::kInvalidArgument,
                  "no region: set `region` in profile " + Quote(profile_name) + " of " +
                      settings.config_name + ", the Secret's REGION, EKSA_AWS_REGION, or --region");
  }
  if (!IsRegionName(c.region)) {
    return Status(ErrorCode::kInvalidArgument,
                  "the region " + Quote(c.region) + " from " + c.source + " is not a region name");
  }
  return c;
}

}  // namespace cpa::agent
