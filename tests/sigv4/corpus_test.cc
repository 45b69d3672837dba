// Runs every case of the aws-c-auth SigV4 suite through the signer and the verifier, in both the
// header and the presigned query form.
#include "corpus.h"

#include <gtest/gtest.h>

#include "sigv4/signer.h"
#include "sigv4/verifier.h"

namespace cpa::sigv4 {
namespace {

using testing::CorpusCaseNames;
using testing::CorpusDir;
using testing::ParseRequestText;
using testing::ReadContext;
using testing::ReadFile;
using testing::SerializeRequest;

constexpr size_t kExpectedCases = 38;

TEST(SigV4Corpus, FolderHasAllCases) {
  ASSERT_TRUE(std::filesystem::is_directory(CorpusDir()))
      << "conformance data missing: " << CorpusDir();
  EXPECT_GE(CorpusCaseNames().size(), kExpectedCases);
}

enum class Form { kHeader, kQuery };

struct CaseParam {
  std::string name;
  Form form;
};

void PrintTo(const CaseParam& p, std::ostream* os) {
  *os << p.name << (p.form == Form::kHeader ? " (header)" : " (query)");
}

std::string ParamName(const ::testing::TestParamInfo<CaseParam>& info) {
  std::string n = info.param.name + (info.param.form == Form::kHeader ? "_header" : "_query");
  for (char& c : n) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

std::vector<CaseParam> AllCases() {
  std::vector<CaseParam> out;
  for (const auto& name : CorpusCaseNames()) {
    out.push_back({name, Form::kHeader});
    out.push_back({name, Form::kQuery});
  }
  return out;
}

class SigV4CorpusCase : public ::testing::TestWithParam<CaseParam> {
 protected:
  std::string File(const std::string& suffix) const {
    const char* prefix = GetParam().form == Form::kHeader ? "header-" : "query-";
    return ReadFile(CorpusDir() / GetParam().name / (prefix + suffix));
  }
  SigningConfig Config(const testing::CorpusContext& c) const {
    SigningConfig config;
    config.credentials = {c.access_key_id, c.secret_access_key, c.session_token};
    config.region = c.region;
    config.service = c.service;
    config.time = c.time;
    config.canonical.normalize_path = c.normalize;
    config.add_content_sha256_header = c.sign_body;
    config.omit_session_token = c.omit_session_token;
    config.expires = std::chrono::seconds(c.expires_seconds);
    return config;
  }
};

TEST_P(SigV4CorpusCase, SignerProducesExpectedTexts) {
  auto ctx = ReadContext(GetParam().name);
  HttpRequest request = ParseRequestText(ReadFile(CorpusDir() / GetParam().name / "request.txt"));
  auto result = GetParam().form == Form::kHeader ? SignRequest(request, Config(ctx))
                                                 : PresignRequest(request, Config(ctx));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->canonical_request, File("canonical-request.txt"));
  EXPECT_EQ(result->string_to_sign, File("string-to-sign.txt"));
  EXPECT_EQ(result->signature, File("signature.txt"));
  EXPECT_EQ(SerializeRequest(request), File("signed-request.txt"));
}

class CorpusVerifier {
 public:
  explicit CorpusVerifier(const testing::CorpusContext& ctx, core::TimePoint now)
      : ctx_(ctx), clock_(now) {
    VerifierOptions options;
    options.canonical.normalize_path = ctx.normalize;
    verifier_ = std::make_unique<Verifier>(
        clock_,
        [this](std::string_view id) -> std::shared_ptr<const SecretInfo> {
          if (id != ctx_.access_key_id) return nullptr;
          return std::make_shared<SecretInfo>(
              SecretInfo{secret_, ctx_.session_token, std::nullopt, true, ""});
        },
        options);
    secret_ = ctx.secret_access_key;
  }
  core::Result<VerifiedRequest> Verify(const HttpRequest& r) const { return verifier_->Verify(r); }
  std::string secret_;

 private:
  testing::CorpusContext ctx_;
  core::FakeClock clock_;
  std::unique_ptr<Verifier> verifier_;
};

TEST_P(SigV4CorpusCase, VerifierAcceptsSignedRequest) {
  auto ctx = ReadContext(GetParam().name);
  HttpRequest request = ParseRequestText(File("signed-request.txt"));
  CorpusVerifier verifier(ctx, ctx.time + std::chrono::seconds(60));
  auto verified = verifier.Verify(request);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->access_key_id, ctx.access_key_id);
  EXPECT_EQ(verified->region, ctx.region);
  EXPECT_EQ(verified->service, ctx.service);
  EXPECT_EQ(verified->presigned, GetParam().form == Form::kQuery);
  EXPECT_EQ(verified->request_time, ctx.time);
}

TEST_P(SigV4CorpusCase, VerifierRejectsWrongSecretAndTampering) {
  auto ctx = ReadContext(GetParam().name);
  const HttpRequest signed_request = ParseRequestText(File("signed-request.txt"));
  {
    CorpusVerifier verifier(ctx, ctx.time);
    verifier.secret_ = "wrong" + ctx.secret_access_key;
    auto r = verifier.Verify(signed_request);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::ErrorCode::kSignatureDoesNotMatch);
    // The message tells the client what the server computed, as AWS does.
    EXPECT_NE(r.status().message().find(File("canonical-request.txt").substr(0, 20)),
              std::string::npos);
  }
  {
    CorpusVerifier verifier(ctx, ctx.time);
    HttpRequest tampered = signed_request;
    tampered.method = tampered.method == "GET" ? "PUT" : "GET";
    auto r = verifier.Verify(tampered);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::ErrorCode::kSignatureDoesNotMatch);
  }
}

TEST_P(SigV4CorpusCase, SignedRequestRoundTripsThroughVerifier) {
  // What our signer produces from request.txt, our verifier accepts.
  auto ctx = ReadContext(GetParam().name);
  HttpRequest request = ParseRequestText(ReadFile(CorpusDir() / GetParam().name / "request.txt"));
  auto config = Config(ctx);
  auto signed_ok = GetParam().form == Form::kHeader ? SignRequest(request, config)
                                                    : PresignRequest(request, config);
  ASSERT_TRUE(signed_ok.ok());
  CorpusVerifier verifier(ctx, ctx.time);
  auto verified = verifier.Verify(request);
  EXPECT_TRUE(verified.ok()) << verified.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(AwsCAuth, SigV4CorpusCase, ::testing::ValuesIn(AllCases()), ParamName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SigV4CorpusCase);

}  // namespace
}  // namespace cpa::sigv4
