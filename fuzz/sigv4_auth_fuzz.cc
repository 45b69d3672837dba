// libFuzzer target: the SigV4 Authorization header and presigned query parsers, and the whole
// verifier on a request carrying the fuzzed text. Malformed input must yield a status, never a
// crash, an exception or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "sigv4/authorization.h"
#include "sigv4/verifier.h"

namespace {

const cpa::core::FakeClock& Clock() {
  static cpa::core::FakeClock clock(cpa::core::TimePoint(std::chrono::seconds(1440938160)));
  return clock;
}

const cpa::sigv4::Verifier& TheVerifier() {
  static cpa::sigv4::Verifier verifier(Clock(), [](std::string_view id) {
    return std::make_shared<const cpa::sigv4::SecretInfo>(cpa::sigv4::SecretInfo{
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        id.size() > 2 && id[0] == 'A' && id[1] == 'S' ? "token" : "", std::nullopt, true, ""});
  });
  return verifier;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cpa::sigv4::ParseAuthorizationHeader(text);
  (void)cpa::sigv4::HasPresignParameters(text);
  (void)cpa::sigv4::ParsePresignedQuery(text);

  // The first byte picks where the text goes; the rest is the attacker-controlled field.
  if (size > 0) {
    cpa::sigv4::HttpRequest request;
    request.method = "GET";
    request.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
    std::string_view rest = text.substr(1);
    switch (data[0] % 3) {
      case 0:
        request.headers.emplace_back("Authorization", std::string(rest));
        break;
      case 1:
        request.SetTarget("/?" + std::string(rest));
        break;
      default: {
        size_t split = rest.find('\n');
        request.SetTarget(std::string(rest.substr(0, split)));
        if (split != std::string_view::npos) {
          request.headers.emplace_back("Authorization", std::string(rest.substr(split + 1)));
        }
      }
    }
    (void)TheVerifier().Verify(request);
  }
  return 0;
}
