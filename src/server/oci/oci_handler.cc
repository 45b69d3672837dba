#include "server/oci/oci_handler.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "core/encoding.h"
#include "core/ids.h"
#include "core/registry_host.h"
#include "server/api/caller.h"
#include "server/api/query.h"
#include "server/api/request_context.h"
#include "server/oci/oci_error.h"

namespace cpa::server::oci {
namespace {

using core::ErrorCode;
using registry::RepositoryId;

// ---- media types ----
constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr std::string_view kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";

// ---- ECR's limits and messages ----
constexpr size_t kDefaultPageSize = 100;  // ListImages / DescribeRepositories default
constexpr size_t kMaxPageSize = 1000;     // their maxResults
constexpr std::string_view kRequestedImageNotFound = "Requested image not found";
constexpr std::string_view kUnsupportedOperation = "The operation is unsupported.";

// ---- routes ----
enum class RouteKind {
  kBase,      // /v2/
  kCatalog,   // /v2/_catalog
  kTags,      // /v2/<name>/tags/list
  kManifest,  // /v2/<name>/manifests/<reference>
  kBlob,      // /v2/<name>/blobs/<digest>
  kUploads,   // /v2/<name>/blobs/uploads/
  kUpload,    // /v2/<name>/blobs/uploads/<id>
  kUnknown,
};

struct Route {
  RouteKind kind = RouteKind::kUnknown;
  std::string name;
  std::string reference;  // tag or digest, blob digest, or upload id
};

std::string Join(const std::vector<std::string>& segments, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += '/';
    out += segments[i];
  }
  return out;
}

// Splits the path after "/v2/" into percent-decoded segments and recognises the endpoint from the
// end (repository names may have any number of components). Names and references are validated
// later, after authentication.
Route ParseRoute(std::string_view path) {
  Route r;
  if (!path.starts_with(kRoutePrefix)) return r;
  std::string_view rest = path.substr(kRoutePrefix.size());
  if (rest.empty()) {
    r.kind = RouteKind::kBase;
    return r;
  }
  if (rest == "_catalog") {
    r.kind = RouteKind::kCatalog;
    return r;
  }
  std::vector<std::string> seg;
  size_t start = 0;
  while (true) {
    size_t slash = rest.find('/', start);
    std::string_view raw =
        rest.substr(start, slash == std::string_view::npos ? rest.npos : slash - start);
    auto decoded = core::UriDecode(raw);
    if (!decoded.ok()) return r;
    seg.push_back(std::move(*decoded));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  const size_t n = seg.size();
  auto at = [&](size_t from_end) -> const std::string& { return seg[n - from_end]; };
  auto finish = [&](RouteKind kind, size_t name_segments, std::string reference) {
    r.name = Join(seg, name_segments);
    if (r.name.empty()) return;
    r.kind = kind;
    r.reference = std::move(reference);
  };
  if (n >= 3 && at(2) == "tags" && at(1) == "list") {
    finish(RouteKind::kTags, n - 2, "");
  } else if (n >= 3 && at(2) == "blobs" && at(1) == "uploads") {
    finish(RouteKind::kUploads, n - 2, "");
  } else if (n >= 4 && at(3) == "blobs" && at(2) == "uploads" && at(1).empty()) {
    finish(RouteKind::kUploads, n - 3, "");
  } else if (n >= 3 && at(2) == "blobs" && at(1).find(':') != std::string::npos) {
    finish(RouteKind::kBlob, n - 2, at(1));
  } else if (n >= 4 && at(3) == "blobs" && at(2) == "uploads") {
    finish(RouteKind::kUpload, n - 3, at(1));
  } else if (n >= 3 && at(2) == "manifests" && !at(1).empty()) {
    finish(RouteKind::kManifest, n - 2, at(1));
  } else if (n >= 3 && at(2) == "blobs" && !at(1).empty()) {
    finish(RouteKind::kBlob, n - 2, at(1));
  }
  return r;
}

// The accounting label of a request.
std::string OperationOf(RouteKind kind, std::string_view method, bool has_digest, bool has_mount) {
  switch (kind) {
    case RouteKind::kBase:
      return "ApiVersionCheck";
    case RouteKind::kCatalog:
      return "Catalog";
    case RouteKind::kTags:
      return "ListTags";
    case RouteKind::kManifest:
      if (method == "HEAD") return "HeadManifest";
      if (method == "PUT") return "PutManifest";
      if (method == "DELETE") return "DeleteManifest";
      return "GetManifest";
    case RouteKind::kBlob:
      if (method == "HEAD") return "HeadBlob";
      if (method == "DELETE") return "DeleteBlob";
      return "GetBlob";
    case RouteKind::kUploads:
      if (has_mount) return "MountBlob";
      return has_digest ? "UploadBlob" : "StartUpload";
    case RouteKind::kUpload:
      if (method == "PATCH") return "PatchUpload";
      if (method == "PUT") return "CompleteUpload";
      if (method == "DELETE") return "CancelUpload";
      return "GetUploadStatus";
    case RouteKind::kUnknown:
      break;
  }
  return "other";
}

// ---- query ----
using Query = std::map<std::string, std::string, std::less<>>;

// The first value of each parameter, percent-decoded ('+' stays '+': digests never have spaces).
// Parameters with bad escapes are dropped.
Query ParseQuery(std::string_view q) {
  Query out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = core::UriDecode(pair.substr(0, eq));
    auto value = core::UriDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!key.ok() || !value.ok()) continue;
    out.emplace(std::move(*key), std::move(*value));
  }
  return out;
}

std::optional<std::string_view> Param(const Query& q, std::string_view key) {
  auto it = q.find(key);
  if (it == q.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<uint64_t> ParseUint(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// ---- Accept ----
struct AcceptSet {
  bool any = false;  // no Accept header, or */* / application/*
  std::vector<std::string> types;
  bool Accepts(std::string_view media_type) const {
    if (any) return true;
    std::string t = core::AsciiLower(media_type);
    return std::find(types.begin(), types.end(), t) != types.end();
  }
};

// Every Accept field (Docker sends one per type), comma-separated media ranges; parameters are
// ignored except q=0, which excludes the range.
AcceptSet ParseAccept(const http::HeaderList& headers) {
  AcceptSet set;
  bool seen = false;
  for (const auto& [name, value] : headers) {
    if (!core::AsciiIEquals(name, "Accept")) continue;
    seen = true;
    std::string_view v = value;
    while (!v.empty()) {
      size_t comma = v.find(',');
      std::string_view item = v.substr(0, comma);
      v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
      std::string_view type = core::TrimAsciiWhitespace(item.substr(0, item.find(';')));
      if (type.empty()) continue;
      bool excluded = false;
      for (size_t semi = item.find(';'); semi != std::string_view::npos;
           semi = item.find(';', semi + 1)) {
        std::string_view param = item.substr(semi + 1);
        param = core::TrimAsciiWhitespace(param.substr(0, param.find(';')));
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
          std::string_view q = param.substr(2);
          excluded = !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;
        }
      }
      if (excluded) continue;
      std::string t = core::AsciiLower(type);
      if (t == "*/*" || t == "application/*") set.any = true;
      set.types.push_back(std::move(t));
    }
  }
  if (!seen) set.any = true;
  return set;
}

std::string NotAcceptedMessage(std::string_view media_type) {
  if (media_type == kOciManifest) {
    return "OCI manifest found, but accept header does not support OCI manifests";
  }
  if (media_type == kOciIndex) {
    return "OCI index found, but accept header does not support OCI indexes";
  }
  if (media_type == kDockerList) {
    return "manifest list found, but accept header does not support manifest lists";
  }
  if (media_type == kDockerManifest) {
    return "Docker manifest found, but accept header does not support Docker manifests";
  }
  return "manifest of type " + std::string(media_type) +
         " found, but accept header does not support it";
}

// The linux/amd64 entry of an image index or manifest list (distribution's choice for clients
// that cannot read indexes), or "".
std::string DefaultPlatformChild(std::string_view manifest) {
  nlohmann::json j = nlohmann::json::parse(manifest, nullptr, false);
  if (!j.is_object() || !j.contains("manifests") || !j["manifests"].is_array()) return "";
  auto is = [](const nlohmann::json& o, const char* key, std::string_view want) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() && it->get<std::string>() == want;
  };
  for (const auto& m : j["manifests"]) {
    if (!m.is_object()) continue;
    auto p = m.find("platform");
    auto d = m.find("digest");
    if (p == m.end() || !p->is_object() || d == m.end() || !d->is_string()) continue;
    if (is(*p, "os", "linux") && is(*p, "architecture", "amd64")) return d->get<std::string>();
  }
  return "";
}

// ---- ranges ----
struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};
enum class RangeResult { kWhole, kPartial, kUnsatisfiable };

// RFC 9110 §14: one "bytes=" range; anything malformed, or several ranges, is ignored (the whole
// blob is sent).
RangeResult ParseRange(std::string_view header, uint64_t size, ByteRange& out) {
  std::string_view h = core::TrimAsciiWhitespace(header);
  if (h.size() < 6 || !core::AsciiIEquals(h.substr(0, 6), "bytes=")) return RangeResult::kWhole;
  h = core::TrimAsciiWhitespace(h.substr(6));
  if (h.find(',') != std::string_view::npos) return RangeResult::kWhole;
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return RangeResult::kWhole;
  std::string_view first = core::TrimAsciiWhitespace(h.substr(0, dash));
  std::string_view last = core::TrimAsciiWhitespace(h.substr(dash + 1));
  if (first.empty()) {  // suffix: the last N bytes
    auto n = ParseUint(last);
    if (!n) return RangeResult::kWhole;
    if (*n == 0 || size == 0) return RangeResult::kUnsatisfiable;
    uint64_t len = std::min(*n, size);
    out = {size - len, len};
    return RangeResult::kPartial;
  }
  auto a = ParseUint(first);
  if (!a) return RangeResult::kWhole;
  uint64_t end = size == 0 ? 0 : size - 1;
  if (!last.empty()) {
    auto b = ParseUint(last);
    if (!b || *b < *a) return RangeResult::kWhole;
    end = std::min(*b, end);
  }
  if (*a >= size) return RangeResult::kUnsatisfiable;
  out = {*a, end - *a + 1};
  return RangeResult::kPartial;
}

// An upload chunk's Content-Range: "<start>-<end>" (inclusive), as the OCI specification writes
// it; "bytes " / "bytes=" prefixes and a "/<total>" suffix are tolerated.
std::optional<std::pair<uint64_t, uint64_t>> ParseContentRange(std::string_view v) {
  v = core::TrimAsciiWhitespace(v);
  if (v.size() >= 6 && core::AsciiIEquals(v.substr(0, 5), "bytes") &&
      (v[5] == ' ' || v[5] == '=')) {
    v = core::TrimAsciiWhitespace(v.substr(6));
  }
  v = v.substr(0, v.find('/'));
  size_t dash = v.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto a = ParseUint(core::TrimAsciiWhitespace(v.substr(0, dash)));
  auto b = ParseUint(core::TrimAsciiWhitespace(v.substr(dash + 1)));
  if (!a || !b || *b < *a) return std::nullopt;
  return std::make_pair(*a, *b);
}

// ---- responses ----
http::Response Empty(int status) {
  http::Response r;
  r.status = status;
  return r;
}

std::string RangeHeader(uint64_t size) { return "0-" + std::to_string(size == 0 ? 0 : size - 1); }

std::string BlobLocation(std::string_view name, std::string_view digest) {
  return "/v2/" + std::string(name) + "/blobs/" + std::string(digest);
}

void SetUploadHeaders(http::Response& r, std::string_view name, const registry::Upload& u) {
  r.SetHeader("Location", "/v2/" + std::string(name) + "/blobs/uploads/" + u.id);
  r.SetHeader("Range", RangeHeader(u.size));
  r.SetHeader("Docker-Upload-UUID", u.id);
}

http::Response BlobCreated(std::string_view name, std::string_view digest) {
  http::Response r = Empty(201);
  r.SetHeader("Location", BlobLocation(name, digest));
  r.SetHeader("Docker-Content-Digest", std::string(digest));
  return r;
}

core::Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Status(ErrorCode::kInternal, "cannot read the request body");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

uint64_t BodySize(const http::Request& r) {
  return r.body_file.empty() ? r.body.size() : r.body_size;
}

std::string ContentType(const http::Request& r) {
  auto ct = r.Header("Content-Type");
  if (!ct) return "";
  std::string_view v = *ct;
  return std::string(core::TrimAsciiWhitespace(v.substr(0, v.find(';'))));
}

const api::QueryParams& NoParams() {
  static const api::QueryParams kNone;
  return kNone;
}

}  // namespace

// Per-request state.
struct OciHandler::Call {
  Call(http::Request& r, OciHandler* handler) : request(r), self(handler) {}

  http::Request& request;
  std::string host;  // the Host header as sent (the challenge's realm)
  core::RegistryHost registry_host;
  Route route;
  Query query;
  std::string operation;
  core::TimePoint now;
  api::Caller caller;
  std::unique_ptr<api::RequestContext> ctx;
  RepositoryId repo;
  // The repository's policy, once looked up (nullptr: none, or no repository).
  std::optional<std::shared_ptr<const policy::CompiledPolicy>> policy;
  OciHandler* self = nullptr;

  http::Response Fail(const OciError& e) const { return OciErrorResponse(e, host); }
  http::Response Fail(const core::Status& s, OciContext c) const { return Fail(ToOciError(s, c)); }
  http::Response Fail(int status, std::string code, std::string message) const {
    return Fail(OciError{status, std::move(code), std::move(message), {}});
  }

  // Authorizes `action` on `id` with its effective policy (none when the repository does not
  // exist, so another account's missing repository is a plain denial).
  core::Status Authorize(const RepositoryId& id, std::string_view action) {
    std::shared_ptr<const policy::CompiledPolicy> compiled;
    const bool own =
        id.account_id == repo.account_id && id.region == repo.region && id.name == repo.name;
    if (own && policy) {
      compiled = *policy;
    } else {
      auto p = self->options_.registry->RepositoryPolicy(id, now);
      if (p.ok()) {
        compiled = p->compiled;
      } else if (p.status().code() != ErrorCode::kRepositoryNotFound) {
        return p.status();
      }
      if (own) policy = compiled;
    }
    return ctx->Authorize(action, id.Arn(), compiled.get());
  }
  core::Status Authorize(std::string_view action) { return Authorize(repo, action); }
};

http::RouteOptions RouteOptionsFor(std::string spool_dir, uint64_t max_body_bytes) {
  http::RouteOptions o;
  o.max_body_bytes = max_body_bytes;
  o.spool_dir = std::move(spool_dir);
  return o;
}

OciHandler::OciHandler(OciHandlerOptions options) : options_(std::move(options)) {}

http::Response OciHandler::Handle(http::Request&& request) {
  std::string host_header(request.Header("Host").value_or(""));
  auto registry_host = core::ParseRegistryHost(host_header, options_.registry->registry_domain());
  if (!registry_host || registry_host->kind != core::RegistryKind::kPrivate) {
    if (options_.not_registry) return options_.not_registry(std::move(request));
    http::Response r = OciErrorResponse(
        OciError{404,
                 "NAME_UNKNOWN",
                 "'" + host_header + "' is not an ECR registry host; use <account>.dkr.ecr." +
                     "<region>." + options_.registry->registry_domain(),
                 {}});
    r.service = "registry";
    r.operation = "other";
    return r;
  }

  Call call(request, this);
  call.host = std::move(host_header);
  call.registry_host = std::move(*registry_host);
  call.route = ParseRoute(request.Path());
  call.query = ParseQuery(request.Query());
  call.operation = OperationOf(call.route.kind, request.method, call.query.contains("digest"),
                               call.query.contains("mount"));
  call.now = options_.clock->Now();

  http::Response r;
  try {
    r = Dispatch(request, call);
  } catch (const std::exception&) {
    r = call.Fail(500, "UNKNOWN", "internal error");
  }
  r.SetHeader(std::string(kApiVersionHeader), std::string(kApiVersion));
  r.service = "registry";
  if (r.operation.empty()) r.operation = call.operation;
  if (r.outcome.empty()) r.outcome = r.status < 400 ? "success" : "error";
  return r;
}

http::Response OciHandler::Dispatch(http::Request& request, Call& call) {
  // 1. Credentials: ECR's Basic challenge for any /v2 request without them.
  auto auth = request.Header("Authorization");
  if (!auth) return ChallengeResponse(call.host);
  auto password = registry::TokenCodec::PasswordFromAuthorization(*auth);
  if (!password.ok()) {
    if (password.status().code() == ErrorCode::kMissingAuthenticationToken) {
      return ChallengeResponse(call.host);
    }
    return call.Fail(401, "UNAUTHORIZED", "The authorization token is invalid.");
  }
  auto claims = options_.tokens->Verify(*password, call.now);
  if (!claims.ok()) {
    if (claims.status().code() == ErrorCode::kExpiredToken) {
      return call.Fail(ToOciError(claims.status()));
    }
    return call.Fail(401, "UNAUTHORIZED", "The authorization token is invalid.");
  }
  auto cred = options_.store->LookupCredential(claims->access_key_id);
  if (!cred.ok() || !(*cred)->active) {
    return call.Fail(401, "UNAUTHORIZED",
                     "The security token included in the authorization token is invalid.");
  }
  if ((*cred)->ExpiredAt(call.now)) {
    return call.Fail(ToOciError(core::Status(ErrorCode::kExpiredToken, "")));
  }
  call.caller = api::CallerFromCredential(*cred);
  core::IdGenerator ids(options_.random != nullptr ? *options_.random : core::DefaultRandom());
  call.ctx = std::make_unique<api::RequestContext>(
      call.caller, NoParams(), ids.Uuid(), call.registry_host.region, request.remote_address,
      call.now, *options_.authorizer, options_.audit, options_.metrics);

  // 2. The endpoint and method.
  const std::string& m = request.method;
  auto not_allowed = [&](std::string_view allow) {
    http::Response r = call.Fail(405, "UNSUPPORTED", std::string(kUnsupportedOperation));
    r.SetHeader("Allow", std::string(allow));
    return r;
  };
  const RouteKind kind = call.route.kind;
  if (kind == RouteKind::kUnknown) {
    return call.Fail(404, "UNSUPPORTED",
                     "Unknown registry endpoint " + std::string(request.Path()));
  }
  if (kind == RouteKind::kBase) {
    if (m != "GET" && m != "HEAD") return not_allowed("GET, HEAD");
    return Base(call);
  }
  if (kind == RouteKind::kCatalog) {
    if (m != "GET") return not_allowed("GET");
    return Catalog(call);
  }

  // 3. The repository: <account>/<region> of the host, name from the path.
  if (auto st = registry::Registry::ValidateRepositoryName(call.route.name); !st.ok()) {
    return call.Fail(400, "NAME_INVALID", st.message());
  }
  call.repo =
      RepositoryId{call.registry_host.account_id, call.registry_host.region, call.route.name};
  switch (kind) {
    case RouteKind::kTags:
      if (m != "GET") return not_allowed("GET");
      return Tags(call);
    case RouteKind::kManifest:
      if (m == "GET" || m == "HEAD") return GetManifest(call, m == "HEAD");
      if (m == "PUT") return PutManifest(call);
      if (m == "DELETE") return DeleteManifest(call);
      return not_allowed("GET, HEAD, PUT, DELETE");
    case RouteKind::kBlob:
      if (m == "GET" || m == "HEAD") return GetBlob(call, m == "HEAD");
      // DELETE too: ECR has no blob deletion (layers go with their images).
      return not_allowed("GET, HEAD");
    case RouteKind::kUploads:
      if (m != "POST") return not_allowed("POST");
      return StartUpload(call);
    case RouteKind::kUpload:
      if (m == "GET") return UploadStatus(call);
      if (m == "PATCH") return PatchUpload(call);
      if (m == "PUT") return CompleteUpload(call);
      if (m == "DELETE") return CancelUpload(call);
      return not_allowed("GET, PATCH, PUT, DELETE");
    default:
      break;
  }
  return call.Fail(404, "UNSUPPORTED", "Unknown registry endpoint");
}

// ---- /v2/ ----
http::Response OciHandler::Base(Call&) { return http::Response(200, "application/json", "{}"); }

// ---- pagination ----
namespace {

// `n`: absent → ECR's default page; 0 → an empty page (OCI); above ECR's maxResults → ECR's
// UNSUPPORTED error.
core::Result<size_t> PageSize(const Query& q) {
  auto n = Param(q, "n");
  if (!n) return kDefaultPageSize;
  auto v = ParseUint(*n);
  if (!v) {
    return core::Status(ErrorCode::kInvalidArgument,
                        "Invalid parameter at 'maxResults' failed to satisfy constraint: "
                        "'Member must be a non-negative integer'");
  }
  if (*v > kMaxPageSize) {
    return core::Status(ErrorCode::kInvalidArgument,
                        "Invalid parameter at 'maxResults' failed to satisfy constraint: "
                        "'Member must have value less than or equal to 1000'");
  }
  return static_cast<size_t>(*v);
}

std::string NextLink(std::string_view path, size_t n, std::string_view last) {
  return "<" + std::string(path) + "?n=" + std::to_string(n) + "&last=" + core::UriEncode(last) +
         ">; rel=\"next\"";
}

}  // namespace

// ---- /v2/_catalog ----
// The repositories of the host's registry that the caller may describe
// (ecr:DescribeRepositories on each, with its policy), in name order.
http::Response OciHandler::Catalog(Call& call) {
  auto n = PageSize(call.query);
  if (!n.ok()) return call.Fail(n.status(), OciContext::kList);
  std::string after(Param(call.query, "last").value_or(""));
  std::vector<std::string> names;
  bool more = false;
  while (*n > 0) {
    auto page = options_.registry->ListRepositories(call.registry_host.account_id,
                                                    call.registry_host.region, {after, *n});
    if (!page.ok()) return call.Fail(page.status(), OciContext::kList);
    if (page->items.empty()) break;
    size_t i = 0;
    for (; i < page->items.size() && names.size() < *n; ++i) {
      const registry::Repository& repo = page->items[i];
      after = repo.id.name;
      core::Status st = call.Authorize(repo.id, "ecr:DescribeRepositories");
      if (st.ok()) {
        names.push_back(repo.id.name);
      } else if (st.code() != ErrorCode::kAccessDenied) {
        return call.Fail(st, OciContext::kList);
      }
    }
    if (names.size() == *n) {
      more = i < page->items.size() || page->more;
      break;
    }
    if (!page->more) break;
  }
  nlohmann::json body = {{"repositories", names}};
  http::Response r(200, "application/json", body.dump());
  if (more && !names.empty()) r.SetHeader("Link", NextLink("/v2/_catalog", *n, names.back()));
  return r;
}

// ---- /v2/<name>/tags/list ----
http::Response OciHandler::Tags(Call& call) {
  auto n = PageSize(call.query);
  if (!n.ok()) return call.Fail(n.status(), OciContext::kList);
  if (auto st = call.Authorize("ecr:ListImages"); !st.ok()) {
    return call.Fail(st, OciContext::kList);
  }
  std::vector<std::string> tags;
  bool more = false;
  if (*n == 0) {
    auto repo = options_.registry->GetRepository(call.repo);
    if (!repo.ok()) return call.Fail(repo.status(), OciContext::kList);
  } else {
    registry::ListRequest lr;
    lr.after = std::string(Param(call.query, "last").value_or(""));
    lr.limit = *n;
    auto page = options_.registry->ListImageTags(call.repo, lr);
    if (!page.ok()) return call.Fail(page.status(), OciContext::kList);
    tags = std::move(page->items);
    more = page->more;
  }
  nlohmann::json body = {{"name", call.repo.name}, {"tags", tags}};
  http::Response r(200, "application/json", body.dump());
  if (more && !tags.empty()) {
    r.SetHeader("Link", NextLink("/v2/" + call.repo.name + "/tags/list", *n, tags.back()));
  }
  return r;
}

// ---- manifests ----
namespace {

// A reference is a digest when it has the algorithm separator, else a tag.
core::Result<registry::ImageRef> ParseReference(std::string_view reference) {
  registry::ImageRef ref;
  if (reference.find(':') != std::string_view::npos) {
    CPA_RETURN_IF_ERROR(registry::Registry::ValidateDigest(reference));
    ref.digest = std::string(reference);
  } else {
    CPA_RETURN_IF_ERROR(registry::Registry::ValidateTag(reference));
    ref.tag = std::string(reference);
  }
  return ref;
}

http::Response ManifestResponse(const registry::Image& image, bool head) {
  std::string type = image.media_type.empty() ? std::string(kOciManifest) : image.media_type;
  http::Response r(200, type, head ? std::string() : image.manifest);
  r.SetHeader("Docker-Content-Digest", image.digest);
  r.SetHeader("ETag", "\"" + image.digest + "\"");
  if (head) r.SetHeader("Content-Length", std::to_string(image.manifest.size()));
  return r;
}

}  // namespace

// GET/HEAD: ecr:BatchGetImage. Content negotiation (README.md): the stored manifest when the
// client accepts its type (no Accept, or a wildcard, counts as accepting); else, by tag, an index's
// linux/amd64 child if that is accepted; else MANIFEST_UNKNOWN with distribution's message.
http::Response OciHandler::GetManifest(Call& call, bool head) {
  auto ref = ParseReference(call.route.reference);
  if (!ref.ok()) {
    bool digest = call.route.reference.find(':') != std::string::npos;
    return call.Fail(400, digest ? "DIGEST_INVALID" : "TAG_INVALID", ref.status().message());
  }
  if (auto st = call.Authorize("ecr:BatchGetImage"); !st.ok()) {
    return call.Fail(st, OciContext::kManifest);
  }
  auto not_found = [&](const core::Status& st) {
    if (st.code() == ErrorCode::kImageNotFound) {
      return call.Fail(404, "MANIFEST_UNKNOWN", std::string(kRequestedImageNotFound));
    }
    return call.Fail(st, OciContext::kManifest);
  };
  AcceptSet accept = ParseAccept(call.request.headers);
  // A pull is recorded only for a manifest that is served: at once when any type is accepted,
  // else once negotiation has chosen.
  const bool record_now = !head && accept.any;
  auto image = options_.registry->GetImage(call.repo, *ref, record_now);
  if (!image.ok()) return not_found(image.status());
  if (accept.Accepts(image->media_type)) {
    if (!head && !record_now) {
      (void)options_.registry->GetImage(call.repo, {image->digest, ""}, true);
    }
    return ManifestResponse(*image, head);
  }
  const bool is_index = image->media_type == kOciIndex || image->media_type == kDockerList;
  if (is_index && !ref->tag.empty()) {
    std::string child_digest = DefaultPlatformChild(image->manifest);
    if (!child_digest.empty()) {
      auto child = options_.registry->GetImage(call.repo, {child_digest, ""}, false);
      if (child.ok() && accept.Accepts(child->media_type)) {
        if (!head) (void)options_.registry->GetImage(call.repo, {child->digest, ""}, true);
        return ManifestResponse(*child, head);
      }
    }
  }
  return call.Fail(404, "MANIFEST_UNKNOWN", NotAcceptedMessage(image->media_type));
}

// PUT: ecr:PutImage. The manifest is validated and stored by Registry::PutImage; pushing the same
// manifest under the same tag again succeeds (as a docker push does against ECR).
http::Response OciHandler::PutManifest(Call& call) {
  auto ref = ParseReference(call.route.reference);
  if (!ref.ok()) {
    bool digest = call.route.reference.find(':') != std::string::npos;
    return call.Fail(400, digest ? "DIGEST_INVALID" : "TAG_INVALID", ref.status().message());
  }
  if (auto st = call.Authorize("ecr:PutImage"); !st.ok()) {
    return call.Fail(st, OciContext::kManifestPut);
  }
  http::Request& req = call.request;
  if (BodySize(req) > options_.max_manifest_bytes) {
    return call.Fail(
        413, "MANIFEST_INVALID",
        "The manifest is larger than " + std::to_string(options_.max_manifest_bytes) + " bytes.");
  }
  std::string manifest;
  if (!req.body_file.empty()) {
    auto bytes = ReadWholeFile(req.body_file);
    if (!bytes.ok()) return call.Fail(bytes.status(), OciContext::kManifestPut);
    manifest = std::move(*bytes);
  } else {
    manifest = std::move(req.body);
  }
  if (manifest.empty()) {
    return call.Fail(400, "MANIFEST_INVALID", "The manifest is empty.");
  }
  std::string digest;
  auto image =
      options_.registry->PutImage(call.repo, manifest, ContentType(req), ref->tag, ref->digest);
  if (image.ok()) {
    digest = image->digest;
  } else if (image.status().code() == ErrorCode::kImageAlreadyExists) {
    digest = "sha256:" + core::Sha256Hex(manifest);
  } else {
    return call.Fail(image.status(), OciContext::kManifestPut);
  }
  http::Response r = Empty(201);
  r.SetHeader("Location", "/v2/" + call.repo.name + "/manifests/" + digest);
  r.SetHeader("Docker-Content-Digest", digest);
  return r;
}

// DELETE: ecr:BatchDeleteImage, with its semantics: a digest deletes the image and its tags; a tag
// is removed, and the image with it when that was its last tag.
http::Response OciHandler::DeleteManifest(Call& call) {
  auto ref = ParseReference(call.route.reference);
  if (!ref.ok()) {
    bool digest = call.route.reference.find(':') != std::string::npos;
    return call.Fail(400, digest ? "DIGEST_INVALID" : "TAG_INVALID", ref.status().message());
  }
  if (auto st = call.Authorize("ecr:BatchDeleteImage"); !st.ok()) {
    return call.Fail(st, OciContext::kManifest);
  }
  auto fail = [&](const core::Status& st) {
    if (st.code() == ErrorCode::kImageNotFound) {
      return call.Fail(404, "MANIFEST_UNKNOWN", std::string(kRequestedImageNotFound));
    }
    return call.Fail(st, OciContext::kManifest);
  };
  if (!ref->digest.empty()) {
    if (auto st = options_.registry->DeleteImage(call.repo, ref->digest); !st.ok()) return fail(st);
    return Empty(202);
  }
  auto image = options_.registry->GetImage(call.repo, *ref);
  if (!image.ok()) return fail(image.status());
  if (auto st = options_.registry->UntagImage(call.repo, ref->tag); !st.ok()) return fail(st);
  auto after = options_.registry->GetImage(call.repo, {image->digest, ""});
  if (after.ok() && after->tags.empty()) {
    if (auto st = options_.registry->DeleteImage(call.repo, image->digest);
        !st.ok() && st.code() != ErrorCode::kImageNotFound) {
      return fail(st);
    }
  }
  return Empty(202);
}

// ---- blobs ----
// GET: ecr:GetDownloadUrlForLayer; HEAD: ecr:BatchCheckLayerAvailability. The bytes are sent
// from the blob's file (sendfile); one byte range is honoured (206), an unsatisfiable one is 416.
http::Response OciHandler::GetBlob(Call& call, bool head) {
  const std::string& digest = call.route.reference;
  if (auto st = registry::Registry::ValidateDigest(digest); !st.ok()) {
    return call.Fail(400, "DIGEST_INVALID", st.message());
  }
  if (auto st =
          call.Authorize(head ? "ecr:BatchCheckLayerAvailability" : "ecr:GetDownloadUrlForLayer");
      !st.ok()) {
    return call.Fail(st, OciContext::kBlob);
  }
  auto file = options_.registry->OpenBlob(call.repo, digest);
  if (!file.ok()) return call.Fail(file.status(), OciContext::kBlob);
  http::Response r(200, "application/octet-stream", "");
  r.SetHeader("Docker-Content-Digest", file->digest);
  r.SetHeader("ETag", "\"" + file->digest + "\"");
  r.SetHeader("Accept-Ranges", "bytes");
  r.SetHeader("Cache-Control", "max-age=31536000");
  ByteRange range{0, file->size};
  if (auto h = call.request.Header("Range"); h && !head) {
    switch (ParseRange(*h, file->size, range)) {
      case RangeResult::kWhole:
        range = {0, file->size};
        break;
      case RangeResult::kPartial:
        r.status = 206;
        r.SetHeader("Content-Range", "bytes " + std::to_string(range.offset) + "-" +
                                         std::to_string(range.offset + range.length - 1) + "/" +
                                         std::to_string(file->size));
        break;
      case RangeResult::kUnsatisfiable: {
        http::Response e = call.Fail(416, "BLOB_UNKNOWN",
                                     "The requested range is not satisfiable for a blob of " +
                                         std::to_string(file->size) + " bytes.");
        e.SetHeader("Content-Range", "bytes */" + std::to_string(file->size));
        return e;
      }
    }
  }
  r.file = http::FileBody{file->path, range.offset, range.length};
  return r;
}

// ---- uploads ----
namespace {

// Appends the request body (in memory or spooled) to the upload; `start` from Content-Range.
core::Result<registry::Upload> AppendBody(registry::Registry& reg, const RepositoryId& repo,
                                          std::string_view upload_id, http::Request& req,
                                          std::optional<uint64_t> start) {
  if (!req.body_file.empty()) {
    return reg.AppendUploadFile(repo, upload_id, start, req.body_file);
  }
  return reg.AppendUpload(repo, upload_id, start, req.body);
}

// The chunk's start from Content-Range, checked against the body's length. nullopt start: no
// Content-Range (a streamed chunk).
core::Result<std::optional<uint64_t>> ChunkStart(const http::Request& req) {
  auto h = req.Header("Content-Range");
  if (!h) return std::optional<uint64_t>();
  auto range = ParseContentRange(*h);
  if (!range) {
    return core::Status(ErrorCode::kInvalidArgument,
                        "Content-Range must be <start>-<end>, got '" + std::string(*h) + "'");
  }
  if (range->second - range->first + 1 != BodySize(req)) {
    return core::Status(ErrorCode::kValidationError,
                        "Content-Range " + std::string(*h) + " does not match the " +
                            std::to_string(BodySize(req)) + " bytes of the chunk");
  }
  return std::optional<uint64_t>(range->first);
}

}  // namespace

// POST /blobs/uploads/: ecr:InitiateLayerUpload.
//   ?mount=<digest>&from=<repo>: a blob of another repository of this registry the caller may
//     download (ecr:GetDownloadUrlForLayer on it, as ECR requires), with the same encryption, is
//     mounted (201); otherwise an upload session starts (202), as the specification allows.
//   ?digest=<digest>: the body is the whole blob (also ecr:UploadLayerPart and
//     ecr:CompleteLayerUpload); 201.
//   otherwise: a new upload session (202, Location, Range, Docker-Upload-UUID).
http::Response OciHandler::StartUpload(Call& call) {
  http::Request& req = call.request;
  registry::Registry& reg = *options_.registry;
  auto mount = Param(call.query, "mount");
  auto digest = Param(call.query, "digest");
  if (auto st = call.Authorize("ecr:InitiateLayerUpload"); !st.ok()) {
    return call.Fail(st, OciContext::kUpload);
  }

  if (mount) {
    if (auto st = registry::Registry::ValidateDigest(*mount); !st.ok()) {
      return call.Fail(400, "DIGEST_INVALID", st.message());
    }
    auto from = Param(call.query, "from");
    if (from && registry::Registry::ValidateRepositoryName(*from).ok() && *from != call.repo.name) {
      RepositoryId source{call.repo.account_id, call.repo.region, std::string(*from)};
      auto target_repo = reg.GetRepository(call.repo);
      auto source_repo = reg.GetRepository(source);
      bool same_encryption = target_repo.ok() && source_repo.ok() &&
                             target_repo->encryption_type == source_repo->encryption_type &&
                             target_repo->kms_key == source_repo->kms_key;
      if (same_encryption && call.Authorize(source, "ecr:GetDownloadUrlForLayer").ok()) {
        auto mounted = reg.MountBlob(call.repo, source, *mount);
        if (mounted.ok()) {
          http::Response r = BlobCreated(call.repo.name, mounted->digest);
          r.operation = "MountBlob";
          return r;
        }
      }
    }
    // Not mountable: an upload session instead.
    auto upload = reg.StartUpload(call.repo);
    if (!upload.ok()) return call.Fail(upload.status(), OciContext::kUpload);
    http::Response r = Empty(202);
    SetUploadHeaders(r, call.repo.name, *upload);
    r.operation = "StartUpload";
    return r;
  }

  if (digest) {
    if (auto st = registry::Registry::ValidateDigest(*digest); !st.ok()) {
      return call.Fail(400, "DIGEST_INVALID", st.message());
    }
    for (std::string_view action : {"ecr:UploadLayerPart", "ecr:CompleteLayerUpload"}) {
      if (auto st = call.Authorize(action); !st.ok()) return call.Fail(st, OciContext::kUpload);
    }
  } else if (BodySize(req) > 0) {
    // A body without a digest is taken as the first chunk.
    if (auto st = call.Authorize("ecr:UploadLayerPart"); !st.ok()) {
      return call.Fail(st, OciContext::kUpload);
    }
  }
  auto upload = reg.StartUpload(call.repo);
  if (!upload.ok()) return call.Fail(upload.status(), OciContext::kUpload);
  auto discard = [&](const core::Status& st) {
    (void)reg.CancelUpload(call.repo, upload->id);
    return call.Fail(st, OciContext::kUpload);
  };
  if (BodySize(req) > 0) {
    auto appended = AppendBody(reg, call.repo, upload->id, req, std::nullopt);
    if (!appended.ok()) return discard(appended.status());
    *upload = std::move(*appended);
  }
  if (digest) {
    auto blob = reg.CompleteUpload(call.repo, upload->id, *digest);
    if (!blob.ok()) return discard(blob.status());
    return BlobCreated(call.repo.name, blob->digest);
  }
  http::Response r = Empty(202);
  SetUploadHeaders(r, call.repo.name, *upload);
  return r;
}

// PATCH: ecr:UploadLayerPart. A chunk with Content-Range must start where the upload stands (416
// otherwise, with the upload's Range); without one it is appended (streamed upload).
http::Response OciHandler::PatchUpload(Call& call) {
  if (auto st = call.Authorize("ecr:UploadLayerPart"); !st.ok()) {
    return call.Fail(st, OciContext::kUpload);
  }
  registry::Registry& reg = *options_.registry;
  const std::string& id = call.route.reference;
  auto start = ChunkStart(call.request);
  if (!start.ok()) {
    if (start.status().code() == ErrorCode::kValidationError) {
      return call.Fail(400, "SIZE_INVALID", start.status().message());
    }
    return call.Fail(400, "BLOB_UPLOAD_INVALID", start.status().message());
  }
  auto upload = BodySize(call.request) > 0 ? AppendBody(reg, call.repo, id, call.request, *start)
                                           : reg.GetUpload(call.repo, id);
  if (!upload.ok()) {
    http::Response r = call.Fail(upload.status(), OciContext::kUpload);
    if (upload.status().code() == ErrorCode::kInvalidLayerPart) {
      if (auto now = reg.GetUpload(call.repo, id); now.ok()) {
        SetUploadHeaders(r, call.repo.name, *now);
      }
    }
    return r;
  }
  // An empty chunk must still start where the upload stands.
  if (BodySize(call.request) == 0 && *start && **start != upload->size) {
    http::Response r = call.Fail(416, "BLOB_UPLOAD_INVALID",
                                 "The chunk does not start at " + std::to_string(upload->size));
    SetUploadHeaders(r, call.repo.name, *upload);
    return r;
  }
  http::Response r = Empty(202);
  SetUploadHeaders(r, call.repo.name, *upload);
  return r;
}

// PUT ?digest=: ecr:CompleteLayerUpload (and ecr:UploadLayerPart for a final chunk in the body).
http::Response OciHandler::CompleteUpload(Call& call) {
  registry::Registry& reg = *options_.registry;
  const std::string& id = call.route.reference;
  auto digest = Param(call.query, "digest");
  if (!digest) {
    return call.Fail(400, "DIGEST_INVALID", "The digest query parameter is required.");
  }
  if (auto st = registry::Registry::ValidateDigest(*digest); !st.ok()) {
    return call.Fail(400, "DIGEST_INVALID", st.message());
  }
  const bool chunk = BodySize(call.request) > 0;
  if (chunk) {
    if (auto st = call.Authorize("ecr:UploadLayerPart"); !st.ok()) {
      return call.Fail(st, OciContext::kUpload);
    }
  }
  if (auto st = call.Authorize("ecr:CompleteLayerUpload"); !st.ok()) {
    return call.Fail(st, OciContext::kUpload);
  }
  if (chunk) {
    auto start = ChunkStart(call.request);
    if (!start.ok()) {
      bool size = start.status().code() == ErrorCode::kValidationError;
      return call.Fail(400, size ? "SIZE_INVALID" : "BLOB_UPLOAD_INVALID",
                       start.status().message());
    }
    auto appended = AppendBody(reg, call.repo, id, call.request, *start);
    if (!appended.ok()) return call.Fail(appended.status(), OciContext::kUpload);
  }
  auto blob = reg.CompleteUpload(call.repo, id, *digest);
  if (!blob.ok()) return call.Fail(blob.status(), OciContext::kUpload);
  return BlobCreated(call.repo.name, blob->digest);
}

// GET: the upload's progress (204, Location, Range). Authorized as ecr:UploadLayerPart, the
// action of the upload it reports on.
http::Response OciHandler::UploadStatus(Call& call) {
  if (auto st = call.Authorize("ecr:UploadLayerPart"); !st.ok()) {
    return call.Fail(st, OciContext::kUpload);
  }
  auto upload = options_.registry->GetUpload(call.repo, call.route.reference);
  if (!upload.ok()) return call.Fail(upload.status(), OciContext::kUpload);
  http::Response r = Empty(204);
  SetUploadHeaders(r, call.repo.name, *upload);
  return r;
}

// DELETE: cancels the upload (204). Authorized as ecr:UploadLayerPart.
http::Response OciHandler::CancelUpload(Call& call) {
  if (auto st = call.Authorize("ecr:UploadLayerPart"); !st.ok()) {
    return call.Fail(st, OciContext::kUpload);
  }
  if (auto st = options_.registry->CancelUpload(call.repo, call.route.reference); !st.ok()) {
    return call.Fail(st, OciContext::kUpload);
  }
  return Empty(204);
}

}  // namespace cpa::server::oci
