#include "share/documents.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/arn.h"
#include "core/encoding.h"

namespace cpa::share {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string Render(const ordered_json& doc) { return doc.dump(2) + "\n"; }

// A scalar or array of strings as a sorted, duplicate-free array; `lower` for action names,
// which IAM matches case-insensitively.
json SortedList(const json& value, bool lower) {
  json list = value.is_array() ? value : json::array({value});
  std::vector<std::string> items;
  for (const json& v : list) {
    if (!v.is_string()) return value;  // not a list of strings: compared as written
    items.push_back(lower ? core::AsciiLower(v.get<std::string>()) : v.get<std::string>());
  }
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return json(items);
}

json NormalizePrincipal(const json& principal, std::string_view partition) {
  if (!principal.is_object()) return principal;  // "*"
  json out = json::object();
  for (const auto& [type, value] : principal.items()) {
    json list = SortedList(value, false);
    if (type == "AWS" && list.is_array()) {
      std::vector<std::string> ids;
      for (const json& v : list) {
        std::string id = v.get<std::string>();
        // IAM stores an account id as the account's root ARN.
        if (core::IsAccountId(id)) id = "arn:" + std::string(partition) + ":iam::" + id + ":root";
        ids.push_back(std::move(id));
      }
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      list = ids;
    }
    out[type] = list;
  }
  return out;
}

json NormalizeStatement(const json& statement, std::string_view partition) {
  if (!statement.is_object()) return statement;
  json out = json::object();
  for (const auto& [key, value] : statement.items()) {
    if (key == "Action" || key == "NotAction") {
      out[key] = SortedList(value, true);
    } else if (key == "Resource" || key == "NotResource") {
      out[key] = SortedList(value, false);
    } else if (key == "Principal" || key == "NotPrincipal") {
      out[key] = NormalizePrincipal(value, partition);
    } else {
      out[key] = value;
    }
  }
  return out;
}

json Normalize(const json& doc, std::string_view partition) {
  if (!doc.is_object()) return doc;
  json out = json::object();
  for (const auto& [key, value] : doc.items()) {
    if (key != "Statement") {
      out[key] = value;
      continue;
    }
    json list = value.is_array() ? value : json::array({value});
    std::vector<std::string> statements;
    for (const json& s : list) statements.push_back(NormalizeStatement(s, partition).dump());
    std::sort(statements.begin(), statements.end());
    statements.erase(std::unique(statements.begin(), statements.end()), statements.end());
    json normalized = json::array();
    for (const std::string& s : statements) normalized.push_back(json::parse(s));
    out[key] = normalized;
  }
  return out;
}

}  // namespace

std::string EcrReadPolicyDocument(std::string_view packages_account, std::string_view partition) {
  ordered_json read = {
      {"Sid", "ECRRead"},
      {"Effect", "Allow"},
      {"Action",
       {"ecr:DescribeImageScanFindings", "ecr:GetDownloadUrlForLayer", "ecr:DescribeRegistry",
        "ecr:DescribePullThroughCacheRules", "ecr:DescribeImageReplicationStatus",
        "ecr:ListTagsForResource", "ecr:ListImages", "ecr:BatchGetImage", "ecr:DescribeImages",
        "ecr:DescribeRepositories", "ecr:BatchCheckLayerAvailability"}},
      {"Resource", "arn:" + std::string(partition) + ":ecr:*:" + std::string(packages_account) +
                       ":repository/*"},
  };
  ordered_json login = {
      {"Sid", "ECRLogin"},
      {"Effect", "Allow"},
      {"Action", ordered_json::array({"ecr:GetAuthorizationToken"})},
      {"Resource", "*"},
  };
  return Render({{"Version", "2012-10-17"}, {"Statement", ordered_json::array({read, login})}});
}

std::string TrustPolicyDocument(std::string_view trusted_account, std::string_view partition) {
  ordered_json statement = {
      {"Effect", "Allow"},
      {"Principal",
       {{"AWS",
         "arn:" + std::string(partition) + ":iam::" + std::string(trusted_account) + ":root"}}},
      {"Action", "sts:AssumeRole"},
  };
  return Render({{"Version", "2012-10-17"}, {"Statement", ordered_json::array({statement})}});
}

std::string AssumeRolePolicyDocument(std::string_view role_arn) {
  ordered_json statement = {
      {"Effect", "Allow"},
      {"Action", "sts:AssumeRole"},
      {"Resource", std::string(role_arn)},
  };
  return Render({{"Version", "2012-10-17"}, {"Statement", statement}});
}

bool EquivalentPolicies(std::string_view actual, std::string_view expected,
                        std::string_view partition) {
  json a = json::parse(actual, nullptr, false);
  json e = json::parse(expected, nullptr, false);
  if (a.is_discarded() || e.is_discarded()) return false;
  return Normalize(a, partition) == Normalize(e, partition);
}

}  // namespace cpa::share
