#include "server/api/ecr_service.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/arn.h"
#include "core/aws_error.h"
#include "core/encoding.h"
#include "server/api/json_protocol.h"
#include "server/registry/blob_store.h"
#include "server/registry/manifest.h"

namespace cpa::server::api {

using core::ErrorCode;
using core::Result;
using core::Status;
using nlohmann::json;
namespace reg = registry;

namespace {

constexpr size_t kDefaultPageSize = 100;
constexpr size_t kMaxTags = 50;
constexpr size_t kMaxPolicyText = 10240;
constexpr size_t kMaxLayerPart = 20 * 1024 * 1024;
constexpr std::string_view kDigestPattern = "[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+";

struct EcrError {
  std::string code;
  int status = 400;
  std::string message;
  json extra;
};

// One request being served: its context, decoded input, and the ECR error an operation chose
// when a core::Status code does not name it.
struct Call {
  RequestContext& ctx;
  const json& in;
  std::optional<EcrError> error;

  Status Fail(std::string code, std::string message, json extra = nullptr) {
    error = EcrError{std::move(code), 400, message, std::move(extra)};
    return Status(ErrorCode::kInvalidArgument, std::move(message));
  }
  Status Invalid(std::string_view member, std::string_view constraint) {
    return Fail("InvalidParameterException", "Invalid parameter at '" + std::string(member) +
                                                 "' failed to satisfy constraint: '" +
                                                 std::string(constraint) + "'");
  }
  Status Serialization(std::string_view member, std::string_view expected) {
    return Fail("SerializationException", "Unexpected value for member '" + std::string(member) +
                                              "': expected " + std::string(expected));
  }
};

// ---- input ----

const json* Find(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::optional<std::string>> OptString(Call& c, const json& obj, const char* name) {
  const json* v = Find(obj, name);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return c.Serialization(name, "a string");
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::string> ReqString(Call& c, const json& obj, const char* name) {
  CPA_ASSIGN_OR_RETURN(std::optional<std::string> v, OptString(c, obj, name));
  if (!v) return c.Invalid(name, "must not be null");
  return *v;
}

Result<std::optional<bool>> OptBool(Call& c, const json& obj, const char* name) {
  const json* v = Find(obj, name);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return c.Serialization(name, "a boolean");
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<int64_t>> OptInt(Call& c, const json& obj, const char* name) {
  const json* v = Find(obj, name);
  if (v == nullptr) return std::optional<int64_t>();
  if (!v->is_number_integer()) return c.Serialization(name, "an integer");
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return c.Serialization(name, "an integer");
  }
  return std::optional<int64_t>(v->get<int64_t>());
}

Result<const json*> OptList(Call& c, const json& obj, const char* name, size_t min, size_t max) {
  const json* v = Find(obj, name);
  if (v == nullptr) return v;
  if (!v->is_array()) return c.Serialization(name, "a list");
  if (v->size() < min) {
    return c.Invalid(name, "must have length greater than or equal to " + std::to_string(min));
  }
  if (v->size() > max) {
    return c.Invalid(name, "must have length less than or equal to " + std::to_string(max));
  }
  return v;
}

Result<std::vector<std::string>> StringList(Call& c, const json* list, const char* name) {
  std::vector<std::string> out;
  if (list == nullptr) return out;
  for (const json& e : *list) {
    if (!e.is_string()) return c.Serialization(name, "a list of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<const json*> OptObject(Call& c, const json& obj, const char* name) {
  const json* v = Find(obj, name);
  if (v != nullptr && !v->is_object()) return c.Serialization(name, "a structure");
  return v;
}

Result<size_t> MaxResults(Call& c) {
  CPA_ASSIGN_OR_RETURN(std::optional<int64_t> v, OptInt(c, c.in, "maxResults"));
  if (!v) return kDefaultPageSize;
  if (*v < 1) return c.Invalid("maxResults", "must be greater than or equal to 1");
  if (*v > 1000) return c.Invalid("maxResults", "must be less than or equal to 1000");
  return static_cast<size_t>(*v);
}

// nextToken: opaque to clients; here "<kind>:<last item>" in base64url.
std::string MakeToken(std::string_view kind, std::string_view after) {
  std::string plain(kind);
  plain += ':';
  plain += after;
  return core::Base64UrlEncode(plain);
}

Result<std::string> ReadToken(Call& c, std::string_view kind) {
  CPA_ASSIGN_OR_RETURN(std::optional<std::string> token, OptString(c, c.in, "nextToken"));
  if (!token) return std::string();
  auto plain = core::Base64UrlDecode(*token);
  if (!plain.ok() || plain->size() <= kind.size() || !plain->starts_with(kind) ||
      (*plain)[kind.size()] != ':') {
    return c.Invalid("nextToken", "Invalid NextToken");
  }
  return plain->substr(kind.size() + 1);
}

Status CheckRegistryId(Call& c, std::string_view id, std::string_view member) {
  if (core::IsAccountId(id)) return Status::Ok();
  return c.Invalid(member, "must satisfy regular expression '[0-9]{12}'");
}

// registryId (default: the caller's account), repositoryName (required, validated) and the
// request's region.
Result<reg::RepositoryId> RepositoryFromInput(Call& c) {
  CPA_ASSIGN_OR_RETURN(std::optional<std::string> registry_id, OptString(c, c.in, "registryId"));
  if (registry_id) CPA_RETURN_IF_ERROR(CheckRegistryId(c, *registry_id, "registryId"));
  CPA_ASSIGN_OR_RETURN(std::string name, ReqString(c, c.in, "repositoryName"));
  Status valid = reg::Registry::ValidateRepositoryName(name);
  if (!valid.ok()) return c.Fail("InvalidParameterException", valid.message());
  return reg::RepositoryId{registry_id.value_or(c.ctx.caller().account_id), c.ctx.region(), name};
}

struct ImageIdInput {
  std::string digest;
  std::string tag;
  json ToJson() const {
    json j = json::object();
    if (!digest.empty()) j["imageDigest"] = digest;
    if (!tag.empty()) j["imageTag"] = tag;
    return j;
  }
};

Result<ImageIdInput> ImageIdFrom(Call& c, const json& j, const char* member) {
  if (!j.is_object()) return c.Serialization(member, "a structure");
  ImageIdInput id;
  CPA_ASSIGN_OR_RETURN(std::optional<std::string> d, OptString(c, j, "imageDigest"));
  CPA_ASSIGN_OR_RETURN(std::optional<std::string> t, OptString(c, j, "imageTag"));
  id.digest = d.value_or("");
  id.tag = t.value_or("");
  return id;
}

Result<std::vector<ImageIdInput>> ImageIdList(Call& c, const json* list) {
  std::vector<ImageIdInput> out;
  if (list == nullptr) return out;
  for (const json& e : *list) {
    CPA_ASSIGN_OR_RETURN(ImageIdInput id, ImageIdFrom(c, e, "imageIds"));
    out.push_back(std::move(id));
  }
  return out;
}

// The per-entry failure of BatchGetImage / BatchDeleteImage for a malformed id, if any.
std::optional<std::pair<std::string, std::string>> ImageIdProblem(const ImageIdInput& id) {
  if (id.digest.empty() && id.tag.empty()) {
    return std::make_pair("MissingDigestAndTag",
                          "Invalid request parameters: both tag and digest cannot be null");
  }
  if (!id.digest.empty() && !reg::IsSha256Digest(id.digest)) {
    return std::make_pair("InvalidImageDigest",
                          "Invalid request parameters: image digest should satisfy the regex '" +
                              std::string(kDigestPattern) + "'");
  }
  if (!id.tag.empty() && !reg::Registry::ValidateTag(id.tag).ok()) {
    return std::make_pair("InvalidImageTag",
                          "Invalid request parameters: image tag should satisfy the regex "
                          "'[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}'");
  }
  return std::nullopt;
}

json Failure(const json& image_id, std::string_view code, std::string_view reason) {
  return {{"imageId", image_id}, {"failureCode", code}, {"failureReason", reason}};
}

Result<reg::TagStatus> TagStatusFilter(Call& c) {
  CPA_ASSIGN_OR_RETURN(const json* filter, OptObject(c, c.in, "filter"));
  if (filter == nullptr) return reg::TagStatus::kAny;
  CPA_ASSIGN_OR_RETURN(std::optional<std::string> s, OptString(c, *filter, "tagStatus"));
  CPA_ASSIGN_OR_RETURN(std::optional<std::string> image_status,
                       OptString(c, *filter, "imageStatus"));
  if (image_status && *image_status != "ACTIVE" && *image_status != "ANY" &&
      *image_status != "ARCHIVED" && *image_status != "ACTIVATING") {
    return c.Invalid("filter.imageStatus",
                     "must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]");
  }
  if (!s || *s == "ANY") return reg::TagStatus::kAny;
  if (*s == "TAGGED") return reg::TagStatus::kTagged;
  if (*s == "UNTAGGED") return reg::TagStatus::kUntagged;
  return c.Invalid("filter.tagStatus", "must satisfy enum value set: [TAGGED, UNTAGGED, ANY]");
}

Result<std::vector<std::pair<std::string, std::string>>> TagsFrom(Call& c, const json* list) {
  std::vector<std::pair<std::string, std::string>> out;
  if (list == nullptr) return out;
  if (!list->is_array()) return c.Serialization("tags", "a list");
  for (const json& t : *list) {
    if (!t.is_object()) return c.Serialization("tags", "a list of Tag structures");
    CPA_ASSIGN_OR_RETURN(std::optional<std::string> k, OptString(c, t, "Key"));
    CPA_ASSIGN_OR_RETURN(std::optional<std::string> v, OptString(c, t, "Value"));
    if (!k || k->empty() || k->size() > 128 || k->starts_with("aws:")) {
      return c.Fail("InvalidTagParameterException",
                    "Tag keys must be 1 to 128 characters long and must not start with 'aws:'.");
    }
    if (!v || v->size() > 256) {
      return c.Fail("InvalidTagParameterException",
                    "Tag values must be present and at most 256 characters long.");
    }
    out.emplace_back(*k, *v);
  }
  if (out.size() > kMaxTags) {
    return c.Fail("TooManyTagsException",
                  "Cannot have more than " + std::to_string(kMaxTags) + " tags on a repository.");
  }
  return out;
}

json TagsJson(const std::vector<std::pair<std::string, std::string>>& tags) {
  json out = json::array();
  for (const auto& [k, v] : tags) out.push_back({{"Key", k}, {"Value", v}});
  return out;
}

// arn:aws:ecr:<region>:<account>:repository/<name>
Result<reg::RepositoryId> RepositoryFromArn(Call& c) {
  CPA_ASSIGN_OR_RETURN(std::string text, ReqString(c, c.in, "resourceArn"));
  auto arn = core::Arn::Parse(text);
  if (!arn.ok() || arn->service != "ecr" || arn->ResourceType() != "repository" ||
      !core::IsAccountId(arn->account) || arn->region.empty() ||
      !reg::Registry::ValidateRepositoryName(arn->ResourceId()).ok()) {
    return c.Invalid("resourceArn", "Invalid ARN");
  }
  return reg::RepositoryId{arn->account, arn->region, std::string(arn->ResourceId())};
}

}  // namespace

class EcrService::Impl {
 public:
  Impl(EcrService& self, reg::Registry& r, const reg::TokenCodec& t, EcrServiceOptions o)
      : self_(self), registry_(r), tokens_(t), options_(std::move(o)) {}

  using Handler = Result<json> (Impl::*)(Call&);
  static const std::map<std::string, Handler, std::less<>>& Handlers() {
    static const std::map<std::string, Handler, std::less<>> handlers = {
        {"BatchCheckLayerAvailability", &Impl::BatchCheckLayerAvailability},
        {"BatchDeleteImage", &Impl::BatchDeleteImage},
        {"BatchGetImage", &Impl::BatchGetImage},
        {"CompleteLayerUpload", &Impl::CompleteLayerUpload},
        {"CreateRepository", &Impl::CreateRepository},
        {"DeleteRepository", &Impl::DeleteRepository},
        {"DeleteRepositoryPolicy", &Impl::DeleteRepositoryPolicy},
        {"DescribeImageReplicationStatus", &Impl::DescribeImageReplicationStatus},
        {"DescribeImageScanFindings", &Impl::DescribeImageScanFindings},
        {"DescribeImages", &Impl::DescribeImages},
        {"DescribePullThroughCacheRules", &Impl::DescribePullThroughCacheRules},
        {"DescribeRegistry", &Impl::DescribeRegistry},
        {"DescribeRepositories", &Impl::DescribeRepositories},
        {"GetAuthorizationToken", &Impl::GetAuthorizationToken},
        {"GetDownloadUrlForLayer", &Impl::GetDownloadUrlForLayer},
        {"GetRepositoryPolicy", &Impl::GetRepositoryPolicy},
        {"InitiateLayerUpload", &Impl::InitiateLayerUpload},
        {"ListImages", &Impl::ListImages},
        {"ListTagsForResource", &Impl::ListTagsForResource},
        {"PutImage", &Impl::PutImage},
        {"SetRepositoryPolicy", &Impl::SetRepositoryPolicy},
        {"TagResource", &Impl::TagResource},
        {"UntagResource", &Impl::UntagResource},
        {"UploadLayerPart", &Impl::UploadLayerPart},
    };
    return handlers;
  }

  const EcrServiceOptions& options() const { return options_; }

  // <account>.dkr.ecr.<region>.<domain>, with ":<port>" unless the scheme's default port.
  std::string HostPort(std::string_view account_id, std::string_view region) const {
    std::string host = registry_.RegistryHost(account_id, region);
    const uint16_t port = options_.registry_port;
    const bool default_port = port == 0 || (options_.registry_scheme == "https" && port == 443) ||
                              (options_.registry_scheme == "http" && port == 80);
    if (!default_port) host += ":" + std::to_string(port);
    return host;
  }

 private:
  // Authorizes `action` on the repository with its effective policy. A repository that does not
  // exist is authorized without a resource policy first, so that another account's missing
  // repository is a plain denial (no existence leak) and one's own is RepositoryNotFound.
  Result<reg::Repository> Access(Call& c, const reg::RepositoryId& id, std::string_view action) {
    const std::string arn = id.Arn();
    auto policy = registry_.RepositoryPolicy(id, c.ctx.now());
    if (!policy.ok()) {
      if (policy.status().code() != ErrorCode::kRepositoryNotFound) return policy.status();
      CPA_RETURN_IF_ERROR(c.ctx.Authorize(action, arn));
      return policy.status();
    }
    CPA_RETURN_IF_ERROR(c.ctx.Authorize(action, arn, policy->compiled.get()));
    return registry_.GetRepository(id);
  }

  json RepositoryJson(const reg::Repository& r) const {
    json j = {
        {"repositoryArn", r.arn},
        {"registryId", r.id.account_id},
        {"repositoryName", r.id.name},
        {"repositoryUri", self_.RepositoryUri(r.id)},
        {"createdAt", EpochSeconds(r.created_at)},
        {"imageTagMutability", r.tag_mutability},
        {"imageScanningConfiguration", {{"scanOnPush", r.scan_on_push}}},
    };
    if (!r.tag_mutability_exclusions.empty()) {
      json filters = json::array();
      for (const std::string& f : r.tag_mutability_exclusions) {
        filters.push_back({{"filterType", "WILDCARD"}, {"filter", f}});
      }
      j["imageTagMutabilityExclusionFilters"] = filters;
    }
    json enc = {{"encryptionType", r.encryption_type}};
    if (!r.kms_key.empty()) enc["kmsKey"] = r.kms_key;
    j["encryptionConfiguration"] = enc;
    return j;
  }

  json ImageDetail(const reg::RepositoryId& id, const reg::Image& im) const {
    json j = {
        {"registryId", id.account_id},
        {"repositoryName", id.name},
        {"imageDigest", im.digest},
        {"imageSizeInBytes", im.size},
        {"imagePushedAt", EpochSeconds(im.pushed_at)},
        {"imageManifestMediaType", im.media_type},
        {"imageStatus", "ACTIVE"},
    };
    if (!im.tags.empty()) j["imageTags"] = im.tags;
    if (!im.artifact_type.empty()) j["artifactMediaType"] = im.artifact_type;
    if (im.last_pull) j["lastRecordedPullTime"] = EpochSeconds(*im.last_pull);
    if (!im.subject.empty()) j["subjectManifestDigest"] = im.subject;
    return j;
  }

  // An image by digest and/or tag; ImageNotFound also when a given tag is not on the digest.
  Result<reg::Image> FindImage(const reg::RepositoryId& id, const ImageIdInput& ref,
                               bool record_pull = false) {
    CPA_ASSIGN_OR_RETURN(reg::Image im, registry_.GetImage(id, {ref.digest, ref.tag}, record_pull));
    if (!ref.digest.empty() && !ref.tag.empty() &&
        std::find(im.tags.begin(), im.tags.end(), ref.tag) == im.tags.end()) {
      return Status(ErrorCode::kImageNotFound,
                    "The image with imageId {imageDigest:'" + ref.digest + "', imageTag:'" +
                        ref.tag + "'} does not exist within the repository with name '" + id.name +
                        "' in the registry with id '" + id.account_id + "'");
    }
    return im;
  }

  Result<ImageIdInput> RequiredImageId(Call& c) {
    const json* j = Find(c.in, "imageId");
    if (j == nullptr) return c.Invalid("imageId", "must not be null");
    CPA_ASSIGN_OR_RETURN(ImageIdInput ref, ImageIdFrom(c, *j, "imageId"));
    if (ref.digest.empty() && ref.tag.empty()) {
      return c.Invalid("imageId", "must contain an imageDigest or an imageTag");
    }
    if (!ref.digest.empty() && !reg::IsSha256Digest(ref.digest)) {
      return c.Invalid("imageId.imageDigest",
                       "must satisfy regular expression '" + std::string(kDigestPattern) + "'");
    }
    return ref;
  }

  // ---- operations ----

  Result<json> GetAuthorizationToken(Call& c) {
    CPA_ASSIGN_OR_RETURN(const json* ids, OptList(c, c.in, "registryIds", 1, 10));
    CPA_ASSIGN_OR_RETURN(std::vector<std::string> registry_ids, StringList(c, ids, "registryIds"));
    for (const std::string& id : registry_ids) {
      CPA_RETURN_IF_ERROR(CheckRegistryId(c, id, "registryIds"));
    }
    CPA_RETURN_IF_ERROR(c.ctx.Authorize("ecr:GetAuthorizationToken", "*"));
    const Caller& caller = c.ctx.caller();
    reg::TokenClaims claims;
    claims.access_key_id = caller.access_key_id;
    claims.principal_arn = caller.arn;
    claims.account_id = caller.account_id;
    claims.issued_at = c.ctx.now();
    claims.expires_at = c.ctx.now() + options_.token_lifetime;
    // A token never outlives the session that asked for it.
    if (caller.credential && caller.credential->expiration &&
        *caller.credential->expiration < claims.expires_at) {
      claims.expires_at = *caller.credential->expiration;
    }
    core::Random& random = options_.random ? *options_.random : core::DefaultRandom();
    const std::string token = reg::TokenCodec::AuthorizationToken(tokens_.Issue(claims, random));
    if (registry_ids.empty()) registry_ids.push_back(caller.account_id);
    json data = json::array();
    for (const std::string& id : registry_ids) {
      data.push_back({{"authorizationToken", token},
                      {"expiresAt", EpochSeconds(claims.expires_at)},
                      {"proxyEndpoint", self_.RegistryUrl(id, c.ctx.region())}});
    }
    return json{{"authorizationData", data}};
  }

  Result<json> DescribeRegistry(Call& c) {
    CPA_RETURN_IF_ERROR(c.ctx.Authorize("ecr:DescribeRegistry", "*"));
    return json{{"registryId", c.ctx.caller().account_id},
                {"replicationConfiguration", {{"rules", json::array()}}}};
  }

  Result<json> CreateRepository(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    reg::NewRepository n;
    n.id = id;
    CPA_ASSIGN_OR_RETURN(std::optional<std::string> mutability,
                         OptString(c, c.in, "imageTagMutability"));
    n.tag_mutability = mutability.value_or("MUTABLE");
    static const std::set<std::string, std::less<>> kModes = {
        "MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"};
    if (!kModes.contains(n.tag_mutability)) {
      return c.Invalid("imageTagMutability",
                       "must be one of 'MUTABLE', 'IMMUTABLE', 'MUTABLE_WITH_EXCLUSION', "
                       "'IMMUTABLE_WITH_EXCLUSION'");
    }
    CPA_ASSIGN_OR_RETURN(const json* filters,
                         OptList(c, c.in, "imageTagMutabilityExclusionFilters", 1, 5));
    const bool with_exclusion = n.tag_mutability.ends_with("_WITH_EXCLUSION");
    if (with_exclusion && filters == nullptr) {
      return c.Invalid("imageTagMutabilityExclusionFilters",
                       "ImageTagMutabilityExclusionFilters can't be null when imageTagMutability "
                       "is set as " +
                           n.tag_mutability);
    }
    if (!with_exclusion && filters != nullptr) {
      return c.Invalid("imageTagMutabilityExclusionFilters",
                       "ImageTagMutabilityExclusionFilters can only be set when "
                       "imageTagMutability is MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION");
    }
    if (filters != nullptr) {
      for (const json& f : *filters) {
        if (!f.is_object()) {
          return c.Serialization("imageTagMutabilityExclusionFilters", "a list of structures");
        }
        CPA_ASSIGN_OR_RETURN(std::string type, ReqString(c, f, "filterType"));
        CPA_ASSIGN_OR_RETURN(std::string value, ReqString(c, f, "filter"));
        bool ok = type == "WILDCARD" && !value.empty() && value.size() <= 128 &&
                  std::all_of(value.begin(), value.end(), [](char ch) {
                    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' ||
                           ch == '*' || ch == '-';
                  });
        if (!ok) {
          return c.Invalid("imageTagMutabilityExclusionFilters",
                           "filterType must be WILDCARD and filter must satisfy regular "
                           "expression '^[0-9a-zA-Z._*-]{1,128}$'");
        }
        n.tag_mutability_exclusions.push_back(value);
      }
    }
    CPA_ASSIGN_OR_RETURN(const json* scanning, OptObject(c, c.in, "imageScanningConfiguration"));
    if (scanning != nullptr) {
      CPA_ASSIGN_OR_RETURN(std::optional<bool> scan, OptBool(c, *scanning, "scanOnPush"));
      n.scan_on_push = scan.value_or(false);
    }
    CPA_ASSIGN_OR_RETURN(const json* encryption, OptObject(c, c.in, "encryptionConfiguration"));
    if (encryption != nullptr) {
      CPA_ASSIGN_OR_RETURN(std::string type, ReqString(c, *encryption, "encryptionType"));
      if (type != "AES256" && type != "KMS" && type != "KMS_DSSE") {
        return c.Invalid("encryptionConfiguration.encryptionType",
                         "must satisfy enum value set: [AES256, KMS, KMS_DSSE]");
      }
      CPA_ASSIGN_OR_RETURN(std::optional<std::string> key, OptString(c, *encryption, "kmsKey"));
      if (key && (key->empty() || key->size() > 2048)) {
        return c.Invalid("encryptionConfiguration.kmsKey", "must have length between 1 and 2048");
      }
      if (key && type == "AES256") {
        return c.Invalid("encryptionConfiguration.kmsKey",
                         "must not be set when encryptionType is AES256");
      }
      n.encryption_type = type;
      n.kms_key = key.value_or("");
    }
    CPA_ASSIGN_OR_RETURN(n.tags, TagsFrom(c, Find(c.in, "tags")));
    CPA_RETURN_IF_ERROR(c.ctx.Authorize("ecr:CreateRepository", id.Arn()));
    auto created = registry_.CreateRepository(n);
    if (!created.ok() && created.status().code() == ErrorCode::kAlreadyExists) {
      return c.Fail("RepositoryAlreadyExistsException", created.status().message());
    }
    if (!created.ok()) return created.status();
    return json{{"repository", RepositoryJson(*created)}};
  }

  Result<json> DeleteRepository(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(std::optional<bool> force, OptBool(c, c.in, "force"));
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:DeleteRepository").status());
    CPA_ASSIGN_OR_RETURN(reg::Repository deleted,
                         registry_.DeleteRepository(id, force.value_or(false)));
    return json{{"repository", RepositoryJson(deleted)}};
  }

  Result<json> DescribeRepositories(Call& c) {
    CPA_ASSIGN_OR_RETURN(std::optional<std::string> registry_id, OptString(c, c.in, "registryId"));
    if (registry_id) CPA_RETURN_IF_ERROR(CheckRegistryId(c, *registry_id, "registryId"));
    const std::string account = registry_id.value_or(c.ctx.caller().account_id);
    CPA_ASSIGN_OR_RETURN(const json* names_json, OptList(c, c.in, "repositoryNames", 1, 100));
    CPA_ASSIGN_OR_RETURN(std::vector<std::string> names,
                         StringList(c, names_json, "repositoryNames"));
    CPA_ASSIGN_OR_RETURN(size_t max_results, MaxResults(c));
    CPA_ASSIGN_OR_RETURN(std::string after, ReadToken(c, "repositories"));
    json repositories = json::array();
    if (names_json != nullptr) {
      if (Find(c.in, "nextToken") != nullptr || Find(c.in, "maxResults") != nullptr) {
        return c.Invalid("repositoryNames", "cannot be used together with nextToken or maxResults");
      }
      for (const std::string& name : names) {
        Status valid = reg::Registry::ValidateRepositoryName(name);
        if (!valid.ok()) return c.Fail("InvalidParameterException", valid.message());
      }
      for (const std::string& name : names) {
        CPA_ASSIGN_OR_RETURN(reg::Repository r, Access(c, {account, c.ctx.region(), name},
                                                       "ecr:DescribeRepositories"));
        repositories.push_back(RepositoryJson(r));
      }
      return json{{"repositories", repositories}};
    }
    CPA_ASSIGN_OR_RETURN(auto page,
                         registry_.ListRepositories(account, c.ctx.region(), {after, max_results}));
    // Each repository is authorized with its own policy; those the caller may not describe are
    // left out. A page with repositories but none describable is a denial.
    std::optional<Status> first_denial;
    for (const reg::Repository& r : page.items) {
      auto described = Access(c, r.id, "ecr:DescribeRepositories");
      if (described.ok()) {
        repositories.push_back(RepositoryJson(*described));
      } else if (described.status().code() == ErrorCode::kAccessDenied) {
        if (!first_denial) first_denial = described.status();
      } else if (described.status().code() != ErrorCode::kRepositoryNotFound) {
        return described.status();
      }
    }
    if (repositories.empty() && first_denial) return *first_denial;
    if (page.items.empty()) {
      // Authorize on the registry's repositories when there is nothing to filter.
      CPA_RETURN_IF_ERROR(c.ctx.Authorize("ecr:DescribeRepositories",
                                          reg::RepositoryId{account, c.ctx.region(), "*"}.Arn()));
    }
    json out = {{"repositories", repositories}};
    if (page.more) out["nextToken"] = MakeToken("repositories", page.items.back().id.name);
    return out;
  }

  Result<json> PolicyReply(const reg::RepositoryId& id, const std::string& text) {
    return json{{"registryId", id.account_id}, {"repositoryName", id.name}, {"policyText", text}};
  }

  Result<json> SetRepositoryPolicy(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(std::string text, ReqString(c, c.in, "policyText"));
    CPA_ASSIGN_OR_RETURN(std::optional<bool> force, OptBool(c, c.in, "force"));
    (void)force;  // cpa never refuses a policy for locking its author out
    if (text.size() > kMaxPolicyText) {
      return c.Invalid("policyText", "must have length less than or equal to 10240");
    }
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:SetRepositoryPolicy").status());
    Status set = registry_.SetRepositoryPolicy(id, text);
    if (set.code() == ErrorCode::kMalformedPolicyDocument) {
      return c.Invalid("PolicyText", "Invalid repository policy provided");
    }
    CPA_RETURN_IF_ERROR(set);
    return PolicyReply(id, text);
  }

  Result<json> GetRepositoryPolicy(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:GetRepositoryPolicy").status());
    CPA_ASSIGN_OR_RETURN(auto policy, registry_.RepositoryPolicy(id, c.ctx.now()));
    if (!policy.text) {
      return Status(ErrorCode::kRepositoryPolicyNotFound,
                    "Repository policy does not exist for the repository with name '" + id.name +
                        "' in the registry with id '" + id.account_id + "'");
    }
    return PolicyReply(id, *policy.text);
  }

  Result<json> DeleteRepositoryPolicy(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:DeleteRepositoryPolicy").status());
    CPA_ASSIGN_OR_RETURN(std::string old, registry_.DeleteRepositoryPolicy(id));
    return PolicyReply(id, old);
  }

  Result<json> ListImages(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(size_t max_results, MaxResults(c));
    CPA_ASSIGN_OR_RETURN(std::string after, ReadToken(c, "images"));
    CPA_ASSIGN_OR_RETURN(reg::TagStatus status, TagStatusFilter(c));
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:ListImages").status());
    CPA_ASSIGN_OR_RETURN(auto page, registry_.ListImages(id, status, {after, max_results}));
    json ids = json::array();
    for (const reg::ImageIdEntry& e : page.items)
      ids.push_back(ImageIdInput{e.digest, e.tag}.ToJson());
    json out = {{"imageIds", ids}};
    if (page.more) {
      out["nextToken"] =
          MakeToken("images", page.items.back().digest + " " + page.items.back().tag);
    }
    return out;
  }

  Result<json> DescribeImages(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(const json* ids_json, OptList(c, c.in, "imageIds", 1, 100));
    CPA_ASSIGN_OR_RETURN(std::vector<ImageIdInput> ids, ImageIdList(c, ids_json));
    CPA_ASSIGN_OR_RETURN(size_t max_results, MaxResults(c));
    CPA_ASSIGN_OR_RETURN(std::string after, ReadToken(c, "details"));
    CPA_ASSIGN_OR_RETURN(reg::TagStatus status, TagStatusFilter(c));
    if (ids_json != nullptr &&
        (Find(c.in, "nextToken") != nullptr || Find(c.in, "maxResults") != nullptr)) {
      return c.Invalid("imageIds", "cannot be used together with nextToken or maxResults");
    }
    for (const ImageIdInput& ref : ids) {
      if (auto problem = ImageIdProblem(ref)) return c.Invalid("imageIds", problem->second);
    }
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:DescribeImages").status());
    json details = json::array();
    if (ids_json != nullptr) {
      std::set<std::string> seen;
      for (const ImageIdInput& ref : ids) {
        CPA_ASSIGN_OR_RETURN(reg::Image im, FindImage(id, ref));
        if (seen.insert(im.digest).second) details.push_back(ImageDetail(id, im));
      }
      return json{{"imageDetails", details}};
    }
    CPA_ASSIGN_OR_RETURN(auto page, registry_.DescribeImages(id, status, {after, max_results}));
    for (const reg::Image& im : page.items) details.push_back(ImageDetail(id, im));
    json out = {{"imageDetails", details}};
    if (page.more) out["nextToken"] = MakeToken("details", page.items.back().digest);
    return out;
  }

  Result<json> BatchGetImage(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(const json* ids_json, OptList(c, c.in, "imageIds", 1, 100));
    if (ids_json == nullptr) return c.Invalid("imageIds", "must not be null");
    CPA_ASSIGN_OR_RETURN(std::vector<ImageIdInput> ids, ImageIdList(c, ids_json));
    CPA_ASSIGN_OR_RETURN(const json* accepted_json, OptList(c, c.in, "acceptedMediaTypes", 1, 100));
    // Accepted for compatibility; manifests are served as stored (no schema conversion).
    CPA_RETURN_IF_ERROR(StringList(c, accepted_json, "acceptedMediaTypes").status());
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:BatchGetImage").status());
    json images = json::array(), failures = json::array();
    for (const ImageIdInput& ref : ids) {
      if (auto problem = ImageIdProblem(ref)) {
        failures.push_back(Failure(ref.ToJson(), problem->first, problem->second));
        continue;
      }
      auto im = registry_.GetImage(id, {ref.digest, ref.tag}, /*record_pull=*/true);
      if (!im.ok()) {
        if (im.status().code() != ErrorCode::kImageNotFound) return im.status();
        failures.push_back(Failure(ref.ToJson(), "ImageNotFound", "Requested image not found"));
        continue;
      }
      if (!ref.digest.empty() && !ref.tag.empty() &&
          std::find(im->tags.begin(), im->tags.end(), ref.tag) == im->tags.end()) {
        failures.push_back(Failure(ref.ToJson(), "ImageTagDoesNotMatchDigest",
                                   "Invalid request parameters: image tag does not match digest"));
        continue;
      }
      images.push_back({{"registryId", id.account_id},
                        {"repositoryName", id.name},
                        {"imageId", ImageIdInput{im->digest, ref.tag}.ToJson()},
                        {"imageManifest", im->manifest},
                        {"imageManifestMediaType", im->media_type}});
    }
    return json{{"images", images}, {"failures", failures}};
  }

  Result<json> BatchDeleteImage(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(const json* ids_json, OptList(c, c.in, "imageIds", 1, 100));
    if (ids_json == nullptr) return c.Invalid("imageIds", "must not be null");
    CPA_ASSIGN_OR_RETURN(std::vector<ImageIdInput> ids, ImageIdList(c, ids_json));
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:BatchDeleteImage").status());
    json deleted = json::array(), failures = json::array();
    for (const ImageIdInput& ref : ids) {
      if (auto problem = ImageIdProblem(ref)) {
        failures.push_back(Failure(ref.ToJson(), problem->first, problem->second));
        continue;
      }
      auto im = registry_.GetImage(id, {ref.digest, ref.tag});
      if (!im.ok()) {
        if (im.status().code() != ErrorCode::kImageNotFound) return im.status();
        failures.push_back(Failure(ref.ToJson(), "ImageNotFound", "Requested image not found"));
        continue;
      }
      const bool has_tag = std::find(im->tags.begin(), im->tags.end(), ref.tag) != im->tags.end();
      if (!ref.digest.empty() && !ref.tag.empty() && !has_tag) {
        failures.push_back(Failure(ref.ToJson(), "ImageTagDoesNotMatchDigest",
                                   "Invalid request parameters: image tag does not match digest"));
        continue;
      }
      if (ref.digest.empty() && im->tags.size() > 1) {
        // By tag: only the tag goes while others remain.
        CPA_RETURN_IF_ERROR(registry_.UntagImage(id, ref.tag));
        deleted.push_back(ImageIdInput{im->digest, ref.tag}.ToJson());
        continue;
      }
      Status s = registry_.DeleteImage(id, im->digest);
      if (s.code() == ErrorCode::kDeleteConflict) {
        failures.push_back(Failure(ref.ToJson(), "ImageReferencedByManifestList", s.message()));
        continue;
      }
      if (s.code() == ErrorCode::kImageNotFound) {
        failures.push_back(Failure(ref.ToJson(), "ImageNotFound", "Requested image not found"));
        continue;
      }
      CPA_RETURN_IF_ERROR(s);
      if (im->tags.empty()) deleted.push_back(ImageIdInput{im->digest, ""}.ToJson());
      for (const std::string& t : im->tags) deleted.push_back(ImageIdInput{im->digest, t}.ToJson());
    }
    return json{{"imageIds", deleted}, {"failures", failures}};
  }

  Result<json> PutImage(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(std::string manifest, ReqString(c, c.in, "imageManifest"));
    CPA_ASSIGN_OR_RETURN(std::optional<std::string> media_type,
                         OptString(c, c.in, "imageManifestMediaType"));
    CPA_ASSIGN_OR_RETURN(std::optional<std::string> tag, OptString(c, c.in, "imageTag"));
    CPA_ASSIGN_OR_RETURN(std::optional<std::string> digest, OptString(c, c.in, "imageDigest"));
    if (manifest.empty()) {
      return c.Invalid("imageManifest", "must have length greater than or equal to 1");
    }
    if (manifest.size() > reg::kMaxManifestSize) {
      return c.Invalid("imageManifest", "must have length less than or equal to 4194304");
    }
    if (tag) {
      Status valid = reg::Registry::ValidateTag(*tag);
      if (!valid.ok()) {
        return c.Invalid("imageTag",
                         "must satisfy regular expression '[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}'");
      }
    }
    if (digest && !reg::IsSha256Digest(*digest)) {
      return c.Invalid("imageDigest",
                       "must satisfy regular expression '" + std::string(kDigestPattern) + "'");
    }
    json doc = json::parse(manifest, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
      return c.Invalid("ImageManifest", "Invalid JSON syntax");
    }
    if ((!media_type || media_type->empty()) && !doc.contains("mediaType")) {
      return c.Invalid("imageManifestMediaType",
                       "image manifest mediatype not provided in manifest or parameter");
    }
    auto parsed = reg::ParseManifest(manifest, media_type.value_or(""));
    if (!parsed.ok()) return c.Invalid("ImageManifest", parsed.status().message());
    const std::string computed = reg::Sha256DigestOf(manifest);
    if (digest && *digest != computed) {
      return c.Fail("ImageDigestDoesNotMatchException",
                    "The specified image digest '" + *digest +
                        "' does not match the digest that Amazon ECR calculated for the image, '" +
                        computed + "'");
    }
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:PutImage").status());
    auto existing = registry_.GetImage(id, {computed, ""});
    if (existing.ok() && (!tag || std::find(existing->tags.begin(), existing->tags.end(), *tag) !=
                                      existing->tags.end())) {
      return c.Fail("ImageAlreadyExistsException",
                    "Image with digest '" + computed + "' and tag '" + tag.value_or("null") +
                        "' already exists in the repository with name '" + id.name +
                        "' in registry with id '" + id.account_id + "'");
    }
    auto put = registry_.PutImage(id, manifest, media_type.value_or(""), tag.value_or(""));
    if (!put.ok()) {
      if (put.status().code() == ErrorCode::kLayersNotFound && parsed->is_index()) {
        return c.Fail("ReferencedImagesNotFoundException", put.status().message());
      }
      if (put.status().code() == ErrorCode::kManifestInvalid) {
        return c.Invalid("ImageManifest", put.status().message());
      }
      return put.status();
    }
    return json{{"image",
                 {{"registryId", id.account_id},
                  {"repositoryName", id.name},
                  {"imageId", ImageIdInput{put->digest, tag.value_or("")}.ToJson()},
                  {"imageManifest", put->manifest},
                  {"imageManifestMediaType", put->media_type}}}};
  }

  Result<json> GetDownloadUrlForLayer(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(std::string digest, ReqString(c, c.in, "layerDigest"));
    if (!reg::IsSha256Digest(digest)) {
      return c.Invalid("layerDigest",
                       "must satisfy regular expression '" + std::string(kDigestPattern) + "'");
    }
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:GetDownloadUrlForLayer").status());
    CPA_ASSIGN_OR_RETURN(reg::BlobInfo blob, registry_.StatBlob(id, digest));
    if (!blob.referenced) {
      return c.Fail("LayerInaccessibleException",
                    "The specified layer is not available because it is not associated with an "
                    "image.");
    }
    // The registry's own blob URL: it answers with the Basic credentials of
    // GetAuthorizationToken (the same as a docker pull), not with a presigned query.
    return json{{"downloadUrl", self_.RegistryUrl(id.account_id, id.region) + "/v2/" + id.name +
                                    "/blobs/" + digest},
                {"layerDigest", digest}};
  }

  Result<json> BatchCheckLayerAvailability(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(const json* list, OptList(c, c.in, "layerDigests", 1, 100));
    if (list == nullptr) return c.Invalid("layerDigests", "must not be null");
    CPA_ASSIGN_OR_RETURN(std::vector<std::string> digests, StringList(c, list, "layerDigests"));
    for (const std::string& d : digests) {
      if (d.size() > 1000) {
        return c.Invalid("layerDigests", "must have length less than or equal to 1000");
      }
    }
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:BatchCheckLayerAvailability").status());
    json layers = json::array(), failures = json::array();
    for (const std::string& d : digests) {
      if (d.empty()) {
        failures.push_back(
            {{"layerDigest", d},
             {"failureCode", "MissingLayerDigest"},
             {"failureReason", "Invalid request parameters: layer digest is empty"}});
        continue;
      }
      if (!reg::IsSha256Digest(d)) {
        failures.push_back({{"layerDigest", d},
                            {"failureCode", "InvalidLayerDigest"},
                            {"failureReason",
                             "Invalid request parameters: layer digest should satisfy the regex '" +
                                 std::string(kDigestPattern) + "'"}});
        continue;
      }
      auto blob = registry_.StatBlob(id, d);
      if (!blob.ok()) {
        if (blob.status().code() != ErrorCode::kLayersNotFound) return blob.status();
        failures.push_back({{"layerDigest", d},
                            {"failureCode", "MissingLayerDigest"},
                            {"failureReason", "Could not find layer"}});
        continue;
      }
      json layer = {
          {"layerDigest", d}, {"layerAvailability", "AVAILABLE"}, {"layerSize", blob->size}};
      if (!blob->media_type.empty()) layer["mediaType"] = blob->media_type;
      layers.push_back(layer);
    }
    return json{{"layers", layers}, {"failures", failures}};
  }

  Result<json> InitiateLayerUpload(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:InitiateLayerUpload").status());
    CPA_ASSIGN_OR_RETURN(reg::Upload u, registry_.StartUpload(id));
    return json{{"uploadId", u.id}, {"partSize", options_.part_size}};
  }

  Result<std::string> UploadIdFrom(Call& c) {
    CPA_ASSIGN_OR_RETURN(std::string upload_id, ReqString(c, c.in, "uploadId"));
    std::string lower = core::AsciiLower(upload_id);
    if (!registry::BlobStore::IsUploadId(lower)) {
      return c.Invalid("uploadId",
                       "must satisfy regular expression '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-"
                       "[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'");
    }
    return lower;
  }

  Result<json> UploadLayerPart(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(std::string upload_id, UploadIdFrom(c));
    CPA_ASSIGN_OR_RETURN(std::optional<int64_t> first, OptInt(c, c.in, "partFirstByte"));
    CPA_ASSIGN_OR_RETURN(std::optional<int64_t> last, OptInt(c, c.in, "partLastByte"));
    CPA_ASSIGN_OR_RETURN(std::string blob_b64, ReqString(c, c.in, "layerPartBlob"));
    if (!first) return c.Invalid("partFirstByte", "must not be null");
    if (!last) return c.Invalid("partLastByte", "must not be null");
    if (*first < 0) return c.Invalid("partFirstByte", "must be greater than or equal to 0");
    if (*last < 0) return c.Invalid("partLastByte", "must be greater than or equal to 0");
    auto blob = core::Base64Decode(blob_b64);
    if (!blob.ok()) return c.Serialization("layerPartBlob", "base64-encoded bytes");
    if (blob->size() > kMaxLayerPart) {
      return c.Invalid("layerPartBlob", "must have length less than or equal to 20971520");
    }
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:UploadLayerPart").status());
    CPA_ASSIGN_OR_RETURN(reg::Upload u, registry_.GetUpload(id, upload_id));
    auto invalid_part = [&](const std::string& message) {
      json extra = {{"registryId", id.account_id},
                    {"repositoryName", id.name},
                    {"uploadId", upload_id},
                    {"lastValidByteReceived", u.size == 0 ? 0 : u.size - 1}};
      return c.Fail("InvalidLayerPartException", message, extra);
    };
    if (blob->empty() || *last < *first ||
        static_cast<uint64_t>(*last - *first) + 1 != blob->size()) {
      return invalid_part("The layer part size is not valid: partFirstByte " +
                          std::to_string(*first) + " and partLastByte " + std::to_string(*last) +
                          " do not span the " + std::to_string(blob->size()) +
                          " bytes of layerPartBlob");
    }
    auto appended = registry_.AppendUpload(id, upload_id, static_cast<uint64_t>(*first), *blob);
    if (!appended.ok() && appended.status().code() == ErrorCode::kInvalidLayerPart) {
      return invalid_part("The layer part's first byte " + std::to_string(*first) +
                          " is not consecutive to the last byte " +
                          (u.size == 0 ? std::string("(none)") : std::to_string(u.size - 1)) +
                          " received for upload " + upload_id);
    }
    if (!appended.ok()) return appended.status();
    return json{{"registryId", id.account_id},
                {"repositoryName", id.name},
                {"uploadId", upload_id},
                {"lastByteReceived", appended->size - 1}};
  }

  Result<json> CompleteLayerUpload(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(std::string upload_id, UploadIdFrom(c));
    CPA_ASSIGN_OR_RETURN(const json* list, OptList(c, c.in, "layerDigests", 1, 100));
    if (list == nullptr) return c.Invalid("layerDigests", "must not be null");
    CPA_ASSIGN_OR_RETURN(std::vector<std::string> digests, StringList(c, list, "layerDigests"));
    for (const std::string& d : digests) {
      if (!reg::IsSha256Digest(d)) {
        return c.Invalid("layerDigests",
                         "must satisfy regular expression '" + std::string(kDigestPattern) + "'");
      }
    }
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:CompleteLayerUpload").status());
    CPA_ASSIGN_OR_RETURN(reg::Upload u, registry_.GetUpload(id, upload_id));
    if (u.size == 0) {
      return c.Fail("EmptyUploadException",
                    "The specified layer upload does not contain any layer parts.");
    }
    const std::string& digest = digests.front();
    if (registry_.StatBlob(id, digest).ok()) {
      (void)registry_.CancelUpload(id, upload_id);
      return c.Fail("LayerAlreadyExistsException",
                    "The layer '" + digest + "' already exists in the repository with name '" +
                        id.name + "' in the registry with id '" + id.account_id + "'");
    }
    auto blob = registry_.CompleteUpload(id, upload_id, digest);
    if (!blob.ok() && blob.status().code() == ErrorCode::kDigestMismatch) {
      return c.Fail("InvalidLayerException", blob.status().message());
    }
    if (!blob.ok()) return blob.status();
    return json{{"registryId", id.account_id},
                {"repositoryName", id.name},
                {"uploadId", upload_id},
                {"layerDigest", blob->digest}};
  }

  Result<json> DescribePullThroughCacheRules(Call& c) {
    CPA_ASSIGN_OR_RETURN(std::optional<std::string> registry_id, OptString(c, c.in, "registryId"));
    if (registry_id) CPA_RETURN_IF_ERROR(CheckRegistryId(c, *registry_id, "registryId"));
    CPA_ASSIGN_OR_RETURN(const json* prefixes_json,
                         OptList(c, c.in, "ecrRepositoryPrefixes", 1, 100));
    CPA_ASSIGN_OR_RETURN(std::vector<std::string> prefixes,
                         StringList(c, prefixes_json, "ecrRepositoryPrefixes"));
    CPA_RETURN_IF_ERROR(MaxResults(c).status());
    CPA_RETURN_IF_ERROR(c.ctx.Authorize("ecr:DescribePullThroughCacheRules", "*"));
    // cpa has no pull through cache rules.
    if (!prefixes.empty()) {
      return c.Fail("PullThroughCacheRuleNotFoundException",
                    "The pull through cache rule with prefix '" + prefixes.front() +
                        "' does not exist in the registry with id '" +
                        registry_id.value_or(c.ctx.caller().account_id) + "'");
    }
    return json{{"pullThroughCacheRules", json::array()}};
  }

  Result<json> DescribeImageScanFindings(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(ImageIdInput ref, RequiredImageId(c));
    CPA_RETURN_IF_ERROR(MaxResults(c).status());
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:DescribeImageScanFindings").status());
    CPA_ASSIGN_OR_RETURN(reg::Image im, FindImage(id, ref));
    // cpa does not scan images: no image ever has a scan.
    return c.Fail("ScanNotFoundException",
                  "Image scan does not exist for the image with '{imageDigest:'" + im.digest +
                      "', imageTag:'" + (ref.tag.empty() ? std::string("null") : ref.tag) +
                      "'}' in the repository with name '" + id.name +
                      "' in the registry with id '" + id.account_id + "'");
  }

  Result<json> DescribeImageReplicationStatus(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromInput(c));
    CPA_ASSIGN_OR_RETURN(ImageIdInput ref, RequiredImageId(c));
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:DescribeImageReplicationStatus").status());
    CPA_ASSIGN_OR_RETURN(reg::Image im, FindImage(id, ref));
    return json{{"repositoryName", id.name},
                {"imageId", ImageIdInput{im.digest, ref.tag}.ToJson()},
                {"replicationStatuses", json::array()}};
  }

  Result<json> ListTagsForResource(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromArn(c));
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:ListTagsForResource").status());
    CPA_ASSIGN_OR_RETURN(auto tags, registry_.ListTags(id));
    return json{{"tags", TagsJson(tags)}};
  }

  Result<json> TagResource(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromArn(c));
    const json* list = Find(c.in, "tags");
    if (list == nullptr) return c.Invalid("tags", "must not be null");
    CPA_ASSIGN_OR_RETURN(auto tags, TagsFrom(c, list));
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:TagResource").status());
    Status s = registry_.TagRepository(id, tags);
    if (s.code() == ErrorCode::kLimitExceeded) return c.Fail("TooManyTagsException", s.message());
    CPA_RETURN_IF_ERROR(s);
    return json::object();
  }

  Result<json> UntagResource(Call& c) {
    CPA_ASSIGN_OR_RETURN(reg::RepositoryId id, RepositoryFromArn(c));
    const json* list = Find(c.in, "tagKeys");
    if (list == nullptr) return c.Invalid("tagKeys", "must not be null");
    if (!list->is_array()) return c.Serialization("tagKeys", "a list");
    CPA_ASSIGN_OR_RETURN(std::vector<std::string> keys, StringList(c, list, "tagKeys"));
    for (const std::string& k : keys) {
      if (k.empty() || k.size() > 128) {
        return c.Fail("InvalidTagParameterException", "Tag keys must be 1 to 128 characters long.");
      }
    }
    CPA_RETURN_IF_ERROR(Access(c, id, "ecr:UntagResource").status());
    CPA_RETURN_IF_ERROR(registry_.UntagRepository(id, keys));
    return json::object();
  }

  EcrService& self_;
  reg::Registry& registry_;
  const reg::TokenCodec& tokens_;
  EcrServiceOptions options_;
};

EcrService::EcrService(reg::Registry& registry, const reg::TokenCodec& tokens,
                       EcrServiceOptions options)
    : impl_(std::make_unique<Impl>(*this, registry, tokens, std::move(options))) {}

EcrService::~EcrService() = default;

const std::vector<std::string_view>& EcrService::Operations() {
  static const std::vector<std::string_view> ops = [] {
    std::vector<std::string_view> v;
    for (const auto& [name, handler] : Impl::Handlers()) v.push_back(name);
    return v;
  }();
  return ops;
}

std::string EcrService::OperationOf(const http::Request& request) const {
  auto target = request.Header("X-Amz-Target");
  if (!target || !target->starts_with(kEcrTargetPrefix)) return "";
  std::string_view op = target->substr(kEcrTargetPrefix.size());
  const auto& handlers = Impl::Handlers();
  auto it = handlers.find(op);
  return it == handlers.end() ? "" : it->first;
}

std::string EcrService::RegistryUrl(std::string_view account_id, std::string_view region) const {
  return impl_->options().registry_scheme + "://" + impl_->HostPort(account_id, region);
}

std::string EcrService::RepositoryUri(const reg::RepositoryId& id) const {
  return impl_->HostPort(id.account_id, id.region) + "/" + id.name;
}

http::Response EcrService::Handle(const http::Request& request, RequestContext& context) {
  const std::string op = OperationOf(request);
  const auto& handlers = Impl::Handlers();
  auto it = handlers.find(op);
  json in = json::object();
  if (!request.body.empty()) {
    in = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  } else if (!request.body_file.empty()) {
    // A route with a spool directory hands large bodies (UploadLayerPart) over as a file.
    std::ifstream file(request.body_file, std::ios::binary);
    in = json::parse(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>(),
                     nullptr, /*allow_exceptions=*/false);
  }
  http::Response r;
  if (it == handlers.end()) {
    r = ErrorResponse(op, "UnknownOperationException", 400, "", context.request_id());
  } else if (in.is_discarded() || !in.is_object()) {
    r = ErrorResponse(op, "SerializationException", 400, "The request body is not a JSON object",
                      context.request_id());
  } else {
    Call call{context, in, std::nullopt};
    Result<json> out = (impl_.get()->*(it->second))(call);
    if (out.ok()) {
      r = JsonSuccess(kAmzJson11, *out, context.request_id());
    } else if (call.error) {
      r = JsonError(kAmzJson11, call.error->code, call.error->status, call.error->message,
                    context.request_id(), call.error->extra);
    } else {
      core::AwsError e = core::ToAwsError(out.status().code(), core::Protocol::kJson);
      r = JsonError(kAmzJson11, e.code, e.http_status, out.status().message(),
                    context.request_id());
    }
  }
  r.service = "ecr";
  r.operation = op.empty() ? "other" : op;
  return r;
}

http::Response EcrService::ErrorResponse(std::string_view operation, std::string_view code,
                                         int http_status, std::string_view message,
                                         const std::string& request_id) const {
  http::Response r = JsonError(kAmzJson11, code, http_status, message, request_id);
  r.service = "ecr";
  r.operation = operation.empty() ? "other" : std::string(operation);
  return r;
}

}  // namespace cpa::server::api
