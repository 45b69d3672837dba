#include "server/store/world.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "server/store/bootstrap.h"
#include "server/store/packages_accounts.h"
#include "server/store/store.h"

namespace cpa::server::store {

using core::ErrorCode;
using core::Result;
using core::Status;

namespace {

Status EnsurePackagesAccounts(Store& store) {
  for (const auto& e : kPackagesRegistryAccounts) {
    if (store.accounts().Exists(e.account_id)) continue;
    Account a;
    a.id = std::string(e.account_id);
    a.name = "eks-anywhere-packages-" + std::string(e.region);
    a.aws_owned = true;
    a.region = std::string(e.region);
    CPA_RETURN_IF_ERROR(store.accounts().Create(a).status());
  }
  return Status::Ok();
}

Bootstrap DefaultBootstrap() {
  Bootstrap b;
  BootstrapAccount subscription;
  subscription.id = std::string(kSubscriptionAccountId);
  subscription.name = "subscription-account";
  BootstrapAccount receiving;
  receiving.id = std::string(kReceivingAccountId);
  receiving.name = "receiving-account";
  b.accounts = {subscription, receiving};
  return b;
}

// Writes `text` to `path` with mode 0600 atomically (temporary file, fsync, rename).
Status WritePrivateFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status(ErrorCode::kInternal, "cannot write " + tmp + ": " + std::strerror(errno));
  }
  ::fchmod(fd, 0600);
  size_t off = 0;
  Status s;
  while (off < text.size()) {
    ssize_t w = ::write(fd, text.data() + off, text.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      s = Status(ErrorCode::kInternal, "cannot write " + tmp + ": " + std::strerror(errno));
      break;
    }
    off += static_cast<size_t>(w);
  }
  if (s.ok() && ::fsync(fd) != 0) {
    s = Status(ErrorCode::kInternal, "cannot fsync " + tmp + ": " + std::strerror(errno));
  }
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Status(ErrorCode::kInternal, "cannot rename " + tmp + ": " + std::strerror(errno));
  }
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

}  // namespace

std::string FormatRootCredentials(const std::vector<RootCredential>& credentials) {
  std::string out =
      "# Root credentials of the customer accounts of this cpa data directory.\n"
      "# Written by cpa serve on every start; use with AWS_SHARED_CREDENTIALS_FILE.\n";
  for (const auto& c : credentials) {
    out += "\n[account-" + c.account_id + "]\n";
    out += "aws_access_key_id = " + c.access_key_id + "\n";
    out += "aws_secret_access_key = " + c.secret_access_key + "\n";
  }
  return out;
}

Result<World> EnsureWorld(Store& store, const WorldOptions& options) {
  Bootstrap bootstrap;
  if (options.bootstrap_file.empty()) {
    bootstrap = DefaultBootstrap();
  } else {
    CPA_ASSIGN_OR_RETURN(bootstrap, LoadBootstrapFile(options.bootstrap_file));
  }
  World world;
  CPA_RETURN_IF_ERROR(store.Transaction([&]() -> Status {
    CPA_RETURN_IF_ERROR(EnsurePackagesAccounts(store));
    return ApplyBootstrap(store, bootstrap, &world.created_keys);
  }));
  world.packages_accounts = static_cast<int>(kPackagesRegistryAccounts.size());

  // Every customer account (not only this file's: earlier starts may have made others).
  std::vector<RootCredential> creds;
  PageRequest page;
  page.max_items = kMaxMaxItems;
  while (true) {
    CPA_ASSIGN_OR_RETURN(Page<Account> accounts, store.accounts().List(page));
    for (const Account& a : accounts.items) {
      if (a.aws_owned) continue;
      world.customer_accounts.push_back(a.id);
      CPA_ASSIGN_OR_RETURN(Page<AccessKey> keys, store.access_keys().List(a.id, ""));
      for (const AccessKey& k : keys.items) {
        if (k.status != AccessKeyStatus::kActive) continue;
        CPA_ASSIGN_OR_RETURN(auto cred, store.LookupCredential(k.access_key_id));
        creds.push_back({a.id, k.access_key_id, cred->secret_access_key});
        break;
      }
    }
    if (!accounts.is_truncated) break;
    page.marker = accounts.marker;
  }
  world.root_credentials_path = store.data_dir() + "/root-credentials";
  CPA_RETURN_IF_ERROR(WritePrivateFile(world.root_credentials_path, FormatRootCredentials(creds)));
  return world;
}

}  // namespace cpa::server::store
