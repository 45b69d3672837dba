#include "corpus.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cpa::sigv4::testing {

std::filesystem::path CorpusDir() {
  return std::filesystem::path(CPA_TESTDATA_DIR) / "sigv4-aws-c-auth" / "v4";
}

std::vector<std::string> CorpusCaseNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(CorpusDir(), ec)) {
    if (entry.is_directory() && std::filesystem::exists(entry.path() / "request.txt")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CorpusContext ReadContext(const std::string& case_name) {
  auto j = nlohmann::json::parse(ReadFile(CorpusDir() / case_name / "context.json"));
  CorpusContext c;
  c.access_key_id = j["credentials"]["access_key_id"];
  c.secret_access_key = j["credentials"]["secret_access_key"];
  c.session_token = j["credentials"].value("token", "");
  c.region = j["region"];
  c.service = j["service"];
  c.time = core::ParseIso8601(j["timestamp"].get<std::string>()).value();
  c.expires_seconds = j.value("expiration_in_seconds", 0);
  c.normalize = j.value("normalize", true);
  c.sign_body = j.value("sign_body", false);
  c.omit_session_token = j.value("omit_session_token", false);
  return c;
}

HttpRequest ParseRequestText(const std::string& text) {
  HttpRequest r;
  size_t eol = text.find('\n');
  std::string line = text.substr(0, eol);
  size_t sp1 = line.find(' ');
  size_t sp2 = line.rfind(' ');
  r.method = line.substr(0, sp1);
  r.SetTarget(line.substr(sp1 + 1, sp2 - sp1 - 1));
  size_t pos = eol == std::string::npos ? text.size() : eol + 1;
  while (pos < text.size()) {
    eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string h = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (h.empty()) {
      r.body = pos < text.size() ? text.substr(pos) : "";
      break;
    }
    if ((h[0] == ' ' || h[0] == '\t') && !r.headers.empty()) {
      r.headers.back().second += "\n" + h;
      continue;
    }
    size_t colon = h.find(':');
    r.headers.emplace_back(h.substr(0, colon), h.substr(colon + 1));
  }
  return r;
}

std::string SerializeRequest(const HttpRequest& r) {
  std::string out = r.method + " " + r.Target() + " HTTP/1.1\n";
  for (const auto& [k, v] : r.headers) out += k + ":" + v + "\n";
  out += "\n";
  out += r.body;
  return out;
}

}  // namespace cpa::sigv4::testing
