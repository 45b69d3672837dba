// File responses (sendfile and its fallback) and spooled request bodies.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

#include "core/crypto.h"
#include "server/http/server.h"
#include "test_client.h"

namespace cpa::server::http {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::TestClient;

constexpr uint64_t kSpoolLimit = 12 * 1024 * 1024;

std::string Pattern(size_t n, unsigned seed = 1) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// "SIZE\r\nDATA\r\n"... "0\r\n\r\n" with chunks of `chunk` bytes.
std::string Chunked(std::string_view body, size_t chunk) {
  std::string out;
  for (size_t i = 0; i < body.size(); i += chunk) {
    std::string_view part = body.substr(i, chunk);
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", part.size());
    out.append(size).append(part).append("\r\n");
  }
  out.append("0\r\n\r\n");
  return out;
}

// What the upload handler saw.
struct Seen {
  std::string body;  // read from body_file when spooled
  bool spooled = false;
  std::string body_file;
  bool file_existed = false;
  uint64_t body_size = 0;
  std::string body_sha256;
};

class LargeBodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "cpa-http-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    spool_ = dir_ + "/spool";
    fs::create_directory(spool_);
    blob_ = Pattern(6 * 1024 * 1024 + 123);
    blob_path_ = dir_ + "/blob";
    std::ofstream(blob_path_, std::ios::binary) << blob_;
  }
  void TearDown() override {
    if (server_) server_->Stop();
    fs::remove_all(dir_);
  }

  ServerOptions TestOptions() {
    ServerOptions o;
    o.threads = 2;
    o.max_body_bytes = 1024 * 1024;
    o.idle_timeout = 5s;
    o.header_timeout = 2s;
    o.body_timeout = 2s;
    o.shutdown_timeout = 2s;
    o.sendfile = sendfile_;
    return o;
  }

  void StartServer(ServerOptions o) {
    server_ = std::make_unique<Server>(o, [](Request&& r) { return TextResponse(200, r.body); });
    // GET /files/NAME[?OFFSET-LENGTH]: a slice of dir_/NAME.
    server_->AddRoute("/files/", [this](Request&& r) {
      Response resp;
      resp.SetHeader("Content-Type", "application/octet-stream");
      resp.service = "test";
      resp.operation = "GetFile";
      FileBody file{.path = dir_ + "/" + std::string(r.Path().substr(7))};
      std::string_view q = r.Query();
      if (q.empty()) {
        std::error_code ec;
        file.length = fs::file_size(file.path, ec);
      } else {
        size_t dash = q.find('-');
        file.offset = std::stoull(std::string(q.substr(0, dash)));
        file.length = std::stoull(std::string(q.substr(dash + 1)));
        resp.status = 206;
        resp.SetHeader("Content-Range", "bytes " + std::to_string(file.offset) + "-" +
                                            std::to_string(file.offset + file.length - 1) + "/*");
      }
      resp.file = file;
      return resp;
    });
    auto upload = [this](Request&& r) {
      Seen s;
      s.spooled = !r.body_file.empty();
      s.body_file = r.body_file;
      s.file_existed = s.spooled && fs::exists(r.body_file);
      s.body = s.spooled ? ReadAll(r.body_file) : r.body;
      if (s.spooled && !r.body.empty()) s.body = "body was not empty";
      s.body_size = r.body_size;
      s.body_sha256 = r.body_sha256;
      if (r.Query() == "keep") fs::rename(r.body_file, dir_ + "/kept");
      {
        std::lock_guard lock(mu_);
        seen_.push_back(s);
      }
      Response resp = TextResponse(201, "ok");
      resp.service = "test";
      resp.operation = "Upload";
      return resp;
    };
    server_->AddRoute(
        "/up/", upload,
        {.max_body_bytes = kSpoolLimit, .spool_dir = spool_, .spool_threshold = 4096});
    server_->AddRoute("/mem/", upload, {.max_body_bytes = kSpoolLimit});
    server_->AddRoute("/badspool/", upload,
                      {.max_body_bytes = kSpoolLimit, .spool_dir = dir_ + "/absent"});
    server_->SetAccessLog([this](const AccessLogEntry& e) {
      std::lock_guard lock(mu_);
      log_.push_back({std::string(e.path), e.status, e.bytes_in, e.bytes_out});
    });
    ASSERT_TRUE(server_->Start().ok());
  }
  void StartServer() { StartServer(TestOptions()); }

  Seen LastSeen() {
    std::lock_guard lock(mu_);
    return seen_.empty() ? Seen{} : seen_.back();
  }
  size_t SpoolFiles() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(spool_), {}));
  }
  struct LogLine {
    std::string path;
    int status;
    uint64_t in, out;
  };
  // The access log is written after the response; wait for `n` lines.
  std::vector<LogLine> Log(size_t n) {
    for (int i = 0; i < 400; ++i) {
      {
        std::lock_guard lock(mu_);
        if (log_.size() >= n) return log_;
      }
      std::this_thread::sleep_for(5ms);
    }
    std::lock_guard lock(mu_);
    return log_;
  }
  uint16_t port() const { return server_->port(); }

  bool sendfile_ = true;
  std::string dir_, spool_, blob_, blob_path_;
  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::vector<LogLine> log_;
};

// File responses, through sendfile(2) and through the read/write copy.
class FileResponseTest : public LargeBodyTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    sendfile_ = GetParam();
    LargeBodyTest::SetUp();
  }
};

INSTANTIATE_TEST_SUITE_P(SendfileAndCopy, FileResponseTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "sendfile" : "copy"; });

TEST_P(FileResponseTest, FileResponse) {
  StartServer();
  TestClient c(port());
  auto r = c.Request("GET", "/files/blob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Field("Content-Length"), std::to_string(blob_.size()));
  EXPECT_EQ(r->Field("Content-Type"), "application/octet-stream");
  EXPECT_EQ(r->body.size(), blob_.size());
  EXPECT_TRUE(r->body == blob_);
  EXPECT_TRUE(r->keep_alive);

  // A slice, on the same connection.
  auto s = c.Request("GET", "/files/blob?1000001-2500000");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, 206);
  EXPECT_EQ(s->Field("Content-Length"), "2500000");
  EXPECT_EQ(s->Field("Content-Range"), "bytes 1000001-3500000/*");
  EXPECT_TRUE(s->body == blob_.substr(1000001, 2500000));

  // The tail, and an empty slice.
  auto t = c.Request("GET", "/files/blob?" + std::to_string(blob_.size() - 5) + "-5");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->body, blob_.substr(blob_.size() - 5));
  auto e = c.Request("GET", "/files/blob?10-0");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->Field("Content-Length"), "0");
  EXPECT_EQ(e->body, "");

  auto log = Log(4);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].out, blob_.size());
  EXPECT_EQ(log[1].out, 2500000u);
  EXPECT_EQ(log[3].out, 0u);
}

TEST_P(FileResponseTest, HeadAnnouncesTheFileWithoutSendingIt) {
  StartServer();
  TestClient c(port());
  auto h = c.Request("HEAD", "/files/blob");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->Field("Content-Length"), std::to_string(blob_.size()));
  EXPECT_EQ(h->body, "");
  // Still in step: the next answer is the next request's.
  auto g = c.Request("GET", "/files/blob?0-10");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->body, blob_.substr(0, 10));
  EXPECT_EQ(Log(1)[0].out, 0u);
}

TEST_P(FileResponseTest, UnopenableFileGives500) {
  StartServer();
  TestClient c(port());
  auto m = c.Request("GET", "/files/missing");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 500);
  EXPECT_TRUE(m->keep_alive);
  auto h = c.Request("HEAD", "/files/missing");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 500);
  // A slice past the end of the file.
  auto past = c.Request("GET", "/files/blob?" + std::to_string(blob_.size() - 5) + "-6");
  ASSERT_TRUE(past);
  EXPECT_EQ(past->status, 500);
  // A directory is not a file.
  fs::create_directory(dir_ + "/sub");
  auto d = c.Request("GET", "/files/sub?0-1");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 500);
  EXPECT_EQ(server_->server_metrics().file_errors.WithLabels({}).Value(), 4u);
  // Counted under the handler's labels, as a server error.
  EXPECT_EQ(
      server_->server_metrics().requests.WithLabels({"test", "GetFile", "server_error"}).Value(),
      4u);
}

TEST_P(FileResponseTest, SlowReaderGetsEveryByte) {
  // Larger than the socket buffers, so that the server waits for the socket to drain.
  std::string big = Pattern(24 * 1024 * 1024, 7);
  std::ofstream(dir_ + "/big", std::ios::binary) << big;
  StartServer();
  TestClient c(port());
  ASSERT_TRUE(c.Send("GET /files/big HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::this_thread::sleep_for(300ms);
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->body == big);
}

TEST_P(FileResponseTest, ReaderThatNeverReadsIsCut) {
  std::ofstream(dir_ + "/big", std::ios::binary) << Pattern(48 * 1024 * 1024, 9);
  ServerOptions o = TestOptions();
  o.write_timeout = 300ms;
  o.min_body_rate = 1ull << 40;  // no allowance for the length
  StartServer(o);
  TestClient c(port());
  ASSERT_TRUE(c.Send("GET /files/big HTTP/1.1\r\nHost: t\r\n\r\n"));
  Counter& timeouts = server_->server_metrics().rejected.WithLabels({"timeout"});
  for (int i = 0; i < 400 && timeouts.Value() == 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(timeouts.Value(), 1u);
  EXPECT_TRUE(c.WaitClosed(3s));
}

TEST_P(FileResponseTest, StopCutsAStalledFileResponse) {
  std::ofstream(dir_ + "/big", std::ios::binary) << Pattern(48 * 1024 * 1024, 11);
  ServerOptions o = TestOptions();
  o.shutdown_timeout = 200ms;
  StartServer(o);
  TestClient c(port());
  ASSERT_TRUE(c.Send("GET /files/big HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::this_thread::sleep_for(100ms);  // the server is waiting for the socket to drain
  auto t0 = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  EXPECT_TRUE(c.WaitClosed(2s));
}

TEST_F(LargeBodyTest, SpooledUpload) {
  StartServer();
  std::string body = Pattern(9 * 1024 * 1024 + 17, 3);
  TestClient c(port());
  auto r = c.Request("PUT", "/up/blob", body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  Seen s = LastSeen();
  EXPECT_TRUE(s.spooled);
  EXPECT_TRUE(s.file_existed);
  EXPECT_EQ(fs::path(s.body_file).parent_path(), fs::path(spool_));
  EXPECT_TRUE(s.body == body);
  EXPECT_EQ(s.body_size, body.size());
  EXPECT_EQ(s.body_sha256, core::Sha256Hex(body));
  // Removed once the handler returned.
  EXPECT_FALSE(fs::exists(s.body_file));
  EXPECT_EQ(SpoolFiles(), 0u);
  EXPECT_EQ(Log(1)[0].in, body.size());
}

TEST_F(LargeBodyTest, HandlerMayKeepTheSpoolFile) {
  StartServer();
  std::string body = Pattern(100000, 4);
  TestClient c(port());
  auto r = c.Request("PUT", "/up/blob?keep", body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_TRUE(ReadAll(dir_ + "/kept") == body);
  EXPECT_EQ(SpoolFiles(), 0u);
}

TEST_F(LargeBodyTest, SmallBodyOnSpoolRouteStaysInMemoryWithDigest) {
  StartServer();
  TestClient c(port());
  auto r = c.Request("PUT", "/up/small", "tiny body");
  ASSERT_TRUE(r);
  Seen s = LastSeen();
  EXPECT_FALSE(s.spooled);
  EXPECT_EQ(s.body, "tiny body");
  EXPECT_EQ(s.body_size, 9u);
  EXPECT_EQ(s.body_sha256, core::Sha256Hex("tiny body"));
  ASSERT_TRUE(c.Request("GET", "/up/nothing"));
  EXPECT_EQ(LastSeen().body_sha256, core::Sha256Hex(""));
  // Routes without a spool directory compute no digest.
  ASSERT_TRUE(c.Request("PUT", "/mem/x", "abc"));
  EXPECT_EQ(LastSeen().body_sha256, "");
  EXPECT_EQ(LastSeen().body_size, 3u);
}

TEST_F(LargeBodyTest, ChunkedUploadInMemoryAndSpooled) {
  StartServer();
  TestClient c(port());
  std::string small = Pattern(3000, 5);
  ASSERT_TRUE(c.Send("PATCH /up/u1 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     Chunked(small, 1000)));
  auto r1 = c.Read();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 201);
  Seen s1 = LastSeen();
  EXPECT_FALSE(s1.spooled);  // under the threshold
  EXPECT_EQ(s1.body, small);
  EXPECT_EQ(s1.body_sha256, core::Sha256Hex(small));

  std::string big = Pattern(5 * 1024 * 1024 + 3, 6);
  ASSERT_TRUE(c.Send("PATCH /up/u2 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     Chunked(big, 100000)));
  auto r2 = c.Read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 201);
  Seen s2 = LastSeen();
  EXPECT_TRUE(s2.spooled);
  EXPECT_TRUE(s2.body == big);
  EXPECT_EQ(s2.body_size, big.size());
  EXPECT_EQ(s2.body_sha256, core::Sha256Hex(big));

  // A chunked body followed by a pipelined request on the same connection.
  ASSERT_TRUE(c.Send("PATCH /up/u4 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     Chunked(big, 777777) +
                     "PUT /up/u5 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyz"));
  auto r4 = c.Read();
  auto r5 = c.Read();
  ASSERT_TRUE(r4 && r5);
  EXPECT_EQ(r4->status, 201);
  EXPECT_EQ(r5->status, 201);
  {
    std::lock_guard lock(mu_);
    ASSERT_GE(seen_.size(), 2u);
    EXPECT_EQ(seen_[seen_.size() - 2].body_sha256, core::Sha256Hex(big));
    EXPECT_EQ(seen_.back().body, "xyz");
  }

  // Large chunked body on a route without spooling: in memory.
  ASSERT_TRUE(c.Send("PATCH /mem/u3 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     Chunked(big, 65536)));
  auto r3 = c.Read();
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->status, 201);
  Seen s3 = LastSeen();
  EXPECT_FALSE(s3.spooled);
  EXPECT_TRUE(s3.body == big);
  EXPECT_EQ(SpoolFiles(), 0u);
}

TEST_F(LargeBodyTest, SpooledRouteOverItsLimitGets413) {
  StartServer();
  {
    TestClient c(port());
    ASSERT_TRUE(c.Send("PUT /up/x HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                       std::to_string(kSpoolLimit + 1) + "\r\n\r\nabc"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  {
    TestClient c(port());
    std::string body = Pattern(kSpoolLimit + 300000, 8);
    c.Send("PATCH /up/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
           Chunked(body, 1 << 20));  // the server may answer and close before reading it all
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_TRUE(c.WaitClosed(3s));
  }
  EXPECT_EQ(SpoolFiles(), 0u);  // the partial file went with the request
  EXPECT_EQ(server_->server_metrics().rejected.WithLabels({"body_too_large"}).Value(), 2u);
  std::lock_guard lock(mu_);
  EXPECT_TRUE(seen_.empty());
}

TEST_F(LargeBodyTest, ExpectContinueOnSpooledRoute) {
  StartServer();
  std::string body = Pattern(2 * 1024 * 1024, 10);
  TestClient c(port());
  ASSERT_TRUE(c.Send("PUT /up/e HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.ReadRawHead();
  ASSERT_TRUE(interim);
  EXPECT_TRUE(interim->starts_with("HTTP/1.1 100 Continue\r\n")) << *interim;
  ASSERT_TRUE(c.Send(body));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(LastSeen().body_sha256, core::Sha256Hex(body));

  // Chunked with Expect, as docker sends PATCH uploads.
  ASSERT_TRUE(
      c.Send("PATCH /up/e HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
             "Expect: 100-continue\r\n\r\n"));
  interim = c.ReadRawHead();
  ASSERT_TRUE(interim);
  EXPECT_TRUE(interim->starts_with("HTTP/1.1 100 Continue\r\n")) << *interim;
  ASSERT_TRUE(c.Send(Chunked(body, 300000)));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_TRUE(LastSeen().spooled);
  EXPECT_EQ(LastSeen().body_sha256, core::Sha256Hex(body));
}

TEST_F(LargeBodyTest, UnwritableSpoolGives500) {
  StartServer();
  TestClient c(port());
  auto r = c.Request("PUT", "/badspool/x", Pattern(200000));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_FALSE(r->keep_alive);
  EXPECT_EQ(server_->server_metrics().rejected.WithLabels({"spool_failed"}).Value(), 1u);
  std::lock_guard lock(mu_);
  EXPECT_TRUE(seen_.empty());
}

TEST_F(LargeBodyTest, ChunkedBodyMustKeepComing) {
  ServerOptions o = TestOptions();
  o.body_timeout = 300ms;
  StartServer(o);
  TestClient c(port());
  // Past the threshold (so a spool file exists), then nothing more.
  std::string body = Pattern(100000, 12);
  std::string chunked = Chunked(body, 50000);
  ASSERT_TRUE(c.Send("PATCH /up/slow HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     chunked.substr(0, chunked.size() - 5)));
  for (int i = 0; i < 200 && SpoolFiles() == 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(SpoolFiles(), 1u);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitClosed(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
  // The socket closes at the deadline; the server's cleanup follows at once.
  for (int i = 0; i < 200 && SpoolFiles() != 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(SpoolFiles(), 0u);
  EXPECT_EQ(server_->server_metrics().rejected.WithLabels({"timeout"}).Value(), 1u);
}

TEST(ServerThreads, DefaultFollowsTheAffinityMask) {
  // threads = 0 starts and serves (one worker per CPU this process may use).
  ServerOptions o;
  Server s(o, [](Request&&) { return TextResponse(200, "ok"); });
  ASSERT_TRUE(s.Start().ok());
  TestClient c(s.port());
  auto r = c.Request("GET", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok");
  s.Stop();
}

}  // namespace
}  // namespace cpa::server::http
