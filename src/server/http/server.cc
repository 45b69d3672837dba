#include "server/http/server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/encoding.h"
#include "server/http/body_sink.h"

namespace cpa::server::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

thread_local bool tls_in_worker = false;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr size_t kReadChunk = 16 * 1024;
// Body reads: large enough that a spooled upload costs few system calls per MiB.
constexpr size_t kBodyReadChunk = 256 * 1024;
// A connection's read buffer past this is given back once its request is done.
constexpr size_t kKeepBufferBytes = 64 * 1024;
// File responses: bytes sent per turn before yielding the worker to other connections, and the
// chunk size of the read/write fallback.
constexpr uint64_t kFileTurnBytes = 8 * 1024 * 1024;
constexpr size_t kFileFallbackChunk = 256 * 1024;
constexpr uint64_t kMaxDrainBytes = 64ull * 1024 * 1024;
constexpr std::chrono::milliseconds kDrainTimeout{1000};
constexpr std::chrono::milliseconds kAcceptRetry{50};
constexpr std::chrono::milliseconds kForceCloseWait{1000};

bool HasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

std::string_view OutcomeForStatus(int status) {
  if (status >= 500) return "server_error";
  if (status >= 400) return "client_error";
  return "success";
}

// The IMF-fixdate for the Date: field, formatted once per second per thread.
std::string_view HttpDate() {
  thread_local std::time_t cached_second = -1;
  thread_local char buf[64];
  thread_local size_t len = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    // Spelled out rather than strftime's %a/%b, which follow the locale.
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int n = std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                          kDays[tm.tm_wday % 7], tm.tm_mday, kMonths[tm.tm_mon % 12],
                          tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    len = n > 0 ? static_cast<size_t>(n) : 0;
    cached_second = now;
  }
  return std::string_view(buf, len);
}

// How long `bytes` may take at `rate` bytes per second (capped, so that huge limits don't
// overflow).
std::chrono::milliseconds TransferAllowance(uint64_t bytes, uint64_t rate) {
  rate = std::max<uint64_t>(1, rate);
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::min<double>(static_cast<double>(bytes) / rate * 1000, 1e9)));
}

// The CPUs this process may run on (taskset, cgroup cpusets), else the machine's count.
int AvailableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void SetCork(int fd, bool on) {
  int v = on ? 1 : 0;
  ::setsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, sizeof(v));
}

// A Beast body type over BodySink: request bodies go to memory or to a spool file as the route
// says (configured on the parser's message once the header is in, before any body byte).
struct SinkBody {
  using value_type = BodySink;

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(bhttp::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<uint64_t>& length, beast::error_code& ec) {
      ec = {};
      try {
        std::optional<uint64_t> declared;
        if (length) declared = *length;
        if (!body_.Begin(declared).ok()) ec = Failed();
      } catch (const std::bad_alloc&) {
        ec = Failed();
      }
    }

    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      ec = {};
      size_t used = 0;
      try {
        for (auto b : beast::buffers_range_ref(buffers)) {
          if (!body_.Append({static_cast<const char*>(b.data()), b.size()}).ok()) {
            ec = Failed();
            return used;
          }
          used += b.size();
        }
      } catch (const std::bad_alloc&) {
        ec = Failed();
      }
      return used;
    }

    void finish(beast::error_code& ec) {
      ec = body_.Finish().ok() ? beast::error_code() : Failed();
    }

   private:
    static beast::error_code Failed() {
      return boost::system::errc::make_error_code(boost::system::errc::io_error);
    }
    value_type& body_;
  };
};

std::string FormatAddress(const net::ip::address& addr, uint16_t port) {
  std::string host = addr.to_string();
  if (addr.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(port);
}

}  // namespace

ServerMetrics::ServerMetrics(MetricsRegistry& r)
    : requests(r.AddCounter("cpa_requests_total",
                            "Requests answered, by service, operation and outcome.",
                            {"service", "operation", "outcome"})),
      latency(r.AddHistogram(
          "cpa_request_duration_seconds",
          "Time from a request's first byte until its response is ready, by service.",
          {"service"})),
      decisions(r.AddCounter("cpa_authz_decisions_total", "Authorization decisions, by result.",
                             {"result"})),
      rejected(r.AddCounter("cpa_http_rejected_total",
                            "Requests and connections refused by the HTTP layer, by reason.",
                            {"reason"})),
      connections_open(r.AddGauge("cpa_http_connections_open", "Open client connections.")),
      connections(r.AddCounter("cpa_http_connections_total", "Client connections accepted.")),
      file_errors(r.AddCounter("cpa_http_file_errors_total",
                               "File responses answered 500 because the file could not be opened "
                               "or was shorter than the slice.")) {}

core::Result<ListenAddress> ParseListenAddress(std::string_view text) {
  ListenAddress out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return core::Error(core::ErrorCode::kInvalidArgument,
                         "listen address must be HOST:PORT or [IPV6]:PORT: " + std::string(text));
    }
    out.host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return core::Error(core::ErrorCode::kInvalidArgument,
                         "listen address must be HOST:PORT: " + std::string(text));
    }
    if (text.substr(0, colon).find(':') != std::string_view::npos) {
      return core::Error(core::ErrorCode::kInvalidArgument,
                         "an IPv6 listen address needs brackets, [V6]:PORT: " + std::string(text));
    }
    out.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (out.host.empty()) out.host = "127.0.0.1";
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return core::Error(core::ErrorCode::kInvalidArgument,
                       "bad port in listen address: " + std::string(text));
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

class Connection;

class ServerImpl {
 public:
  ServerImpl(ServerOptions o, Handler handler)
      : opts(std::move(o)),
        sm(registry),
        rejected_bad_request(sm.rejected.WithLabels({"bad_request"})),
        rejected_header(sm.rejected.WithLabels({"header_too_large"})),
        rejected_body(sm.rejected.WithLabels({"body_too_large"})),
        rejected_timeout(sm.rejected.WithLabels({"timeout"})),
        rejected_conns(sm.rejected.WithLabels({"too_many_connections"})),
        rejected_spool(sm.rejected.WithLabels({"spool_failed"})),
        ioc(Threads()) {
    router.SetDefault(std::move(handler));
    router.AddExact("/_cpa/health", [](Request&& r) {
      Response resp = JsonResponse(200, "{\"status\":\"ok\"}");
      resp.service = "cpa";
      resp.operation = "health";
      return resp;
    });
    router.AddExact("/_cpa/metrics", [this](Request&& r) {
      Response resp(200, std::string(MetricsRegistry::kContentType), registry.Render());
      resp.service = "cpa";
      resp.operation = "metrics";
      return resp;
    });
  }

  int Threads() const { return opts.threads > 0 ? opts.threads : AvailableCpus(); }

  core::Status Listen();
  core::Status ListenLocked();
  core::Status Start();
  void Stop();
  void RequestStop(int signal_number);
  void Wait();
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Register(const std::shared_ptr<Connection>& c);
  void Unregister(Connection* c);
  std::vector<std::shared_ptr<Connection>> Snapshot();
  bool WaitForConnections(std::chrono::milliseconds timeout);

  // Everything a Connection touches is declared before `ioc`, so that it outlives the handlers
  // (and connections) that the io_context destroys.
  ServerOptions opts;
  Router router;
  AccessLogFn access_log;
  MetricsRegistry registry;
  ServerMetrics sm;
  Counter& rejected_bad_request;
  Counter& rejected_header;
  Counter& rejected_body;
  Counter& rejected_timeout;
  Counter& rejected_conns;
  Counter& rejected_spool;

  std::mutex conns_mu;
  std::condition_variable conns_cv;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> conns;
  std::atomic<size_t> nconns{0};
  std::atomic<bool> stopping{false};

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stop_requested = false;
  int stop_signal = 0;

  std::mutex control_mu;  // Start / Stop
  bool started = false;
  bool stopped = false;
  uint16_t port = 0;
  net::ip::address bound_address;

  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
  std::optional<net::signal_set> signals;
  std::vector<std::thread> threads;
};

// One client connection. Lives on its own strand; every member is touched only from it.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerImpl& srv, tcp::socket socket)
      : srv_(srv), stream_(std::move(socket)), file_timer_(stream_.get_executor()) {
    beast::error_code ec;
    tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_address_ = remote.address().to_string();
      remote_port_ = remote.port();
    }
    // sendfile(2) on the socket must not block the worker.
    stream_.socket().native_non_blocking(true, ec);
    srv_.sm.connections_open.WithLabels({}).Add();
    srv_.sm.connections.WithLabels({}).Inc();
  }

  ~Connection() {
    if (file_fd_ >= 0) ::close(file_fd_);
    srv_.sm.connections_open.WithLabels({}).Sub();
    srv_.Unregister(this);
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

  void Start() {
    srv_.Register(shared_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoIdle(); });
  }

  // Stop(): close now if between requests; otherwise the current request finishes and the
  // connection closes after its response.
  void Shutdown() {
    if (state_ == State::kIdle) Close();
  }

  void Close() {
    state_ = State::kClosed;
    file_timer_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kDraining, kClosed };

  void DoIdle() {
    if (state_ == State::kClosed) return;
    if (buffer_.size() > 0) {
      // Pipelined: the next request is already buffered.
      request_start_ = Clock::now();
      DoReadHeader();
      return;
    }
    if (srv_.stopping.load()) {
      Close();
      return;
    }
    // After a large body, give the read buffer back rather than keep it per idle connection.
    if (buffer_.capacity() > kKeepBufferBytes) buffer_.shrink_to_fit();
    state_ = State::kIdle;
    stream_.expires_after(srv_.opts.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnIdleRead(ec, n); });
  }

  void OnIdleRead(beast::error_code ec, size_t n) {
    if (ec || state_ == State::kClosed) {
      Close();
      return;
    }
    buffer_.commit(n);
    request_start_ = Clock::now();
    DoReadHeader();
  }

  void DoReadHeader() {
    state_ = State::kReading;
    parser_.emplace();
    parser_->header_limit(srv_.opts.max_header_bytes);
    // Decided per route once the header is in. (Not boost::none: Beast 1.74 compares the
    // Content-Length with the optional and would refuse every body.)
    parser_->body_limit(std::numeric_limits<uint64_t>::max());
    stream_.expires_after(srv_.opts.header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    auto& req = parser_->get();
    method_.assign(req.method_string().data(), req.method_string().size());
    std::string_view target(req.target().data(), req.target().size());
    path_.assign(target.substr(0, target.find('?')));
    if (path_.empty()) path_ = "/";
    route_ = srv_.router.Find(path_);
    uint64_t limit = srv_.opts.max_body_bytes;
    if (route_ && route_->options.max_body_bytes) limit = *route_->options.max_body_bytes;
    if (auto len = parser_->content_length(); len && *len > limit) {
      srv_.rejected_body.Inc();
      Reject(413, "Payload Too Large");
      return;
    }
    parser_->body_limit(limit);
    if (route_ && !route_->options.spool_dir.empty()) {
      // Before any body byte: the parser creates the body's reader when the body starts.
      req.body() = BodySink({.spool_dir = route_->options.spool_dir,
                             .spool_threshold = route_->options.spool_threshold,
                             .sha256 = true});
    }
    if (parser_->is_done()) {
      OnRequest();
      return;
    }
    body_limit_ = limit;
    auto expect = req[bhttp::field::expect];
    if (req.version() >= 11 && core::AsciiIEquals({expect.data(), expect.size()}, "100-continue")) {
      stream_.expires_after(srv_.opts.write_timeout);
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) {
                           self->Close();
                         } else {
                           self->DoReadBody();
                         }
                       });
      return;
    }
    DoReadBody();
  }

  // The body is fed to the parser by hand rather than with http::async_read: reads are larger
  // (kBodyReadChunk), and a chunked body gets an idle deadline per read.
  void DoReadBody() {
    chunked_ = !parser_->content_length().has_value();
    uint64_t expected = parser_->content_length().value_or(body_limit_);
    body_deadline_ = Clock::now() + srv_.opts.body_timeout +
                     TransferAllowance(expected, srv_.opts.min_body_rate);
    parser_->eager(true);
    ParseBody();
  }

  void ParseBody() {
    while (buffer_.size() > 0 && !parser_->is_done()) {
      beast::error_code ec;
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) break;
      if (ec) {
        OnReadError(ec);
        return;
      }
      if (used == 0) break;
    }
    if (parser_->is_done()) {
      OnRequest();
      return;
    }
    auto deadline = body_deadline_;
    if (chunked_) deadline = std::min(deadline, Clock::now() + srv_.opts.body_timeout);
    stream_.expires_at(deadline);
    stream_.async_read_some(
        buffer_.prepare(kBodyReadChunk),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnBodyRead(ec, n); });
  }

  void OnBodyRead(beast::error_code ec, size_t n) {
    if (state_ == State::kClosed) {
      Close();
      return;
    }
    if (ec) {
      if (ec == beast::error::timeout) srv_.rejected_timeout.Inc();
      parser_.reset();  // a partial spool file goes now, not when the connection is freed
      Close();
      return;
    }
    buffer_.commit(n);
    ParseBody();
  }

  void OnReadError(beast::error_code ec) {
    if (state_ == State::kClosed) return;
    if (parser_ && parser_->get().body().failed()) {
      // The spool file could not be created or written (no space, no directory): our fault.
      srv_.rejected_spool.Inc();
      Reject(500, "Internal Server Error");
    } else if (ec == bhttp::error::header_limit) {
      srv_.rejected_header.Inc();
      Reject(431, "Request Header Fields Too Large");
    } else if (ec == bhttp::error::body_limit) {
      srv_.rejected_body.Inc();
      Reject(413, "Payload Too Large");
    } else if (ec == beast::error::timeout) {
      srv_.rejected_timeout.Inc();
      Close();
    } else if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
      Close();
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
      srv_.rejected_bad_request.Inc();
      Reject(400, "Bad Request");
    } else {
      Close();  // reset, cancelled, ...
    }
  }

  void OnRequest() {
    state_ = State::kHandling;
    Request request;
    bool keep_alive = true;
    bool head = false;
    int version = 11;
    // Owns a spooled body's file until the handler is done; then unlinks whatever is left.
    BodySink sink;
    {
      bhttp::request<SinkBody> msg = parser_->release();
      keep_alive = msg.keep_alive();
      head = msg.method() == bhttp::verb::head;
      version = msg.version();
      request.method = method_;
      request.target.assign(msg.target().data(), msg.target().size());
      request.headers.reserve(16);
      for (const auto& f : msg) {
        request.headers.emplace_back(std::string(f.name_string().data(), f.name_string().size()),
                                     std::string(f.value().data(), f.value().size()));
      }
      sink = std::move(msg.body());
      (void)sink.Finish();  // a body-less request's digest (the parser finished any other)
      if (sink.spooled()) {
        request.body_file = sink.path();
      } else {
        request.body = std::move(sink.memory());
      }
      request.body_size = sink.size();
      request.body_sha256 = sink.sha256_hex();
      request.remote_address = remote_address_;
      request.remote_port = remote_port_;
      request.version = version;
    }
    parser_.reset();
    bytes_in_ = request.body_size;

    Response resp;
    if (route_ == nullptr || !route_->handler) {
      resp = TextResponse(404, "Not Found\n");
    } else {
      try {
        resp = route_->handler(std::move(request));
      } catch (...) {
        resp = TextResponse(500, "Internal Server Error\n");
      }
    }
    sink = BodySink();
    if (resp.status < 100 || resp.status > 999) {
      resp = TextResponse(500, "Internal Server Error\n");
    }
    if (resp.file) {
      bool no_body = resp.status < 200 || resp.status == 204 || resp.status == 304;
      if (no_body) {
        resp.file.reset();
      } else if (!OpenFile(*resp.file, head)) {
        srv_.sm.file_errors.WithLabels({}).Inc();
        Response error = TextResponse(500, "Internal Server Error\n");
        error.service = std::move(resp.service);
        error.operation = std::move(resp.operation);
        resp = std::move(error);
      }
    }
    Prepare(std::move(resp), version, keep_alive, head);
    // Counted before the write, so that a client holding its response sees it counted.
    srv_.sm.requests.WithLabels({service_, operation_, outcome_}).Inc();
    srv_.sm.latency.WithLabels({service_})
        .Observe(std::chrono::duration<double>(Clock::now() - request_start_).count());
    DoWrite();
  }

  // Opens a response's file slice and checks that the file holds it. For a HEAD request, or an
  // empty slice, the file is only checked; otherwise file_fd_ is left open for DoWriteFile.
  bool OpenFile(const FileBody& file, bool head) {
    int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    uint64_t size = 0;
    bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (ok) size = static_cast<uint64_t>(st.st_size);
    ok = ok && file.offset <= size && file.length <= size - file.offset;
    if (!ok || head || file.length == 0) {
      ::close(fd);
      return ok;
    }
    ::posix_fadvise(fd, static_cast<off_t>(file.offset), static_cast<off_t>(file.length),
                    POSIX_FADV_SEQUENTIAL);
    file_fd_ = fd;
    file_offset_ = file.offset;
    file_remaining_ = file.length;
    return true;
  }

  // Fills res_ from a handler's response.
  void Prepare(Response resp, int version, bool keep_alive, bool head) {
    status_ = resp.status;
    service_ = resp.service.empty() ? "other" : std::move(resp.service);
    operation_ = resp.operation.empty() ? "other" : std::move(resp.operation);
    outcome_ =
        resp.outcome.empty() ? std::string(OutcomeForStatus(status_)) : std::move(resp.outcome);
    res_ = {};
    res_.result(static_cast<unsigned>(resp.status));
    res_.version(version);
    std::string_view date = HttpDate();
    res_.set(bhttp::field::date, beast::string_view(date.data(), date.size()));
    if (!srv_.opts.server_header.empty()) res_.set(bhttp::field::server, srv_.opts.server_header);
    std::optional<uint64_t> declared_length;
    bool close = false;
    for (auto& [name, value] : resp.headers) {
      if (name.empty() || HasCrLf(name) || HasCrLf(value)) continue;
      if (core::AsciiIEquals(name, "Content-Length")) {
        uint64_t n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec == std::errc() && end == value.data() + value.size()) declared_length = n;
        continue;
      }
      if (core::AsciiIEquals(name, "Connection")) {
        if (core::AsciiIEquals(value, "close")) close = true;
        continue;
      }
      if (core::AsciiIEquals(name, "Transfer-Encoding")) continue;
      res_.insert(name, value);
    }
    bool no_body = resp.status < 200 || resp.status == 204 || resp.status == 304;
    if (no_body) {
      resp.body.clear();
    } else if (resp.file) {
      // The bytes follow from the file (DoWriteFile); a HEAD response only announces them.
      res_.content_length(resp.file->length);
      resp.body.clear();
    } else if (head) {
      res_.content_length(declared_length.value_or(resp.body.size()));
      resp.body.clear();
    } else {
      res_.content_length(resp.body.size());
    }
    bytes_out_ = resp.body.size();
    res_.body() = std::move(resp.body);
    close_ = close || !keep_alive || srv_.stopping.load();
    res_.keep_alive(!close_);
  }

  // Answers an unreadable request, then closes (after draining what the client still sends).
  void Reject(int status, std::string_view reason) {
    rejected_ = true;
    std::string body(reason);
    body += '\n';
    parser_.reset();  // a spooled body's file goes with it
    Prepare(TextResponse(status, std::move(body)), 11, false, false);
    service_ = "http";
    operation_ = "reject";
    DoWrite();
  }

  void DoWrite() {
    state_ = State::kWriting;
    if (file_fd_ >= 0) {
      DoWriteFile();
      return;
    }
    stream_.expires_after(srv_.opts.write_timeout);
    bhttp::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnWrite(ec);
    });
  }

  // A file response: the header through Beast, then the file with sendfile(2) straight from the
  // page cache to the socket. The whole response has write_timeout plus the file's length at
  // min_body_rate, enforced by file_timer_ (the socket waits are not tcp_stream operations).
  void DoWriteFile() {
    file_deadline_ = Clock::now() + srv_.opts.write_timeout +
                     TransferAllowance(file_remaining_, srv_.opts.min_body_rate);
    file_timer_.expires_at(file_deadline_);
    file_timer_.async_wait(
        [self = shared_from_this(), gen = ++file_generation_](beast::error_code ec) {
          // A cancelled or stale expiry (a later response's) is not this response's timeout.
          if (ec || gen != self->file_generation_ || self->file_fd_ < 0 ||
              self->state_ != State::kWriting) {
            return;
          }
          self->srv_.rejected_timeout.Inc();
          self->Close();  // the pending wait or write completes with an error → FinishFile
        });
    // Header and the first file bytes in full segments.
    SetCork(stream_.socket().native_handle(), true);
    stream_.expires_at(file_deadline_);
    serializer_.emplace(res_);
    bhttp::async_write_header(stream_, *serializer_,
                              [self = shared_from_this()](beast::error_code ec, size_t) {
                                if (ec) {
                                  self->FinishFile(ec);
                                } else {
                                  self->SendFileSome();
                                }
                              });
  }

  void SendFileSome() {
    if (state_ == State::kClosed) {
      FinishFile(net::error::operation_aborted);
      return;
    }
    int sock = stream_.socket().native_handle();
    uint64_t turn = 0;
    while (file_remaining_ > 0) {
      if (!use_sendfile_) {
        ReadWriteSome();
        return;
      }
      if (turn >= kFileTurnBytes) {
        // Let the worker serve other connections; this one continues in its turn.
        net::post(stream_.get_executor(), [self = shared_from_this()] { self->SendFileSome(); });
        return;
      }
      off_t offset = static_cast<off_t>(file_offset_);
      size_t want = static_cast<size_t>(std::min(file_remaining_, kFileTurnBytes - turn));
      ssize_t n = ::sendfile(sock, file_fd_, &offset, want);
      if (n > 0) {
        Sent(static_cast<uint64_t>(n));
        turn += static_cast<uint64_t>(n);
        continue;
      }
      if (n == 0) {
        // The file shrank after it was opened: the response cannot be completed.
        FinishFile(boost::system::errc::make_error_code(boost::system::errc::io_error));
        return;
      }
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        stream_.socket().async_wait(tcp::socket::wait_write,
                                    [self = shared_from_this()](beast::error_code ec) {
                                      if (ec) {
                                        self->FinishFile(ec);
                                      } else {
                                        self->SendFileSome();
                                      }
                                    });
        return;
      }
      if (err == EINVAL || err == ENOSYS) {
        use_sendfile_ = false;  // a file system without splice support: copy instead
        continue;
      }
      FinishFile(beast::error_code(err, boost::system::system_category()));
      return;
    }
    FinishFile({});
  }

  // The fallback: pread a chunk, write it with the tcp_stream (file_timer_ keeps the deadline).
  void ReadWriteSome() {
    if (!file_chunk_) file_chunk_ = std::make_unique<char[]>(kFileFallbackChunk);
    size_t want = static_cast<size_t>(std::min<uint64_t>(file_remaining_, kFileFallbackChunk));
    ssize_t n;
    do {
      n = ::pread(file_fd_, file_chunk_.get(), want, static_cast<off_t>(file_offset_));
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
      FinishFile(boost::system::errc::make_error_code(boost::system::errc::io_error));
      return;
    }
    stream_.expires_never();
    net::async_write(stream_, net::buffer(file_chunk_.get(), static_cast<size_t>(n)),
                     [self = shared_from_this()](beast::error_code ec, size_t written) {
                       if (ec) {
                         self->FinishFile(ec);
                         return;
                       }
                       self->Sent(written);
                       self->SendFileSome();
                     });
  }

  void Sent(uint64_t n) {
    file_offset_ += n;
    file_remaining_ -= n;
    bytes_out_ += n;
  }

  void FinishFile(beast::error_code ec) {
    file_timer_.cancel();
    if (file_fd_ >= 0) ::close(file_fd_);
    file_fd_ = -1;
    file_remaining_ = 0;
    serializer_.reset();
    file_chunk_.reset();
    use_sendfile_ = srv_.opts.sendfile;
    if (!ec) SetCork(stream_.socket().native_handle(), false);
    OnWrite(ec);
  }

  void OnWrite(beast::error_code ec) {
    auto latency =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - request_start_);
    if (srv_.access_log) {
      AccessLogEntry e;
      e.method = method_;
      e.path = path_;
      e.status = status_;
      e.latency = latency;
      e.bytes_in = bytes_in_;
      e.bytes_out = bytes_out_;
      e.remote_address = remote_address_;
      e.service = service_;
      e.operation = operation_;
      try {
        srv_.access_log(e);
      } catch (...) {
      }
    }
    method_.clear();
    path_.clear();
    bytes_in_ = bytes_out_ = 0;
    route_ = nullptr;
    res_ = {};
    if (ec || state_ == State::kClosed) {
      Close();
    } else if (rejected_) {
      Drain();
    } else if (close_ || srv_.stopping.load()) {
      Close();
    } else {
      DoIdle();
    }
  }

  // Half-closes, then reads and discards for a moment so that the client sees the response
  // rather than a reset caused by unread data.
  void Drain() {
    state_ = State::kDraining;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    buffer_.consume(buffer_.size());
    stream_.expires_after(kDrainTimeout);
    DoDrain();
  }

  void DoDrain() {
    stream_.async_read_some(
        buffer_.prepare(kReadChunk), [self = shared_from_this()](beast::error_code ec, size_t n) {
          self->drained_ += n;
          if (ec || self->drained_ > kMaxDrainBytes || self->state_ == State::kClosed) {
            self->Close();
          } else {
            self->DoDrain();
          }
        });
  }

  ServerImpl& srv_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<SinkBody>> parser_;
  bhttp::response<bhttp::string_body> res_;
  State state_ = State::kIdle;
  const Route* route_ = nullptr;
  uint64_t body_limit_ = 0;
  bool chunked_ = false;
  Clock::time_point body_deadline_;
  bool close_ = false;
  bool rejected_ = false;
  uint64_t drained_ = 0;
  Clock::time_point request_start_;
  // A file response being sent (file_fd_ >= 0).
  net::steady_timer file_timer_;
  std::optional<bhttp::response_serializer<bhttp::string_body>> serializer_;
  int file_fd_ = -1;
  uint64_t file_offset_ = 0;
  uint64_t file_remaining_ = 0;
  Clock::time_point file_deadline_;
  uint64_t file_generation_ = 0;
  bool use_sendfile_ = srv_.opts.sendfile;
  std::unique_ptr<char[]> file_chunk_;
  // For accounting, kept across the request so the access log can use them.
  std::string method_;
  std::string path_;
  int status_ = 0;
  std::string service_;
  std::string operation_;
  std::string outcome_;
  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
  std::string remote_address_;
  uint16_t remote_port_ = 0;
};

void ServerImpl::Register(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(conns_mu);
  conns.emplace(c.get(), c);
}

void ServerImpl::Unregister(Connection* c) {
  {
    std::lock_guard lock(conns_mu);
    conns.erase(c);
  }
  nconns.fetch_sub(1);
  conns_cv.notify_all();
}

std::vector<std::shared_ptr<Connection>> ServerImpl::Snapshot() {
  std::vector<std::shared_ptr<Connection>> out;
  std::lock_guard lock(conns_mu);
  out.reserve(conns.size());
  for (auto& [raw, weak] : conns) {
    if (auto c = weak.lock()) out.push_back(std::move(c));
  }
  return out;
}

bool ServerImpl::WaitForConnections(std::chrono::milliseconds timeout) {
  std::unique_lock lock(conns_mu);
  return conns_cv.wait_for(lock, timeout, [&] { return nconns.load() == 0; });
}

core::Status ServerImpl::Listen() {
  std::lock_guard lock(control_mu);
  if (started) return core::Error(core::ErrorCode::kInternal, "server already started");
  return ListenLocked();
}

core::Status ServerImpl::ListenLocked() {
  if (acceptor) return core::Status::Ok();
  std::string host = opts.host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost" || host.empty()) host = "127.0.0.1";
  beast::error_code ec;
  net::ip::address addr = net::ip::make_address(host, ec);
  if (ec) {
    return core::Error(core::ErrorCode::kInvalidArgument,
                       "listen host must be an IP address: " + opts.host);
  }
  tcp::endpoint endpoint(addr, opts.port);
  std::string where = FormatAddress(addr, opts.port);
  acceptor.emplace(net::make_strand(ioc));
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec && addr.is_v6()) acceptor->set_option(net::ip::v6_only(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor.reset();
    return core::Error(core::ErrorCode::kInternal,
                       "cannot listen on " + where + ": " + ec.message());
  }
  tcp::endpoint local = acceptor->local_endpoint(ec);
  port = ec ? opts.port : local.port();
  bound_address = addr;
  return core::Status::Ok();
}

core::Status ServerImpl::Start() {
  std::lock_guard lock(control_mu);
  if (started) return core::Error(core::ErrorCode::kInternal, "server already started");
  if (auto s = ListenLocked(); !s.ok()) return s;
  accept_retry.emplace(acceptor->get_executor());
  work.emplace(net::make_work_guard(ioc));
  net::post(acceptor->get_executor(), [this] { DoAccept(); });
  int n = Threads();
  try {
    threads.reserve(n);
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([this] {
        tls_in_worker = true;
        for (;;) {
          try {
            ioc.run();
            break;
          } catch (...) {
            // A handler let an exception escape; keep serving.
          }
        }
      });
    }
  } catch (const std::exception& e) {
    started = true;  // so that Stop() joins the workers that did start
    return core::Error(core::ErrorCode::kInternal,
                       std::string("cannot start workers: ") + e.what());
  }
  started = true;
  return core::Status::Ok();
}

void ServerImpl::DoAccept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void ServerImpl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping.load() || !acceptor->is_open()) return;
  if (ec) {
    // Out of descriptors and the like: retry shortly rather than spin.
    accept_retry->expires_after(kAcceptRetry);
    accept_retry->async_wait([this](beast::error_code ec) {
      if (!ec && !stopping.load()) DoAccept();
    });
    return;
  }
  if (nconns.load() >= opts.max_connections) {
    rejected_conns.Inc();
    beast::error_code ignored;
    socket.close(ignored);
    DoAccept();
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  nconns.fetch_add(1);
  auto c = std::make_shared<Connection>(*this, std::move(socket));
  c->Start();
  DoAccept();
}

void ServerImpl::Stop() {
  if (tls_in_worker) {
    RequestStop(0);
    return;
  }
  std::lock_guard lock(control_mu);
  if (!started || stopped) return;
  stopped = true;
  stopping.store(true);
  net::post(acceptor->get_executor(), [this] {
    beast::error_code ec;
    acceptor->close(ec);
    accept_retry->cancel();
  });
  for (auto& c : Snapshot()) {
    net::post(c->executor(), [c] { c->Shutdown(); });
  }
  if (!WaitForConnections(opts.shutdown_timeout)) {
    for (auto& c : Snapshot()) {
      net::post(c->executor(), [c] { c->Close(); });
    }
    WaitForConnections(kForceCloseWait);
  }
  work.reset();
  ioc.stop();
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
  threads.clear();
  signals.reset();
  RequestStop(0);
}

void ServerImpl::RequestStop(int signal_number) {
  {
    std::lock_guard lock(stop_mu);
    if (!stop_requested) stop_signal = signal_number;
    stop_requested = true;
  }
  stop_cv.notify_all();
}

void ServerImpl::Wait() {
  std::unique_lock lock(stop_mu);
  stop_cv.wait(lock, [&] { return stop_requested; });
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_shared<ServerImpl>(std::move(options), std::move(handler))) {}

Server::~Server() { Stop(); }

void Server::AddRoute(std::string prefix, Handler handler, RouteOptions options) {
  impl_->router.AddPrefix(std::move(prefix), std::move(handler), options);
}

void Server::AddExactRoute(std::string path, Handler handler, RouteOptions options) {
  impl_->router.AddExact(std::move(path), std::move(handler), options);
}

void Server::SetAccessLog(AccessLogFn fn) { impl_->access_log = std::move(fn); }

core::Status Server::Listen() { return impl_->Listen(); }

core::Status Server::Start() { return impl_->Start(); }

uint16_t Server::port() const { return impl_->port; }

std::string Server::address() const { return FormatAddress(impl_->bound_address, impl_->port); }

void Server::Stop() { impl_->Stop(); }

void Server::RequestStop() { impl_->RequestStop(0); }

void Server::Wait() { impl_->Wait(); }

core::Status Server::HandleSignals() {
  std::lock_guard lock(impl_->control_mu);
  if (!impl_->started || impl_->stopped) {
    return core::Error(core::ErrorCode::kInternal, "server not running");
  }
  if (impl_->signals) return core::Status::Ok();
  beast::error_code ec;
  impl_->signals.emplace(impl_->ioc);
  impl_->signals->add(SIGINT, ec);
  if (!ec) impl_->signals->add(SIGTERM, ec);
  if (ec) {
    impl_->signals.reset();
    return core::Error(core::ErrorCode::kInternal, "cannot handle signals: " + ec.message());
  }
  impl_->signals->async_wait([impl = impl_.get()](beast::error_code ec, int signal_number) {
    if (!ec) impl->RequestStop(signal_number);
  });
  return core::Status::Ok();
}

int Server::RunUntilSignal() {
  if (!HandleSignals().ok()) return 0;
  Wait();
  Stop();
  std::lock_guard lock(impl_->stop_mu);
  return impl_->stop_signal;
}

int Server::StopSignal() const {
  std::lock_guard lock(impl_->stop_mu);
  return impl_->stop_signal;
}

MetricsRegistry& Server::metrics() { return impl_->registry; }

ServerMetrics& Server::server_metrics() { return impl_->sm; }

}  // namespace cpa::server::http
