// ProfileCredentialsProvider and its helpers with an injected transport, files and clock: the
// spec's step-6 file (static keys + AssumeRole), caching, endpoint settings from the profile and
// the environment, FIPS/dual-stack STS hosts, provenance lines.

#include "awsapi/profile_credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "test_util.h"

namespace cpa::awsapi {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kStep6[] = R"([default]
source_profile=curated-packages-user
role_arn=arn:aws:iam::111111111111:role/curated-packages-role
region=us-west-2

[profile curated-packages-user]
aws_access_key_id=AKIDEXAMPLE
aws_secret_access_key=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
)";

std::string AssumeRoleXml(const std::string& expiration = "2024-05-01T13:00:00Z") {
  return R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId>
<Arn>arn:aws:sts::111111111111:assumed-role/curated-packages-role/s</Arn></AssumedRoleUser>
<Credentials><AccessKeyId>ASIAROLEKEY</AccessKeyId><SecretAccessKey>ROLESECRET</SecretAccessKey>
<SessionToken>ROLETOKEN</SessionToken><Expiration>)" +
         expiration + R"(</Expiration></Credentials></AssumeRoleResult>
<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></AssumeRoleResponse>)";
}

ProfileProviderOptions Named(std::string profile) {
  ProfileProviderOptions options;
  options.profile = std::move(profile);
  return options;
}

ProfileProviderOptions ProfileOnly() {
  ProfileProviderOptions options;
  options.profile_only = true;
  return options;
}

struct Fixture {
  testing::TestEnv t;
  std::map<std::string, std::string> files;
  profile::Environment env{{"HOME", "/home/u"}};

  FileReader Reader() {
    return [this](const std::string& path) -> core::Result<std::string> {
      auto it = files.find(path);
      if (it == files.end()) return core::Status(core::ErrorCode::kNotFound, path + ": missing");
      return it->second;
    };
  }

  core::Result<std::shared_ptr<ProfileCredentialsProvider>> Provider(
      ProfileProviderOptions options = {}) {
    auto shared = LoadSharedConfig(env, Reader());
    if (!shared.ok()) return shared.status();
    options.transport = t.transport;
    options.clock = &t.clock;
    options.random = &t.random;
    options.sleep = [](std::chrono::milliseconds) {};
    options.read_file = Reader();
    return ProfileCredentialsProvider::Create(*shared, env, options);
  }
};

TEST(ProfileCredentials, Step6AssumesTheRoleOnceAndCaches) {
  Fixture f;
  f.files["/home/u/.aws/config"] = kStep6;
  auto provider = f.Provider(Named("default"));
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  EXPECT_EQ((*provider)->region(), "us-west-2");
  EXPECT_EQ((*provider)->sts_endpoint().url, "https://sts.us-west-2.amazonaws.com");
  f.t.transport->Push(200, AssumeRoleXml());
  auto creds = (*provider)->GetCredentials();
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  EXPECT_EQ(creds->access_key_id, "ASIAROLEKEY");
  EXPECT_EQ(creds->account_id, "111111111111");
  ASSERT_EQ(f.t.transport->requests.size(), 1u);
  const HttpRequest& sent = f.t.transport->last();
  EXPECT_EQ(sent.url, "https://sts.us-west-2.amazonaws.com/");
  auto form = testing::FormFields(sent.body);
  EXPECT_EQ(form["Action"], "AssumeRole");
  EXPECT_EQ(form["RoleArn"], "arn:aws:iam::111111111111:role/curated-packages-role");
  EXPECT_THAT(form["RoleSessionName"], HasSubstr("cpa-"));
  // Signed with the source profile's keys.
  EXPECT_TRUE(testing::VerifySignature(sent, f.t.clock).ok());

  auto again = (*provider)->Get();  // cached: no second call
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->session_token, "ROLETOKEN");
  EXPECT_EQ(f.t.transport->requests.size(), 1u);

  auto origins = (*provider)->Origins();
  ASSERT_EQ(origins.size(), 2u);
  EXPECT_EQ(origins[0].kind, "static");
  EXPECT_EQ(origins[0].description,
            "static keys from profile `curated-packages-user` in /home/u/.aws/config");
  EXPECT_EQ(origins[1].description,
            "AssumeRole arn:aws:iam::111111111111:role/curated-packages-role via profile "
            "`default` at https://sts.us-west-2.amazonaws.com");
}

TEST(ProfileCredentials, KeysInTheCredentialsFileAreReportedThere) {
  Fixture f;
  f.files["/home/u/.aws/config"] = "[profile p]\nregion=eu-west-1\n";
  f.files["/home/u/.aws/credentials"] = std::string("[p]\naws_access_key_id=AKIDEXAMPLE\n") +
                                        "aws_secret_access_key=" + testing::kSecretKey + "\n";
  auto provider = f.Provider(Named("p"));
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ((*provider)->Origins()[0].description,
            "static keys from profile `p` in /home/u/.aws/credentials");
  auto creds = (*provider)->Get();
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->access_key_id, "AKIDEXAMPLE");
  EXPECT_TRUE(f.t.transport->requests.empty());
}

TEST(ProfileCredentials, StsEndpointFollowsEnvironmentThenProfile) {
  Fixture f;
  f.files["/home/u/.aws/config"] =
      "[default]\nsource_profile=u\nrole_arn=arn:aws:iam::1:role/r\nregion=us-west-2\n"
      "endpoint_url = http://profile.example\nservices = local\n"
      "[services local]\nsts =\n  endpoint_url = http://sts.local:8080/prefix\n"
      "[profile u]\naws_access_key_id=AKIDEXAMPLE\naws_secret_access_key=x\n";
  {
    auto provider = f.Provider(Named("default"));
    ASSERT_TRUE(provider.ok()) << provider.status().ToString();
    EXPECT_EQ((*provider)->sts_endpoint().url, "http://sts.local:8080/prefix");
    EXPECT_EQ((*provider)->sts_endpoint().source, EndpointSource::kProfileService);
  }
  f.env.Set("AWS_ENDPOINT_URL", "http://env.example");
  {
    auto provider = f.Provider(Named("default"));
    ASSERT_TRUE(provider.ok());
    EXPECT_EQ((*provider)->sts_endpoint().url, "http://env.example");
  }
  f.env.Set("AWS_ENDPOINT_URL_STS", "http://env-sts.example");
  {
    auto provider = f.Provider(Named("default"));
    ASSERT_TRUE(provider.ok());
    EXPECT_EQ((*provider)->sts_endpoint().url, "http://env-sts.example");
    EXPECT_THAT((*provider)->Origins()[1].description, HasSubstr("AWS_ENDPOINT_URL_<SERVICE>"));
  }
  f.env.Set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
  {
    auto provider = f.Provider(Named("default"));
    ASSERT_TRUE(provider.ok());
    EXPECT_EQ((*provider)->sts_endpoint().url, "https://sts.us-west-2.amazonaws.com");
  }
}

TEST(ProfileCredentials, ApplyProfileEndpointsReadsServicesSection) {
  auto files = profile::ParseConfigFiles(
      "[profile a]\nendpoint_url = http://all\nservices = s\nuse_fips_endpoint = true\n"
      "[services s]\nsts =\n  endpoint_url = http://sts\necr =\n  endpoint_url = http://ecr\n",
      "");
  ASSERT_TRUE(files.ok());
  EndpointOverrides o;
  ApplyProfileEndpoints(*files, "a", &o);
  EXPECT_EQ(o.profile_url, "http://all");
  EXPECT_EQ(o.profile_service_urls.at("sts"), "http://sts");
  EXPECT_EQ(o.profile_service_urls.at("ecr"), "http://ecr");
  EXPECT_TRUE(o.use_fips);
  EndpointOverrides none;
  ApplyProfileEndpoints(*files, "missing", &none);
  EXPECT_TRUE(none.profile_url.empty());
}

TEST(ProfileCredentials, FipsAndDualStackStsHosts) {
  EndpointOverrides o;
  o.use_fips = true;
  EXPECT_EQ(ResolveEndpoint(Service::kSts, "us-east-1", o)->url,
            "https://sts-fips.us-east-1.amazonaws.com");
  o.use_dualstack = true;
  EXPECT_EQ(ResolveEndpoint(Service::kSts, "us-east-1", o)->url,
            "https://sts-fips.us-east-1.api.aws");
  o.use_fips = false;
  EXPECT_EQ(ResolveEndpoint(Service::kSts, "eu-west-1", o)->url, "https://sts.eu-west-1.api.aws");
  o.explicit_url = "http://127.0.0.1:5000";
  EXPECT_EQ(ResolveEndpoint(Service::kSts, "eu-west-1", o)->url, "http://127.0.0.1:5000");
  EndpointOverrides env;
  env.LoadEnvironment([](std::string_view name) -> std::optional<std::string> {
    if (name == "AWS_USE_FIPS_ENDPOINT") return "true";
    return std::nullopt;
  });
  EXPECT_TRUE(env.use_fips);
  EXPECT_FALSE(env.use_dualstack);
}

TEST(ProfileCredentials, ErrorsNameTheProfileAndHideSecrets) {
  Fixture f;
  f.files["/home/u/.aws/config"] = kStep6;
  auto unknown = f.Provider(Named("nope"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("profile `nope`"));

  auto provider = f.Provider(Named("default"));
  ASSERT_TRUE(provider.ok());
  f.t.transport->Push(403, R"(<ErrorResponse><Error><Code>AccessDenied</Code>
<Message>not authorized</Message></Error><RequestId>x</RequestId></ErrorResponse>)");
  auto creds = (*provider)->Get();
  ASSERT_FALSE(creds.ok());
  EXPECT_THAT(creds.status().message(), HasSubstr("profile `default`"));
  EXPECT_THAT(creds.status().message(), HasSubstr("AccessDenied"));
  EXPECT_THAT(creds.status().message(), Not(HasSubstr(testing::kSecretKey)));
}

TEST(ProfileCredentials, EnvironmentKeysWinWithoutExplicitProfile) {
  Fixture f;
  f.files["/home/u/.aws/config"] = kStep6;
  f.env.Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  f.env.Set("AWS_SECRET_ACCESS_KEY", "envsecret");
  auto provider = f.Provider();
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ((*provider)->Origins()[0].kind, "environment");
  EXPECT_EQ((*provider)->Get()->access_key_id, "AKIDENV");
  // profile_only: the SDKs' profile provider ignores them.
  auto profile_only = f.Provider(ProfileOnly());
  ASSERT_TRUE(profile_only.ok());
  EXPECT_EQ((*profile_only)->chain().roles.size(), 1u);
}

TEST(ProfileCredentials, AccountFromArn) {
  EXPECT_EQ(AccountFromArn("arn:aws:sts::123456789012:assumed-role/r/s"), "123456789012");
  EXPECT_EQ(AccountFromArn("arn:aws:iam::1:user/u"), "1");
  EXPECT_EQ(AccountFromArn("nope"), "");
  EXPECT_EQ(AccountFromArn("xrn:aws:sts::1:r"), "");
}

TEST(ProfileCredentials, DirectoryAsConfigFileIsAnError) {
  Fixture f;
  auto shared = LoadSharedConfig(f.env, [](const std::string& path) -> core::Result<std::string> {
    return core::Status(core::ErrorCode::kInternal, path + ": cannot read: is a directory");
  });
  ASSERT_FALSE(shared.ok());
  EXPECT_THAT(shared.status().message(), HasSubstr("cannot read the AWS config file"));
}

}  // namespace
}  // namespace cpa::awsapi
