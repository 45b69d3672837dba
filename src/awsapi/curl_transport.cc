#include "awsapi/curl_transport.h"

#include <curl/curl.h>

#include <mutex>
#include <string>

#include "core/encoding.h"

namespace cpa::awsapi {
namespace {

using core::ErrorCode;
using core::Status;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  HttpResponse* response;
  size_t max_bytes;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * count;
  if (sink->response->body.size() + n > sink->max_bytes) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->response->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new header block (after 100 Continue, or a proxy CONNECT): start over.
    sink->response->headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;  // the blank line, or junk
  std::string_view name = core::TrimAsciiWhitespace(line.substr(0, colon));
  std::string_view value = core::TrimAsciiWhitespace(line.substr(colon + 1));
  if (!name.empty()) sink->response->headers.emplace_back(name, value);
  return n;
}

// Transport failures that a retry may fix.
bool IsTransient(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

// The host of a URL, for messages (never the path or query).
std::string HostOf(const std::string& url) {
  auto parsed = Url::Parse(url);
  return parsed.ok() ? parsed->Origin() : std::string("(invalid URL)");
}

}  // namespace

CurlTransport::CurlTransport(CurlTransportOptions options) : options_(options) { GlobalInit(); }

CurlTransport::~CurlTransport() {
  for (void* h : pool_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* CurlTransport::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pool_.empty()) {
      void* h = pool_.back();
      pool_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void CurlTransport::Release(void* handle) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pool_.size() < options_.max_pooled_handles) {
      pool_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

core::Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  auto url = Url::Parse(request.url);
  if (!url.ok()) return url.status();
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) return Status(ErrorCode::kInternal, "libcurl: cannot create a handle");
  // Reset keeps the connection, DNS and TLS session caches of the handle.
  curl_easy_reset(curl);

  HttpResponse response;
  Sink sink{&response, options_.max_response_bytes};
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    std::string line = name + ": " + value;
    if (value.empty()) line = name + ";";  // libcurl's spelling of a header with an empty value
    headers = curl_slist_append(headers, line.c_str());
  }
  // No "Expect: 100-continue" round trip, and no default Accept header.
  headers = curl_slist_append(headers, "Expect:");
  if (!HttpResponse{0, request.headers, {}}.Header("accept")) {
    headers = curl_slist_append(headers, "Accept:");
  }

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.insecure_skip_verify ? 0L : 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.insecure_skip_verify ? 0L : 2L);
  if (!options_.ca_pem.empty()) {
    curl_blob ca{const_cast<char*>(options_.ca_pem.data()), options_.ca_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &ca);
    curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);  // trust the given CA only
  }
  if (!options_.client_cert_pem.empty()) {
    curl_blob cert{const_cast<char*>(options_.client_cert_pem.data()),
                   options_.client_cert_pem.size(), CURL_BLOB_COPY};
    curl_blob key{const_cast<char*>(options_.client_key_pem.data()), options_.client_key_pem.size(),
                  CURL_BLOB_COPY};
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(curl, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
    curl_easy_setopt(curl, CURLOPT_SSLKEY_BLOB, &key);
  }
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    if (request.method != "POST") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    if (request.method == "POST" || !request.body.empty()) {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    }
  }

  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    // A handle whose transfer failed may hold a broken connection; do not reuse it.
    curl_easy_cleanup(curl);
    std::string where = HostOf(request.url);
    if (sink.too_large) {
      return Status(ErrorCode::kInvalidArgument, "HTTP response from " + where + " exceeds " +
                                                     std::to_string(options_.max_response_bytes) +
                                                     " bytes");
    }
    std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
    return Status(IsTransient(rc) ? ErrorCode::kInternal : ErrorCode::kInvalidArgument,
                  "HTTP request to " + where + " failed: " + detail);
  }
  Release(curl);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace cpa::awsapi
