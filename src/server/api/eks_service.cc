#include "server/api/eks_service.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/arn.h"
#include "core/aws_error.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "policy/context.h"
#include "server/api/json_protocol.h"
#include "server/store/packages_accounts.h"

namespace cpa::server::api {

namespace {

using nlohmann::json;
using Tags = std::map<std::string, std::string>;

constexpr std::string_view kSubscriptionsPath = "/eks-anywhere-subscriptions";
constexpr std::string_view kTagsPath = "/tags/";

enum class Op { kNone, kCreate, kList, kDescribe, kUpdate, kDelete, kTag, kUntag, kListTags };

struct Route {
  Op op = Op::kNone;
  std::string_view label;  // the raw (still percent-encoded) {id} or {resourceArn}
};

Route Match(std::string_view method, std::string_view path) {
  Route r;
  if (path.substr(0, kSubscriptionsPath.size()) == kSubscriptionsPath) {
    std::string_view rest = path.substr(kSubscriptionsPath.size());
    if (rest.empty()) {
      r.op = method == "POST" ? Op::kCreate : method == "GET" ? Op::kList : Op::kNone;
    } else if (rest.front() == '/' && rest.find('/', 1) == std::string_view::npos) {
      r.label = rest.substr(1);
      r.op = method == "GET"      ? Op::kDescribe
             : method == "POST"   ? Op::kUpdate
             : method == "DELETE" ? Op::kDelete
                                  : Op::kNone;
    }
  } else if (path.substr(0, kTagsPath.size()) == kTagsPath && path.size() > kTagsPath.size()) {
    // The label is the rest of the path: an ARN whose '/' a client left unencoded still works.
    r.label = path.substr(kTagsPath.size());
    r.op = method == "POST"     ? Op::kTag
           : method == "DELETE" ? Op::kUntag
           : method == "GET"    ? Op::kListTags
                                : Op::kNone;
  }
  return r;
}

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kCreate:
      return "CreateEksAnywhereSubscription";
    case Op::kList:
      return "ListEksAnywhereSubscriptions";
    case Op::kDescribe:
      return "DescribeEksAnywhereSubscription";
    case Op::kUpdate:
      return "UpdateEksAnywhereSubscription";
    case Op::kDelete:
      return "DeleteEksAnywhereSubscription";
    case Op::kTag:
      return "TagResource";
    case Op::kUntag:
      return "UntagResource";
    case Op::kListTags:
      return "ListTagsForResource";
    case Op::kNone:
      break;
  }
  return "";
}

bool IsTagOp(Op op) { return op == Op::kTag || op == Op::kUntag || op == Op::kListTags; }

// The query string's parameters in order, repeated keys kept.
core::Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!q.empty()) {
    std::string_view part = q.substr(0, q.find('&'));
    q.remove_prefix(std::min(q.size(), part.size() + 1));
    if (part.empty()) continue;
    size_t eq = part.find('=');
    CPA_ASSIGN_OR_RETURN(std::string key, core::UriDecode(part.substr(0, eq), true));
    std::string value;
    if (eq != std::string_view::npos) {
      CPA_ASSIGN_OR_RETURN(value, core::UriDecode(part.substr(eq + 1), true));
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// TagMap's constraints: 1..50 entries (0 allowed when `allow_empty`), keys 1..128 characters not
// starting with the reserved "aws:", values strings of at most 256 characters. "" when valid.
std::string ReadTags(const json& in, bool allow_empty, Tags& out) {
  if (!in.is_object()) return "tags must be a map of strings to strings.";
  if (in.empty() && !allow_empty) return "tags must contain at least 1 tag.";
  if (in.size() > static_cast<size_t>(store::kMaxTagsPerSubscription)) {
    return "tags must contain at most " + std::to_string(store::kMaxTagsPerSubscription) + " tags.";
  }
  for (const auto& [k, v] : in.items()) {
    if (k.empty() || Utf8Length(k) > 128) return "Tag keys must be 1 to 128 characters long.";
    if (core::AsciiLower(k.substr(0, 4)) == "aws:") {
      return "Tag keys starting with aws: are reserved: " + k;
    }
    if (!v.is_string()) return "The value of tag " + k + " must be a string.";
    const std::string& value = v.get_ref<const std::string&>();
    if (Utf8Length(value) > 256) return "Tag values must be at most 256 characters long.";
    out[k] = value;
  }
  return "";
}

void AddRequestTags(const Tags& tags, policy::ContextKeys& keys) {
  std::vector<std::string> names;
  for (const auto& [k, v] : tags) {
    keys.Set("aws:RequestTag/" + k, v);
    names.push_back(k);
  }
  keys.SetList("aws:TagKeys", std::move(names));
}

void AddResourceTags(const Tags& tags, policy::ContextKeys& keys) {
  for (const auto& [k, v] : tags) keys.Set("aws:ResourceTag/" + k, v);
}

// One request being served: its operation and the answers in EKS's forms.
class Call {
 public:
  Call(Op op, RequestContext& ctx) : op_(op), ctx_(ctx) {}

  http::Response Ok(const json& body) const {
    http::Response r = JsonSuccess(kRestJson, body, ctx_.request_id());
    r.operation = std::string(OpName(op_));
    return r;
  }
  http::Response Error(std::string_view code, int status, std::string_view message,
                       std::string_view subscription_id = {}) const {
    json extra = nullptr;
    if (!subscription_id.empty()) extra = {{"subscriptionId", subscription_id}};
    http::Response r = JsonError(kRestJson, code, status, message, ctx_.request_id(), extra);
    r.operation = std::string(OpName(op_));
    return r;
  }
  // Input errors: the tag operations' BadRequestException, the others' InvalidParameterException.
  http::Response BadInput(std::string_view message) const {
    return IsTagOp(op_) ? Error("BadRequestException", 400, message)
                        : Error("InvalidParameterException", 400, message);
  }
  http::Response NotFound(std::string_view id) const {
    std::string message = "No subscription found with id: " + std::string(id);
    return IsTagOp(op_) ? Error("NotFoundException", 404, message)
                        : Error("ResourceNotFoundException", 404, message, id);
  }
  http::Response FromStatus(const core::Status& s, std::string_view subscription_id = {}) const {
    if (IsTagOp(op_)) {
      switch (s.code()) {
        case core::ErrorCode::kNotFound:
          return Error("NotFoundException", 404, s.message());
        case core::ErrorCode::kInvalidArgument:
        case core::ErrorCode::kLimitExceeded:
        case core::ErrorCode::kMalformedArn:
          return Error("BadRequestException", 400, s.message());
        default:
          break;
      }
    }
    core::AwsError e = core::ToAwsError(s.code(), core::Protocol::kRestJson);
    const bool with_id = e.code == "ResourceNotFoundException" ||
                         e.code == "InvalidParameterException" ||
                         e.code == "ResourceLimitExceededException";
    return Error(e.code, e.http_status, s.message(), with_id ? subscription_id : "");
  }

 private:
  Op op_;
  RequestContext& ctx_;
};

// The body as a JSON object ({} when empty), or nullopt.
std::optional<json> BodyObject(const http::Request& request) {
  if (request.body.empty()) return json::object();
  json j = json::parse(request.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

// An integer member within [min, max]: "" when valid (or absent and optional), else the error.
std::string ReadInt(const json& body, const char* key, bool required, int64_t min, int64_t max,
                    std::optional<int64_t>& out, std::string_view where = {}) {
  std::string name = std::string(where) + key;
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    return required ? name + " is required." : "";
  }
  if (!it->is_number_integer()) return name + " must be an integer.";
  int64_t v =
      it->is_number_unsigned() && it->get<uint64_t>() > INT64_MAX ? INT64_MAX : it->get<int64_t>();
  if (v < min || v > max) {
    return name + " must be between " + std::to_string(min) + " and " + std::to_string(max) + ".";
  }
  out = v;
  return "";
}

std::string ReadString(const json& body, const char* key, bool required,
                       std::optional<std::string>& out, std::string_view where = {}) {
  std::string name = std::string(where) + key;
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return required ? name + " is required." : "";
  if (!it->is_string()) return name + " must be a string.";
  out = it->get<std::string>();
  return "";
}

std::string ReadBool(const json& body, const char* key, bool required, std::optional<bool>& out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    return required ? std::string(key) + " is required." : "";
  }
  if (!it->is_boolean()) return std::string(key) + " must be a boolean.";
  out = it->get<bool>();
  return "";
}

}  // namespace

EksService::EksService(store::Store& store, EksServiceOptions options)
    : store_(store), options_(std::move(options)) {}

std::string EksService::OperationOf(const http::Request& request) const {
  return std::string(OpName(Match(request.method, request.Path()).op));
}

std::string EksService::PackageRegistry(std::string_view region) const {
  auto account = store::PackagesAccountForRegion(region);
  if (!account) return "";
  return std::string(*account) + ".dkr.ecr." + std::string(region) + "." + options_.registry_domain;
}

http::Response EksService::ErrorResponse(std::string_view operation, std::string_view code,
                                         int http_status, std::string_view message,
                                         const std::string& request_id) const {
  http::Response r = JsonError(kRestJson, code, http_status, message, request_id);
  r.operation = operation.empty() ? "other" : std::string(operation);
  return r;
}

namespace {

json LicenseArnsJson(const store::Subscription& s) {
  json a = json::array();
  for (auto& arn : s.LicenseArns()) a.push_back(std::move(arn));
  return a;
}

json LicensesJson(const store::Subscription& s) {
  json a = json::array();
  for (const auto& l : s.licenses) a.push_back({{"id", l.id}, {"token", l.token}});
  return a;
}

json TagsJson(const Tags& tags) {
  json t = json::object();
  for (const auto& [k, v] : tags) t[k] = v;
  return t;
}

}  // namespace

http::Response EksService::Handle(const http::Request& request, RequestContext& ctx) {
  const Route route = Match(request.method, request.Path());
  const Call call(route.op, ctx);
  const Caller& caller = ctx.caller();
  const std::string& region = ctx.region();
  auto& subs = store_.subscriptions();

  auto view = [&](const store::Subscription& s) {
    json j = {{"id", s.id},
              {"arn", s.arn},
              {"name", s.name},
              {"createdAt", EpochSeconds(s.created_at)},
              {"effectiveDate", EpochSeconds(s.effective_date)},
              {"expirationDate", EpochSeconds(s.expiration_date)},
              {"licenseQuantity", s.license_quantity},
              {"licenseType", s.license_type},
              {"term", {{"duration", s.term.duration}, {"unit", s.term.unit}}},
              {"status", s.status},
              {"autoRenew", s.auto_renew},
              {"licenseArns", LicenseArnsJson(s)},
              {"licenses", LicensesJson(s)},
              {"tags", TagsJson(s.tags)}};
    std::string registry = PackageRegistry(s.region);
    if (!registry.empty()) j["packageRegistry"] = registry;
    return j;
  };

  std::string label;
  if (!route.label.empty()) {
    auto decoded = core::UriDecode(route.label);
    if (!decoded.ok()) return call.BadInput("The request path has an invalid percent escape.");
    label = std::move(*decoded);
  }

  switch (route.op) {
    case Op::kNone:
      return call.Error("UnknownOperationException", 400, "");

    case Op::kCreate: {
      auto body = BodyObject(request);
      if (!body) return call.BadInput("The request body is not a JSON object.");
      std::optional<std::string> name, unit, license_type, token;
      std::optional<int64_t> duration, quantity;
      std::optional<bool> auto_renew;
      std::string err = ReadString(*body, "name", true, name);
      if (err.empty()) {
        auto term = body->find("term");
        if (term == body->end() || term->is_null()) {
          err = "term is required.";
        } else if (!term->is_object()) {
          err = "term must be an object with duration and unit.";
        } else {
          err = ReadInt(*term, "duration", true, INT32_MIN, INT32_MAX, duration, "term.");
          if (err.empty()) err = ReadString(*term, "unit", true, unit, "term.");
        }
      }
      if (err.empty()) {
        err = ReadInt(*body, "licenseQuantity", false, INT32_MIN, INT32_MAX, quantity);
      }
      if (err.empty()) err = ReadString(*body, "licenseType", false, license_type);
      if (err.empty()) err = ReadBool(*body, "autoRenew", false, auto_renew);
      if (err.empty()) err = ReadString(*body, "clientRequestToken", false, token);
      Tags tags;
      if (err.empty() && body->contains("tags") && !(*body)["tags"].is_null()) {
        err = ReadTags((*body)["tags"], true, tags);
      }
      if (!err.empty()) return call.BadInput(err);

      store::NewSubscription n;
      n.account_id = caller.account_id;
      n.region = region;
      n.name = *name;
      n.term.duration = static_cast<int>(*duration);
      n.term.unit = *unit;
      n.license_quantity = static_cast<int>(quantity.value_or(1));
      // The model's enum says "Cluster", EKS's documentation and outputs "CLUSTER".
      n.license_type = license_type.value_or("CLUSTER");
      if (n.license_type == "Cluster") n.license_type = "CLUSTER";
      n.auto_renew = auto_renew.value_or(false);
      n.tags = tags;
      n.client_request_token = token;
      // The id comes first: a Create with tags authorizes eks:TagResource on the new ARN.
      n.id = core::IdGenerator(core::DefaultRandom()).Uuid();

      policy::ContextKeys keys;
      if (!tags.empty()) AddRequestTags(tags, keys);
      if (auto s = ctx.Authorize("eks:CreateEksAnywhereSubscription", "*", nullptr, &keys);
          !s.ok()) {
        return call.FromStatus(s);
      }
      if (!tags.empty()) {
        const std::string arn = store::SubscriptionArn(region, caller.account_id, n.id);
        if (auto s = ctx.Authorize("eks:TagResource", arn, nullptr, &keys); !s.ok()) {
          return call.FromStatus(s);
        }
      }
      if (PackageRegistry(region).empty()) {
        return call.BadInput("EKS Anywhere subscriptions are not available in region " + region +
                             ".");
      }
      auto created = subs.Create(n);
      if (!created.ok()) return call.FromStatus(created.status());
      json j = view(created->subscription);
      if (!created->replayed) {
        // As EKS answers a new subscription: still being provisioned, licenses to come.
        j["status"] = "CREATING";
        j["licenseArns"] = json::array();
        j["licenses"] = json::array();
      }
      return call.Ok({{"subscription", std::move(j)}});
    }

    case Op::kList: {
      auto params = ParseQuery(request.Query());
      if (!params.ok()) return call.BadInput("The query string has an invalid percent escape.");
      store::ListSubscriptionsRequest req;
      req.account_id = caller.account_id;
      req.region = region;
      static const std::vector<std::string_view> kStatuses = {"CREATING", "ACTIVE",  "UPDATING",
                                                              "EXPIRING", "EXPIRED", "DELETING"};
      for (const auto& [k, v] : *params) {
        if (k == "maxResults") {
          int64_t n = 0;
          bool digits = !v.empty() && v.size() <= 9;
          for (char c : v) {
            digits = digits && c >= '0' && c <= '9';
            if (digits) n = n * 10 + (c - '0');
          }
          if (!digits || n < 1 || n > store::kMaxListSubscriptions) {
            return call.BadInput("maxResults must be an integer between 1 and " +
                                 std::to_string(store::kMaxListSubscriptions) + ".");
          }
          req.max_results = static_cast<int>(n);
        } else if (k == "nextToken") {
          req.next_token = v;
        } else if (k == "includeStatus") {
          if (std::find(kStatuses.begin(), kStatuses.end(), v) == kStatuses.end()) {
            return call.BadInput("includeStatus " + v +
                                 " is not one of CREATING, ACTIVE, UPDATING, EXPIRING, EXPIRED, "
                                 "DELETING.");
          }
          req.include_status.push_back(v);
        }
      }
      if (auto s = ctx.Authorize("eks:ListEksAnywhereSubscriptions", "*"); !s.ok()) {
        return call.FromStatus(s);
      }
      auto page = subs.List(req);
      if (!page.ok()) return call.FromStatus(page.status());
      json list = json::array();
      for (const auto& s : page->items) list.push_back(view(s));
      json out = {{"subscriptions", std::move(list)}};
      if (!page->next_token.empty()) out["nextToken"] = page->next_token;
      return call.Ok(out);
    }

    case Op::kDescribe:
    case Op::kUpdate:
    case Op::kDelete: {
      std::optional<bool> auto_renew;
      if (route.op == Op::kUpdate) {
        auto body = BodyObject(request);
        if (!body) return call.BadInput("The request body is not a JSON object.");
        std::optional<std::string> token;
        std::string err = ReadBool(*body, "autoRenew", true, auto_renew);
        if (err.empty()) err = ReadString(*body, "clientRequestToken", false, token);
        if (!err.empty()) return call.BadInput(err);
      }
      // The resource's tags take part in the decision; a missing one is authorized without
      // them, so that a denial does not tell whether it exists.
      auto found = subs.Get(caller.account_id, region, label);
      if (!found.ok() && found.status().code() != core::ErrorCode::kNotFound) {
        return call.FromStatus(found.status(), label);
      }
      policy::ContextKeys keys;
      if (found.ok()) AddResourceTags(found->tags, keys);
      const std::string arn = store::SubscriptionArn(region, caller.account_id, label);
      const std::string action = "eks:" + std::string(OpName(route.op));
      if (auto s = ctx.Authorize(action, arn, nullptr, &keys); !s.ok()) return call.FromStatus(s);
      if (!found.ok()) return call.NotFound(label);

      if (route.op == Op::kDescribe) return call.Ok({{"subscription", view(*found)}});
      if (route.op == Op::kUpdate) {
        if (found->status != store::kSubscriptionActive) {
          return call.Error("InvalidRequestException", 400,
                            "Subscription " + label + " is " + found->status +
                                "; only an ACTIVE subscription can be updated.",
                            label);
        }
        auto updated = subs.UpdateAutoRenew(caller.account_id, region, label, *auto_renew);
        if (!updated.ok()) return call.FromStatus(updated.status(), label);
        return call.Ok({{"subscription", view(*updated)}});
      }
      // Delete: only expired (or inactive) subscriptions; active ones are cancelled through
      // AWS Support within 7 days of creation.
      if (found->status == store::kSubscriptionActive) {
        return call.Error(
            "InvalidRequestException", 400,
            "Subscription " + label + " is ACTIVE; only an expired subscription can be deleted.",
            label);
      }
      auto deleted = subs.Delete(caller.account_id, region, label);
      if (!deleted.ok()) return call.FromStatus(deleted.status(), label);
      json j = view(*deleted);
      j["status"] = "DELETING";
      return call.Ok({{"subscription", std::move(j)}});
    }

    case Op::kTag:
    case Op::kUntag:
    case Op::kListTags: {
      auto arn = core::Arn::Parse(label);
      if (!arn.ok() || arn->service != "eks") {
        return call.BadInput(label + " is not a valid EKS resource ARN.");
      }
      Tags tags;
      std::vector<std::string> keys_to_remove;
      if (route.op == Op::kTag) {
        auto body = BodyObject(request);
        if (!body) return call.BadInput("The request body is not a JSON object.");
        auto it = body->find("tags");
        if (it == body->end() || it->is_null()) return call.BadInput("tags is required.");
        if (std::string err = ReadTags(*it, false, tags); !err.empty()) {
          return call.BadInput(err);
        }
      } else if (route.op == Op::kUntag) {
        auto params = ParseQuery(request.Query());
        if (!params.ok()) return call.BadInput("The query string has an invalid percent escape.");
        for (const auto& [k, v] : *params) {
          if (k == "tagKeys") keys_to_remove.push_back(v);
        }
        if (keys_to_remove.empty()) return call.BadInput("tagKeys is required.");
        if (keys_to_remove.size() > static_cast<size_t>(store::kMaxTagsPerSubscription)) {
          return call.BadInput("tagKeys must contain at most 50 keys.");
        }
        for (const auto& k : keys_to_remove) {
          if (k.empty() || Utf8Length(k) > 128) {
            return call.BadInput("Tag keys must be 1 to 128 characters long.");
          }
        }
      }
      // Subscriptions are the only EKS resources here; they are found in the caller's account
      // and the request's region.
      std::string id;
      if (arn->ResourceType() == "eks-anywhere-subscription" && arn->account == caller.account_id &&
          arn->region == region) {
        id = std::string(arn->ResourceId());
      }
      std::optional<store::Subscription> found;
      if (!id.empty()) {
        auto g = subs.Get(caller.account_id, region, id);
        if (g.ok()) {
          found = std::move(*g);
        } else if (g.status().code() != core::ErrorCode::kNotFound) {
          return call.FromStatus(g.status());
        }
      }
      policy::ContextKeys keys;
      if (found) AddResourceTags(found->tags, keys);
      if (route.op == Op::kTag) AddRequestTags(tags, keys);
      if (route.op == Op::kUntag) keys.SetList("aws:TagKeys", keys_to_remove);
      const std::string action = "eks:" + std::string(OpName(route.op));
      if (auto s = ctx.Authorize(action, label, nullptr, &keys); !s.ok()) {
        return call.FromStatus(s);
      }
      if (!found) return call.Error("NotFoundException", 404, "Resource " + label + " not found.");

      if (route.op == Op::kListTags) return call.Ok({{"tags", TagsJson(found->tags)}});
      auto changed = route.op == Op::kTag
                         ? subs.Tag(caller.account_id, region, id, tags)
                         : subs.Untag(caller.account_id, region, id, keys_to_remove);
      if (!changed.ok()) return call.FromStatus(changed.status());
      return call.Ok(json::object());
    }
  }
  return call.Error("UnknownOperationException", 400, "");
}

}  // namespace cpa::server::api
