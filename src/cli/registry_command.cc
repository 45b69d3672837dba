// `cpa registry publish` and `cpa registry list`: an operator's access to the registries of a
// `cpa serve` data directory while the server is stopped (the store admits one process at a
// time). publish adds packages in the formats the seeded ones use (server/registry/publish.h,
// chart_directory.h, oci_layout.h); list shows the repositories and tags.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/status.h"
#include "server/registry/artifacts/package_bundle.h"
#include "server/registry/chart_directory.h"
#include "server/registry/oci_layout.h"
#include "server/registry/publish.h"
#include "server/registry/registry.h"
#include "server/store/store.h"

namespace cpa::cli {
namespace {

namespace reg = server::registry;
namespace st = server::store;
using core::ErrorCode;
using core::Result;
using core::Status;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;

struct Opened {
  std::unique_ptr<st::Store> store;
  std::unique_ptr<reg::Registry> registry;
};

// Opens the store and registry of an existing data directory. The store's lock would refuse a
// directory a server holds anyway; checking it first gives the operator the reason and the fix.
Status CheckDataDir(const std::string& dir) {
  if (::access((dir + "/cpa.db").c_str(), F_OK) != 0) {
    return Status(ErrorCode::kNotFound, "'" + dir +
                                            "' is not a cpa data directory (no cpa.db); run "
                                            "`cpa serve --data " +
                                            dir + "` once to create it");
  }
  return Status::Ok();
}

Result<Opened> OpenData(const std::string& dir) {
  CPA_RETURN_IF_ERROR(CheckDataDir(dir));
  const std::string lock = dir + "/lock";
  int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    const bool busy = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    if (busy) {
      return Status(ErrorCode::kInvalidArgument,
                    "data directory '" + dir +
                        "' is in use by another cpa process (is `cpa serve` running on it?); "
                        "stop the server first");
    }
  }
  Opened o;
  st::StoreOptions so;
  so.data_dir = dir;
  CPA_ASSIGN_OR_RETURN(o.store, st::Store::Open(so));
  reg::RegistryOptions ro;
  ro.store = o.store.get();
  CPA_ASSIGN_OR_RETURN(o.registry, reg::Registry::Open(ro));
  return o;
}

Result<std::vector<st::Account>> AllAccounts(st::Store& store) {
  std::vector<st::Account> out;
  st::PageRequest page;
  page.max_items = st::kMaxMaxItems;
  while (true) {
    CPA_ASSIGN_OR_RETURN(st::Page<st::Account> p, store.accounts().List(page));
    out.insert(out.end(), p.items.begin(), p.items.end());
    if (!p.is_truncated) return out;
    page.marker = p.marker;
  }
}

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, "cannot read '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- publish ----

struct PublishArgs {
  std::string data;
  std::string region;
  std::string account;
  std::string chart;
  std::string bundle;
  std::string oci_layout;
  std::string repository;
  std::string tag;
};

int Fail(std::string_view command, const Status& status) {
  std::cerr << "cpa registry " << command << ": " << status.message() << "\n";
  return kExitError;
}

Status CheckSource(const PublishArgs& a) {
  const int sources = !a.chart.empty() + !a.bundle.empty() + !a.oci_layout.empty();
  if (sources != 1) {
    return Status(ErrorCode::kInvalidArgument,
                  "give exactly one of --chart, --bundle and --oci-layout");
  }
  if (!a.chart.empty() && !a.tag.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "--tag does not apply to --chart (a chart is tagged with its version)");
  }
  if ((!a.bundle.empty() || !a.oci_layout.empty()) && a.tag.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  std::string(a.bundle.empty() ? "--oci-layout" : "--bundle") + " needs --tag");
  }
  if (!a.oci_layout.empty() && a.repository.empty()) {
    return Status(ErrorCode::kInvalidArgument, "--oci-layout needs --repository");
  }
  return Status::Ok();
}

Result<std::string> TargetAccount(st::Store& store, const PublishArgs& a) {
  CPA_ASSIGN_OR_RETURN(std::vector<st::Account> accounts, AllAccounts(store));
  const st::Account* packages = nullptr;
  for (const st::Account& acct : accounts) {
    if (acct.aws_owned && acct.region == a.region) packages = &acct;
  }
  if (packages == nullptr) {
    return Status(ErrorCode::kNotFound,
                  "no packages account for region '" + a.region + "' in this data directory");
  }
  if (!a.account.empty()) {
    CPA_ASSIGN_OR_RETURN(st::Account acct, store.accounts().Get(a.account));
    if (acct.aws_owned && acct.region != a.region) {
      return Status(ErrorCode::kInvalidArgument, "account " + a.account +
                                                     " is the packages account of " + acct.region +
                                                     ", not of " + a.region);
    }
    return acct.id;
  }
  return packages->id;
}

int RunPublish(const PublishArgs& a) {
  if (Status s = CheckSource(a); !s.ok()) return Fail("publish", s);
  if (Status s = CheckDataDir(a.data); !s.ok()) return Fail("publish", s);
  // Build and check the content before the data directory is touched.
  std::optional<reg::ChartPackage> chart;
  std::optional<reg::artifacts::Artifact> bundle;
  if (!a.chart.empty()) {
    auto c = reg::PackageChartDirectory(a.chart);
    if (!c.ok()) return Fail("publish", c.status());
    chart = std::move(*c);
  } else if (!a.bundle.empty()) {
    auto text = ReadText(a.bundle);
    if (!text.ok()) return Fail("publish", text.status());
    auto b = reg::BuildBundleArtifactFromYaml(*text);
    if (!b.ok())
      return Fail("publish", Status(b.status().code(), a.bundle + ": " + b.status().message()));
    bundle = std::move(*b);
  }

  auto opened = OpenData(a.data);
  if (!opened.ok()) return Fail("publish", opened.status());
  reg::Registry& registry = *opened->registry;
  auto account = TargetAccount(*opened->store, a);
  if (!account.ok()) return Fail("publish", account.status());

  reg::RepositoryId id{*account, a.region, a.repository};
  Result<reg::Image> image = Status(ErrorCode::kInternal, "nothing published");
  std::string tag = a.tag;
  if (chart) {
    if (id.name.empty()) id.name = chart->name;
    tag = chart->tag;
    image = reg::PublishArtifact(registry, id, chart->artifact, {tag});
  } else if (bundle) {
    if (id.name.empty()) id.name = std::string(reg::artifacts::kBundleRepository);
    image = reg::PublishArtifact(registry, id, *bundle, {tag});
  } else {
    image = reg::ImportOciLayout(registry, id, a.oci_layout, tag, tag);
  }
  if (!image.ok()) return Fail("publish", image.status());
  std::cout << "account: " << id.account_id << "\n"
            << "region: " << id.region << "\n"
            << "repository: " << id.name << "\n"
            << "tag: " << tag << "\n"
            << "digest: " << image->digest << "\n";
  return kExitOk;
}

// ---- list ----

struct ListArgs {
  std::string data;
  std::string region;
  std::string account;
};

int RunList(const ListArgs& a) {
  auto opened = OpenData(a.data);
  if (!opened.ok()) return Fail("list", opened.status());
  reg::Registry& registry = *opened->registry;
  auto accounts = AllAccounts(*opened->store);
  if (!accounts.ok()) return Fail("list", accounts.status());

  // Packages accounts live in their region; other accounts may have repositories in any region
  // a packages account serves.
  std::vector<std::string> regions;
  for (const st::Account& acct : *accounts) {
    if (acct.aws_owned && !acct.region.empty()) regions.push_back(acct.region);
  }
  std::sort(regions.begin(), regions.end());
  regions.erase(std::unique(regions.begin(), regions.end()), regions.end());
  if (!a.account.empty() &&
      std::none_of(accounts->begin(), accounts->end(),
                   [&](const st::Account& acct) { return acct.id == a.account; })) {
    return Fail("list", Status(ErrorCode::kNotFound, "no account " + a.account));
  }

  std::vector<std::vector<std::string>> rows = {
      {"ACCOUNT", "REGION", "REPOSITORY", "TAG", "DIGEST"}};
  for (const st::Account& acct : *accounts) {
    if (!a.account.empty() && acct.id != a.account) continue;
    std::vector<std::string> in = acct.aws_owned ? std::vector<std::string>{acct.region} : regions;
    for (const std::string& region : in) {
      if (!a.region.empty() && region != a.region) continue;
      auto repos = registry.ListRepositories(acct.id, region, {});
      if (!repos.ok()) return Fail("list", repos.status());
      for (const reg::Repository& repo : repos->items) {
        auto images = registry.ListImages(repo.id, reg::TagStatus::kTagged, {});
        if (!images.ok()) return Fail("list", images.status());
        std::vector<reg::ImageIdEntry> entries = images->items;
        std::sort(entries.begin(), entries.end(),
                  [](const auto& x, const auto& y) { return x.tag < y.tag; });
        if (entries.empty()) rows.push_back({acct.id, region, repo.id.name, "-", "-"});
        for (const reg::ImageIdEntry& e : entries) {
          rows.push_back({acct.id, region, repo.id.name, e.tag, e.digest});
        }
      }
    }
  }
  std::vector<size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterRegistryCommand(CLI::App& app, CommandRegistry& registry) {
  CLI::App* cmd = app.add_subcommand(
      "registry", "Publish packages into, and list, the registries of a stopped cpa serve's data");
  cmd->require_subcommand(1);

  auto pub = std::make_shared<PublishArgs>();
  CLI::App* publish = cmd->add_subcommand(
      "publish", "Push a Helm chart, a PackageBundle or an OCI image layout (server stopped)");
  publish->footer(
      "Lays content out as the seeded packages are. The content is checked before the data\n"
      "directory is opened; the repository is created when missing. Prints the account,\n"
      "region, repository, tag and digest.");
  publish->add_option("--data", pub->data, "Data directory of cpa serve")->required();
  publish->add_option("--region", pub->region, "Region of the registry")->required();
  publish->add_option("--account", pub->account,
                      "Account whose registry receives the content (default: the packages "
                      "account of --region)");
  publish->add_option("--chart", pub->chart,
                      "Helm chart directory (Chart.yaml, .helmignore honoured); tagged with its "
                      "version");
  publish->add_option("--bundle", pub->bundle,
                      "PackageBundle YAML file, pushed as the bundle layer (needs --tag)");
  publish->add_option("--oci-layout", pub->oci_layout,
                      "OCI image layout directory (skopeo copy ... oci:DIR:TAG); the image named "
                      "--tag, or its only image (needs --repository and --tag)");
  publish->add_option("--repository", pub->repository,
                      "Repository (default: the chart name for --chart, "
                      "eks-anywhere-packages-bundles for --bundle)");
  publish->add_option("--tag", pub->tag, "Tag to push (--bundle, --oci-layout)");
  publish->callback([&registry, pub] { registry.SetAction([pub] { return RunPublish(*pub); }); });

  auto ls = std::make_shared<ListArgs>();
  CLI::App* list = cmd->add_subcommand(
      "list", "List the repositories, tags and digests of a data directory (server stopped)");
  list->add_option("--data", ls->data, "Data directory of cpa serve")->required();
  list->add_option("--region", ls->region, "Only this region");
  list->add_option("--account", ls->account, "Only this account");
  list->callback([&registry, ls] { registry.SetAction([ls] { return RunList(*ls); }); });
}

}  // namespace cpa::cli
