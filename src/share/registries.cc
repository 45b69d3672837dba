#include "share/registries.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/arn.h"
#include "core/packages_registries.h"

namespace cpa::share {
namespace {

using core::ErrorCode;
using core::Status;
using nlohmann::ordered_json;

std::vector<std::string> SplitLabels(std::string_view host) {
  std::vector<std::string> labels;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    labels.emplace_back(host.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels;
}

RegistryRow RowOf(const core::PackagesRegistryAccount& e) {
  return {std::string(e.region), std::string(e.account_id),
          core::PackagesRegistryHost(e.account_id, e.region), e.in_docs_table};
}

ordered_json RowJson(const RegistryRow& row) {
  return {{"Region", row.region},
          {"AccountId", row.account_id},
          {"RegistryHost", row.host},
          {"InDocsTable", row.in_docs_table}};
}

}  // namespace

core::Result<RegistryHost> ParseRegistryHost(std::string_view text) {
  std::string_view host = text;
  if (auto scheme = host.find("://"); scheme != std::string_view::npos) {
    host = host.substr(scheme + 3);
  }
  if (auto slash = host.find('/'); slash != std::string_view::npos) host = host.substr(0, slash);
  if (auto colon = host.find(':'); colon != std::string_view::npos) host = host.substr(0, colon);
  std::vector<std::string> labels = SplitLabels(host);
  const bool domain_ok =
      labels.size() >= 5 && std::none_of(labels.begin() + 4, labels.end(),
                                         [](const std::string& l) { return l.empty(); });
  if (!domain_ok || !core::IsAccountId(labels[0]) || labels[1] != "dkr" ||
      (labels[2] != "ecr" && labels[2] != "ecr-fips") || labels[3].empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "`" + std::string(text) +
                      "` is not an ECR registry host (ACCOUNT.dkr.ecr.REGION.amazonaws.com)");
  }
  return RegistryHost{labels[0], labels[3], std::string(host)};
}

std::vector<RegistryRow> RegistryTable() {
  std::vector<RegistryRow> rows;
  for (const auto& e : core::kPackagesRegistryAccounts) rows.push_back(RowOf(e));
  std::sort(rows.begin(), rows.end(),
            [](const RegistryRow& a, const RegistryRow& b) { return a.region < b.region; });
  return rows;
}

core::Result<RegistryRow> RegistryForRegion(std::string_view region) {
  for (const auto& e : core::kPackagesRegistryAccounts) {
    if (e.region == region) return RowOf(e);
  }
  return Status(ErrorCode::kNotFound,
                "region `" + std::string(region) +
                    "` has no EKS Anywhere curated packages registry (`cpa registries` lists the " +
                    std::to_string(core::kPackagesRegistryAccounts.size()) + " regions)");
}

std::string RenderRegistryTableText() {
  std::vector<RegistryRow> rows = RegistryTable();
  size_t width = std::string("REGION").size();
  for (const auto& r : rows) width = std::max(width, r.region.size());
  auto pad = [&](std::string s) {
    s.resize(width + 2, ' ');
    return s;
  };
  std::string out = pad("REGION") + "ACCOUNT       REGISTRY HOST\n";
  for (const auto& r : rows) {
    out += pad(r.region) + r.account_id + "  " + r.host;
    if (!r.in_docs_table) out += "  (not in the docs table)";
    out += "\n";
  }
  return out;
}

std::string RenderRegistryTableJson() {
  ordered_json rows = ordered_json::array();
  for (const auto& r : RegistryTable()) rows.push_back(RowJson(r));
  return ordered_json({{"Registries", rows}}).dump(2) + "\n";
}

std::string RenderRegistryText(const RegistryRow& row) {
  return row.account_id + "\t" + row.host + "\n";
}

std::string RenderRegistryJson(const RegistryRow& row) { return RowJson(row).dump(2) + "\n"; }

core::Result<PackagesAccount> ChoosePackagesAccount(std::string_view region,
                                                    const SubscriptionFinding& finding) {
  auto table = RegistryForRegion(region);
  PackagesAccount out;
  if (!finding.package_registry.empty()) {
    auto host = ParseRegistryHost(finding.package_registry);
    if (!host.ok()) {
      return Status(ErrorCode::kInvalidArgument,
                    "subscription " + finding.subscription_id +
                        ": packageRegistry: " + host.status().message());
    }
    if (host->region != region) {
      return Status(ErrorCode::kInvalidArgument,
                    "subscription " + finding.subscription_id + " is in region " + host->region +
                        " (packageRegistry " + finding.package_registry + "), not in --region " +
                        std::string(region));
    }
    out.account_id = host->account_id;
    out.host = host->host;
    out.source = AccountSource::kSubscription;
    out.explanation = "packageRegistry of subscription " + finding.subscription_id;
    if (table.ok() && table->account_id != out.account_id) {
      out.warnings.push_back("the region table names account " + table->account_id + " for " +
                             std::string(region) + "; the subscription's account is used");
    }
    return out;
  }
  if (!table.ok()) return table.status();
  out.account_id = table->account_id;
  out.host = table->host;
  out.source = AccountSource::kTable;
  out.explanation = "region table";
  if (!finding.unavailable_reason.empty()) {
    out.reason = finding.unavailable_reason;
  } else if (!finding.subscription_id.empty()) {
    out.reason = "subscription " + finding.subscription_id + " has no packageRegistry";
  }
  return out;
}

}  // namespace cpa::share
