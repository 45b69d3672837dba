#pragma once
// Reads the aws-c-auth SigV4 test suite (../shared/testdata/sigv4-aws-c-auth/v4).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "sigv4/http_request.h"

namespace cpa::sigv4::testing {

std::filesystem::path CorpusDir();
std::vector<std::string> CorpusCaseNames();  // sorted; empty if the folder is missing
std::string ReadFile(const std::filesystem::path& p);

struct CorpusContext {
  std::string access_key_id, secret_access_key, session_token;
  std::string region, service;
  core::TimePoint time;
  int64_t expires_seconds = 0;
  bool normalize = true;
  bool sign_body = false;
  bool omit_session_token = false;
};
CorpusContext ReadContext(const std::string& case_name);

// Parses the suite's request text: "METHOD target HTTP/1.1", "Name:value" lines (continuation
// lines kept as part of the value), a blank line, the body.
HttpRequest ParseRequestText(const std::string& text);
// The inverse, in the suite's layout.
std::string SerializeRequest(const HttpRequest& request);

}  // namespace cpa::sigv4::testing
