#include "server/console/console_handler.h"

#include <nlohmann/json.hpp>
#include <set>

#include "core/encoding.h"
#include "core/packages_registries.h"
#include "policy/compiled.h"
#include "policy/document.h"
#include "server/console/access_chain.h"

namespace cpa::server::console {

namespace {

using nlohmann::json;

constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// The operations the console may call. Everything else is refused before it reaches the API.
const std::set<std::string, std::less<>>& IamActions() {
  static const std::set<std::string, std::less<>> kActions = {
      "ListPolicies",
      "GetPolicy",
      "GetPolicyVersion",
      "ListPolicyVersions",
      "CreatePolicy",
      "DeletePolicy",
      "ListRoles",
      "GetRole",
      "CreateRole",
      "DeleteRole",
      "UpdateAssumeRolePolicy",
      "AttachRolePolicy",
      "DetachRolePolicy",
      "ListAttachedRolePolicies",
      "ListRolePolicies",
      "GetRolePolicy",
      "ListUsers",
      "GetUser",
      "CreateUser",
      "DeleteUser",
      "AttachUserPolicy",
      "DetachUserPolicy",
      "ListAttachedUserPolicies",
      "ListUserPolicies",
      "GetUserPolicy",
      "CreateAccessKey",
      "ListAccessKeys",
      "UpdateAccessKey",
      "DeleteAccessKey",
      "SimulatePrincipalPolicy",
      "SimulateCustomPolicy",
  };
  return kActions;
}

void SecurityHeaders(http::Response& r) {
  r.SetHeader("X-Content-Type-Options", "nosniff");
  r.SetHeader("Referrer-Policy", "no-referrer");
  r.SetHeader("X-Frame-Options", "DENY");
  // Scripts and data only from this origin. CodeMirror sets element styles at run time, hence
  // 'unsafe-inline' for styles (never for scripts).
  r.SetHeader("Content-Security-Policy",
              "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
              "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
              "frame-ancestors 'none'");
}

http::Response JsonReply(int status, const json& body, std::string_view operation) {
  http::Response r = http::JsonResponse(status, body.dump());
  r.SetHeader("Cache-Control", "no-store");
  r.service = "console";
  r.operation = std::string(operation);
  if (status >= 400 && body.is_object() && body.contains("error")) {
    r.outcome = body["error"].value("code", "");
  }
  return r;
}

http::Response ErrorJson(int status, std::string_view code, std::string_view message,
                         std::string_view operation) {
  return JsonReply(status, {{"error", {{"code", code}, {"message", message}}}}, operation);
}

bool IsSecure(const http::Request& request) {
  auto proto = request.Header("X-Forwarded-Proto");
  return proto && core::AsciiIEquals(*proto, "https");
}

// A state-changing request must come from a page of this origin: browsers send Origin (and
// Sec-Fetch-Site) with every cross-origin request, so a mismatch means another site's page.
bool SameOrigin(const http::Request& request) {
  if (auto site = request.Header("Sec-Fetch-Site")) {
    if (*site != "same-origin" && *site != "none") return false;
  }
  auto origin = request.Header("Origin");
  if (!origin) return true;
  auto host = request.Header("Host");
  if (!host) return false;
  std::string_view o = *origin;
  size_t scheme = o.find("://");
  if (scheme == std::string_view::npos) return false;
  return core::AsciiIEquals(o.substr(scheme + 3), *host);
}

bool IsJsonContent(const http::Request& request) {
  auto ct = request.Header("Content-Type");
  if (!ct) return false;
  std::string_view v = core::TrimAsciiWhitespace(ct->substr(0, ct->find(';')));
  return core::AsciiIEquals(v, "application/json");
}

bool IsRegionName(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

json SessionJson(const Session& s) {
  return {{"signedIn", true},          {"account", s.principal.account_id},
          {"arn", s.principal.arn},    {"userId", s.principal.user_id},
          {"csrfToken", s.csrf_token}, {"expiresAt", core::FormatIso8601(s.expires)}};
}

json Validate(const json& in) {
  const std::string document = in.value("document", "");
  const std::string kind_name = in.value("kind", "identity");
  const std::string limit = in.value("limit", "");
  policy::ParseOptions o;
  o.verbose = true;  // as `cpa policy check`
  if (kind_name == "identity") {
    o.kind = policy::PolicyKind::kIdentity;
  } else if (kind_name == "trust") {
    o.kind = policy::PolicyKind::kTrust;
  } else if (kind_name == "resource") {
    o.kind = policy::PolicyKind::kResource;
  } else {
    return {
        {"valid", false},
        {"error", {{"code", "InvalidArgument"}, {"message", "unknown kind '" + kind_name + "'"}}}};
  }
  if (limit.empty()) {
    o.quota = o.kind == policy::PolicyKind::kTrust ? policy::SizeQuota::kTrustPolicy
                                                   : policy::SizeQuota::kNone;
  } else if (limit == "managed") {
    o.quota = policy::SizeQuota::kManagedPolicy;
  } else if (limit == "trust") {
    o.quota = policy::SizeQuota::kTrustPolicy;
  } else if (limit == "role-inline") {
    o.quota = policy::SizeQuota::kRoleInline;
  } else if (limit == "user-inline") {
    o.quota = policy::SizeQuota::kUserInline;
  } else {
    o.quota = policy::SizeQuota::kNone;
  }
  auto fail = [](const core::Status& s) {
    return json{{"valid", false},
                {"error",
                 {{"code", std::string(core::ErrorCodeName(s.code()))}, {"message", s.message()}}}};
  };
  auto doc = policy::ParsePolicy(document, o);
  if (!doc.ok()) return fail(doc.status());
  // Compilation catches what parsing alone cannot (a malformed condition value).
  auto compiled = policy::CompiledPolicy::Compile(*doc, "policy");
  if (!compiled.ok()) return fail(compiled.status());
  json out = {{"valid", true},
              {"kind", std::string(policy::PolicyKindName(o.kind))},
              {"statements", doc->statements.size()},
              {"size", policy::PolicyQuotaSize(document)}};
  if (size_t q = policy::DefaultQuotaSize(o.quota); q > 0) out["quota"] = q;
  return out;
}

}  // namespace

http::RouteOptions ConsoleRouteOptions() {
  http::RouteOptions o;
  o.max_body_bytes = 1 << 20;
  return o;
}

ConsoleHandler::ConsoleHandler(ConsoleOptions options)
    : options_(std::move(options)),
      assets_(options_.asset_dir),
      sessions_(*options_.clock, *options_.random, options_.sessions),
      bridge_(options_.dispatch, *options_.clock) {}

ConsoleHandler::~ConsoleHandler() = default;

http::Response ConsoleHandler::Handle(http::Request&& request) {
  const std::string_view path = request.Path();
  http::Response r;
  if (path == kRoutePrefix) {
    r = http::TextResponse(301, "");
    r.SetHeader("Location", "/console/");
  } else if (path.substr(0, kRoutePrefix.size() + 1) != "/console/") {
    r = http::TextResponse(404, "not found\n");
  } else {
    std::string_view rest = path.substr(kRoutePrefix.size() + 1);
    r = rest.substr(0, 4) == "api/" ? Api(request, rest.substr(4)) : Page(request, rest);
  }
  SecurityHeaders(r);
  if (r.service.empty()) r.service = "console";
  if (r.operation.empty()) r.operation = "page";
  return r;
}

http::Response ConsoleHandler::Page(const http::Request& request, std::string_view rest) {
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response r = http::TextResponse(405, "GET only\n");
    r.SetHeader("Allow", "GET, HEAD");
    return r;
  }
  if (rest.empty() || rest == "index.html") {
    if (!assets_.available()) {
      return http::Response(
          503, "text/html; charset=utf-8",
          "<!doctype html><html lang=\"en\"><title>cpa console</title><h1>The console is not "
          "built</h1><p>cpa serve found no console files in <code>" +
              (assets_.dir().empty() ? std::string("(no directory)") : assets_.dir()) +
              "</code>. Run <code>make build</code>, or start <code>cpa serve</code> with "
              "<code>--console-dir</code>.</p></html>\n");
    }
    return assets_.Serve("index.html");
  }
  if (rest.substr(0, 7) == "assets/") return assets_.Serve(rest.substr(7));
  return http::TextResponse(404, "not found\n");
}

http::Response ConsoleHandler::SignIn(const http::Request& request) {
  json in = json::parse(request.body, nullptr, false);
  if (!in.is_object()) {
    return ErrorJson(400, "InvalidRequest", "The request body must be a JSON object.", "sign-in");
  }
  sigv4::Credentials creds;
  creds.access_key_id = std::string(core::TrimAsciiWhitespace(in.value("accessKeyId", "")));
  creds.secret_access_key = std::string(core::TrimAsciiWhitespace(in.value("secretAccessKey", "")));
  creds.session_token = std::string(core::TrimAsciiWhitespace(in.value("sessionToken", "")));
  if (creds.access_key_id.empty() || creds.secret_access_key.empty()) {
    return ErrorJson(400, "MissingParameter", "Enter an access key ID and a secret access key.",
                     "sign-in");
  }
  if (creds.access_key_id.size() > 128 || creds.secret_access_key.size() > 128 ||
      creds.session_token.size() > 4096) {
    return ErrorJson(400, "InvalidRequest", "The access key ID or secret access key is too long.",
                     "sign-in");
  }
  Reply who = bridge_.Query(creds, "sts", "GetCallerIdentity", {}, request.remote_address);
  if (!who.ok()) {
    return JsonReply(who.status == 403 || who.status == 400 ? 401 : who.status, who.body,
                     "sign-in");
  }
  const json& result = who.body["result"];
  Principal p;
  p.credentials = std::move(creds);
  p.account_id = result.value("Account", "");
  p.arn = result.value("Arn", "");
  p.user_id = result.value("UserId", "");
  auto [id, session] = sessions_.Create(std::move(p));
  http::Response r = JsonReply(200, SessionJson(session), "sign-in");
  r.headers.emplace_back("Set-Cookie",
                         SessionCookie(id, sessions_.options().max_lifetime, IsSecure(request)));
  return r;
}

http::Response ConsoleHandler::Api(const http::Request& request, std::string_view name) {
  const bool is_get = request.method == "GET" || request.method == "HEAD";
  if (!is_get && request.method != "POST") {
    return ErrorJson(405, "MethodNotAllowed", "Use GET or POST.", "other");
  }
  if (!is_get) {
    if (!SameOrigin(request)) {
      return ErrorJson(403, "InvalidOrigin", "The request did not come from the console's page.",
                       "other");
    }
    if (!IsJsonContent(request)) {
      return ErrorJson(415, "UnsupportedMediaType", "Send application/json.", "other");
    }
  }
  if (name == "regions" && is_get) {
    json regions = json::array();
    for (const auto& r : core::kPackagesRegistryAccounts) {
      regions.push_back({{"region", r.region}, {"account", r.account_id}});
    }
    return JsonReply(200, {{"regions", regions}}, "regions");
  }
  if (name == "sign-in") {
    if (is_get) return ErrorJson(405, "MethodNotAllowed", "Use POST.", "sign-in");
    return SignIn(request);
  }

  std::optional<std::string> cookie = CookieValue(request, kSessionCookieName);
  std::optional<Session> session;
  if (cookie) session = sessions_.Find(*cookie);
  if (name == "session" && is_get) {
    return session ? JsonReply(200, SessionJson(*session), "session")
                   : JsonReply(200, {{"signedIn", false}}, "session");
  }
  if (!session) {
    http::Response r = ErrorJson(401, "NotSignedIn", "Sign in to use the console.", "other");
    if (cookie) r.headers.emplace_back("Set-Cookie", ClearedSessionCookie(IsSecure(request)));
    return r;
  }
  if (is_get) return ErrorJson(405, "MethodNotAllowed", "Use POST.", "other");
  auto token = request.Header(kCsrfHeader);
  if (!token || !core::ConstantTimeEquals(*token, session->csrf_token)) {
    return ErrorJson(403, "InvalidCsrfToken",
                     "The request lacks the session's CSRF token (X-CSRF-Token); reload the page.",
                     "other");
  }
  if (name == "sign-out") {
    sessions_.Remove(*cookie);
    http::Response r = JsonReply(200, {{"signedIn", false}}, "sign-out");
    r.headers.emplace_back("Set-Cookie", ClearedSessionCookie(IsSecure(request)));
    return r;
  }

  json in = request.body.empty() ? json::object() : json::parse(request.body, nullptr, false);
  if (!in.is_object()) {
    return ErrorJson(400, "InvalidRequest", "The request body must be a JSON object.", "other");
  }
  const sigv4::Credentials& creds = session->principal.credentials;
  const std::string& remote = request.remote_address;

  if (name.substr(0, 4) == "iam/" || name.substr(0, 4) == "sts/") {
    std::string service(name.substr(0, 3));
    std::string_view action = name.substr(4);
    bool allowed =
        service == "iam" ? IamActions().count(action) > 0 : action == "GetCallerIdentity";
    if (!allowed) {
      return ErrorJson(404, "UnknownOperation",
                       "The console does not offer " + service + ":" + std::string(action) + ".",
                       service);
    }
    auto params = FlattenQueryParams(in);
    if (!params.ok()) return ErrorJson(400, "InvalidRequest", params.status().message(), service);
    Reply reply = bridge_.Query(creds, service, action, *params, remote);
    return JsonReply(reply.status, reply.body, service);
  }

  if (name.substr(0, 4) == "eks/") {
    std::string_view op = name.substr(4);
    const std::string region = in.value("region", "");
    if (!IsRegionName(region)) {
      return ErrorJson(400, "InvalidRequest", "Choose a Region (e.g. us-west-2).", "eks");
    }
    const std::string id = in.value("id", "");
    json body = in;
    body.erase("region");
    body.erase("id");
    Reply reply;
    if (op == "ListEksAnywhereSubscriptions") {
      std::string target = "/eks-anywhere-subscriptions?maxResults=100";
      if (in.contains("nextToken") && in["nextToken"].is_string()) {
        target += "&nextToken=" + core::UriEncode(in["nextToken"].get<std::string>());
      }
      reply = bridge_.RestJson(creds, "eks", region, "GET", target, "", remote);
    } else if (op == "CreateEksAnywhereSubscription") {
      reply = bridge_.RestJson(creds, "eks", region, "POST", "/eks-anywhere-subscriptions",
                               body.dump(), remote);
    } else if (op == "DescribeEksAnywhereSubscription" || op == "DeleteEksAnywhereSubscription") {
      if (id.empty()) return ErrorJson(400, "InvalidRequest", "Give the subscription id.", "eks");
      reply = bridge_.RestJson(creds, "eks", region,
                               op == "DescribeEksAnywhereSubscription" ? "GET" : "DELETE",
                               "/eks-anywhere-subscriptions/" + core::UriEncode(id), "", remote);
    } else {
      return ErrorJson(404, "UnknownOperation",
                       "The console does not offer eks:" + std::string(op) + ".", "eks");
    }
    return JsonReply(reply.status, reply.body, "eks");
  }

  if (name == "policy/validate") {
    if (!in.contains("document") || !in["document"].is_string()) {
      return ErrorJson(400, "InvalidRequest", "Give the policy document as a string.", "validate");
    }
    return JsonReply(200, Validate(in), "validate");
  }

  if (name == "chain/role" || name == "chain/check") {
    ChainContext ctx{bridge_,
                     creds,
                     session->principal,
                     remote,
                     options_.registry_dispatch,
                     options_.registry_domain};
    Reply reply = name == "chain/role" ? RoleAccessChain(ctx, in) : CheckConfigChain(ctx, in);
    return JsonReply(reply.status, reply.body, "chain");
  }
  return ErrorJson(404, "UnknownOperation", "No such console API.", "other");
}

}  // namespace cpa::server::console
