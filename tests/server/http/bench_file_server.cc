// Large-body throughput of the HTTP server over loopback (not run by ctest):
//   cpa_http_bench_file [SIZE_MIB=256] [DIR=$TMPDIR or /tmp] [ROUNDS=3]
// Writes a SIZE_MIB file, then, against an in-process server with two workers:
//   download  GET of the file (Response::file), with sendfile(2) and with the read/write copy;
//   upload    PUT with Content-Length and PATCH chunked to a spooled route (to a file, SHA-256
//             computed by the server and checked here).
// The client reads into a 1 MiB buffer and sends with sendfile, so it holds no body either.
// Prints per round MB/s (10^6 bytes per second) and the CPU seconds per GiB that the process
// (server and client) spent, and the process's peak RSS at the end.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "core/encoding.h"
#include "server/http/server.h"

namespace {

namespace fs = std::filesystem;
using namespace cpa::server::http;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::perror(what.c_str());
  std::exit(1);
}

int Connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Die("connect");
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

void SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) Die("send");
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void SendFileAll(int sock, int file, off_t offset, size_t length) {
  while (length > 0) {
    ssize_t n = ::sendfile(sock, file, &offset, length);
    if (n <= 0) Die("sendfile");
    length -= static_cast<size_t>(n);
  }
}

// Reads one response; returns its status; the body is counted, not kept (beyond `keep`).
int ReadResponse(int fd, std::vector<char>& buf, uint64_t* body_bytes, std::string* keep) {
  std::string head;
  size_t end;
  size_t have = 0;
  for (;;) {
    ssize_t n = ::recv(fd, buf.data() + have, buf.size() - have, 0);
    if (n <= 0) Die("recv header");
    have += static_cast<size_t>(n);
    std::string_view view(buf.data(), have);
    end = view.find("\r\n\r\n");
    if (end != std::string_view::npos) {
      head.assign(view.substr(0, end + 4));
      break;
    }
  }
  int status = std::atoi(head.c_str() + 9);
  uint64_t length = 0;
  size_t cl = cpa::core::AsciiLower(head).find("content-length:");
  if (cl != std::string::npos) length = std::strtoull(head.c_str() + cl + 15, nullptr, 10);
  uint64_t got = have - (end + 4);
  if (keep) keep->assign(buf.data() + end + 4, got);
  while (got < length) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) Die("recv body");
    if (keep) keep->append(buf.data(), static_cast<size_t>(n));
    got += static_cast<uint64_t>(n);
  }
  if (body_bytes) *body_bytes = got;
  return status;
}

double MBps(uint64_t bytes, Clock::duration d) {
  return static_cast<double>(bytes) / 1e6 / std::chrono::duration<double>(d).count();
}

// User + system CPU seconds of the whole process (server and client threads).
double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// One result line: wall-clock rate, and CPU seconds per GiB (less sensitive to other load).
void Report(const char* what, uint64_t size, Clock::duration wall, double cpu, const char* note) {
  std::printf("%-17s %4llu MiB: %6.0f MB/s, %.2f CPU s/GiB%s\n", what,
              static_cast<unsigned long long>(size >> 20), MBps(size, wall),
              cpu / (static_cast<double>(size) / (1 << 30)), note);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t size = (argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 256) * 1024 * 1024;
  const char* tmp = std::getenv("TMPDIR");
  std::string base = argc > 2 ? argv[2] : (tmp ? tmp : "/tmp");
  int rounds = argc > 3 ? std::atoi(argv[3]) : 3;

  std::string dir = base + "/cpa-bench-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) Die("mkdtemp");
  std::string blob = dir + "/blob";
  std::string spool = dir + "/spool";
  fs::create_directory(spool);

  // The file, and its digest for checking uploads.
  std::string expected_sha;
  {
    int fd = ::open(blob.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) Die("create blob");
    std::string chunk(1024 * 1024, '\0');
    cpa::core::Sha256Hasher hasher;
    uint32_t x = 12345;
    for (uint64_t done = 0; done < size; done += chunk.size()) {
      for (char& c : chunk) c = static_cast<char>((x = x * 1664525u + 1013904223u) >> 24);
      hasher.Update(chunk);
      if (::write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) {
        Die("write blob");
      }
    }
    ::close(fd);
    auto digest = hasher.Finish();
    expected_sha = cpa::core::HexEncode(cpa::core::DigestView(digest));
  }

  std::vector<char> buf(1024 * 1024);
  for (bool use_sendfile : {true, false}) {
    ServerOptions options;
    options.threads = 2;
    options.sendfile = use_sendfile;
    Server server(options, {});
    server.AddRoute("/blob", [&](Request&&) {
      Response r;
      r.SetHeader("Content-Type", "application/octet-stream");
      r.file = FileBody{.path = blob, .offset = 0, .length = size};
      return r;
    });
    server.AddRoute("/up/",
                    [&](Request&& r) {
                      bool ok = !r.body_file.empty() && r.body_size == size &&
                                r.body_sha256 == expected_sha;
                      return TextResponse(ok ? 201 : 500, ok ? "ok" : "bad upload");
                    },
                    {.max_body_bytes = size + 1, .spool_dir = spool});
    if (auto st = server.Start(); !st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      return 1;
    }
    int fd = Connect(server.port());
    for (int i = 0; i < rounds; ++i) {
      auto t0 = Clock::now();
      double c0 = CpuSeconds();
      SendAll(fd, "GET /blob HTTP/1.1\r\nHost: bench\r\n\r\n");
      uint64_t got = 0;
      int status = ReadResponse(fd, buf, &got, nullptr);
      auto d = Clock::now() - t0;
      if (status != 200 || got != size) Die("bad download");
      Report(use_sendfile ? "download sendfile" : "download copy", size, d, CpuSeconds() - c0, "");
    }
    if (use_sendfile) {
      int file = ::open(blob.c_str(), O_RDONLY);
      for (int i = 0; i < rounds; ++i) {
        auto t0 = Clock::now();
        double c0 = CpuSeconds();
        SendAll(fd, "PUT /up/cl HTTP/1.1\r\nHost: bench\r\nContent-Length: " +
                        std::to_string(size) + "\r\n\r\n");
        SendFileAll(fd, file, 0, size);
        std::string answer;
        int status = ReadResponse(fd, buf, nullptr, &answer);
        auto d = Clock::now() - t0;
        if (status != 201) Die("bad upload: " + answer);
        Report("upload length", size, d, CpuSeconds() - c0, " (spooled, SHA-256 checked)");
      }
      for (int i = 0; i < rounds; ++i) {
        auto t0 = Clock::now();
        double c0 = CpuSeconds();
        SendAll(fd,
                "PATCH /up/chunked HTTP/1.1\r\nHost: bench\r\nTransfer-Encoding: chunked\r\n\r\n");
        constexpr size_t kChunk = 1024 * 1024;
        for (uint64_t off = 0; off < size; off += kChunk) {
          size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, size - off));
          char line[32];
          std::snprintf(line, sizeof(line), "%zx\r\n", n);
          SendAll(fd, line);
          SendFileAll(fd, file, static_cast<off_t>(off), n);
          SendAll(fd, "\r\n");
        }
        SendAll(fd, "0\r\n\r\n");
        std::string answer;
        int status = ReadResponse(fd, buf, nullptr, &answer);
        auto d = Clock::now() - t0;
        if (status != 201) Die("bad chunked upload: " + answer);
        Report("upload chunked", size, d, CpuSeconds() - c0, " (spooled, SHA-256 checked)");
      }
      ::close(file);
    }
    ::close(fd);
    server.Stop();
  }
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS of the process (server and client): %ld MiB\n", usage.ru_maxrss / 1024);
  fs::remove_all(dir);
  return 0;
}
