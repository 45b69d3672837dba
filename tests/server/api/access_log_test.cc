// The access log's JSON lines and files.
#include "server/api/access_log.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cpa::server::api {
namespace {

http::AccessLogEntry Entry() {
  http::AccessLogEntry e;
  e.method = "POST";
  e.path = "/";
  e.status = 409;
  e.latency = std::chrono::microseconds(1234);
  e.bytes_in = 87;
  e.bytes_out = 301;
  e.remote_address = "127.0.0.1";
  e.service = "iam";
  e.operation = "CreateUser";
  return e;
}

TEST(AccessLogTest, LineHasTheFieldsAndNothingElse) {
  auto j = nlohmann::json::parse(
      AccessLogLine(Entry(), core::TimePoint(std::chrono::seconds(1714564800))));
  EXPECT_EQ(j, nlohmann::json::parse(R"({"time":"2024-05-01T12:00:00Z","method":"POST",
      "path":"/","status":409,"latency_us":1234,"bytes_in":87,"bytes_out":301,
      "remote":"127.0.0.1","service":"iam","operation":"CreateUser"})"));
}

TEST(AccessLogTest, OddBytesInAPathStayValidJson) {
  http::AccessLogEntry e = Entry();
  const std::string path = "/v2/\xff\"quoted\"\n";
  e.path = path;
  std::string line = AccessLogLine(e, core::TimePoint{});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["path"], "/v2/\xef\xbf\xbd\"quoted\"\n");
}

TEST(AccessLogTest, AppendsLinesToA0600File) {
  std::string tmpl = ::testing::TempDir() + "cpa-access-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string path = tmpl + "/access.jsonl";
  core::FakeClock clock(core::TimePoint(std::chrono::seconds(1714564800)));
  for (int round = 0; round < 2; ++round) {  // reopening appends
    auto log = AccessLog::Open(path, clock);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    (*log)->Write(Entry());
    clock.Advance(std::chrono::seconds(1));
  }
  struct stat sb {};
  ASSERT_EQ(::stat(path.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["time"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(lines[1]["time"], "2024-05-01T12:00:01Z");
  std::filesystem::remove_all(tmpl);
}

TEST(AccessLogTest, OpenErrors) {
  core::FakeClock clock(core::TimePoint{});
  auto bad = AccessLog::Open(::testing::TempDir() + "no/such/dir/access.jsonl", clock);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("cannot open access log"), std::string::npos);
  auto dash = AccessLog::Open("-", clock);  // stderr, not a file named "-"
  ASSERT_TRUE(dash.ok());
  EXPECT_FALSE(std::filesystem::exists("-"));
}

}  // namespace
}  // namespace cpa::server::api
