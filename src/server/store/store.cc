#include "server/store/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "server/store/schema.h"
#include "server/store/store_state.h"

namespace cpa::server::store {

using namespace internal;  // NOLINT(google-build-using-namespace)
using core::ErrorCode;
using core::Result;
using core::Status;

namespace {

constexpr std::string_view kKeyCheckId = "meta:key_check";
constexpr std::string_view kKeyCheckText = "cpa master key check";

Status MakeDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::Ok();
    return Status(ErrorCode::kInternal, "data directory " + dir + " is not a directory");
  }
  return Status(ErrorCode::kInternal,
                "cannot create data directory " + dir + ": " + std::strerror(errno));
}

Result<int> LockDir(const std::string& dir) {
  std::string path = dir + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status(ErrorCode::kInternal, "cannot open " + path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status(ErrorCode::kInternal,
                  "data directory " + dir + " is in use by another cpa process (" + path + ")");
  }
  return fd;
}

// The master key: created on first start, otherwise loaded and verified against the database's
// key check (a value sealed under it at creation).
Status SetUpMasterKey(StoreState& s, const std::string& key_path, const std::string& db_path) {
  std::optional<std::string> check;
  {
    CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("SELECT value FROM meta WHERE key = ?1"));
    q->Bind(1, kKeyCheckId);
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (row) check = q->Blob(0);
  }
  CPA_ASSIGN_OR_RETURN(SecretBox box, SecretBox::LoadOrCreate(key_path, !check, s.random));
  if (check) {
    auto opened = box.Open(*check, kKeyCheckId);
    if (!opened.ok() || *opened != kKeyCheckText) {
      return Status(ErrorCode::kInternal,
                    "master key " + key_path + " is not the key of database " + db_path +
                        " (its key check does not decrypt); restore the original master.key");
    }
  } else {
    CPA_ASSIGN_OR_RETURN(std::string sealed, box.Seal(kKeyCheckText, kKeyCheckId, s.random));
    CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("INSERT INTO meta(key, value) VALUES (?1, ?2)"));
    q->Bind(1, kKeyCheckId).BindBlob(2, sealed);
    CPA_RETURN_IF_ERROR(q->Run());
  }
  s.box.emplace(box);
  return Status::Ok();
}

}  // namespace

Store::Store(std::string data_dir, std::unique_ptr<StoreState> state)
    : data_dir_(std::move(data_dir)),
      state_(std::move(state)),
      accounts_(*state_),
      users_(*state_),
      roles_(*state_),
      policies_(*state_),
      attachments_(*state_),
      inline_policies_(*state_),
      access_keys_(*state_),
      sessions_(*state_),
      subscriptions_(*state_) {}

Store::~Store() {
  state_->db.reset();  // close before releasing the directory lock
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  if (options.data_dir.empty()) {
    return Status(ErrorCode::kInvalidArgument, "store: no data directory");
  }
  std::string dir = options.data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  CPA_RETURN_IF_ERROR(MakeDir(dir));
  CPA_ASSIGN_OR_RETURN(int lock_fd, LockDir(dir));
  auto state = std::make_unique<StoreState>(
      options.clock ? *options.clock : core::DefaultClock(),
      options.random ? *options.random : core::DefaultRandom(), options.credential_cache_capacity);
  std::unique_ptr<Store> store(new Store(dir, std::move(state)));
  store->lock_fd_ = lock_fd;
  DatabaseOptions db_options;
  db_options.synchronous_full = options.synchronous_full;
  db_options.busy_timeout_ms = options.busy_timeout_ms;
  CPA_ASSIGN_OR_RETURN(store->state_->db, Database::Open(store->database_path(), db_options));
  CPA_RETURN_IF_ERROR(Migrate(*store->state_->db).status());
  CPA_RETURN_IF_ERROR(
      SetUpMasterKey(*store->state_, store->master_key_path(), store->database_path()));
  return store;
}

Status Store::Transaction(const std::function<Status()>& fn) { return state_->Write(fn); }

uint64_t Store::generation() const { return state_->generation.load(std::memory_order_acquire); }
const core::Clock& Store::clock() const { return state_->clock; }
core::Random& Store::random() { return state_->random; }
size_t Store::credential_cache_size() const { return state_->cache.size(); }
std::array<uint8_t, 32> Store::DeriveKey(std::string_view label) const {
  return state_->box->DeriveKey(label);
}

Result<std::shared_ptr<Credential>> Store::LoadKey(std::string_view id) {
  CPA_ASSIGN_OR_RETURN(
      auto q, state_->db->Prepare("SELECT k.account_id, k.secret, k.active, u.name, u.path, "
                                  "u.unique_id FROM access_keys k LEFT JOIN users u ON "
                                  "u.pk = k.user_pk WHERE k.id = ?1"));
  q->Bind(1, id);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::shared_ptr<Credential>();
  auto c = std::make_shared<Credential>();
  c->access_key_id = std::string(id);
  c->account_id = q->Text(0);
  CPA_ASSIGN_OR_RETURN(c->secret_access_key, state_->box->Open(q->Blob(1), id));
  c->active = q->Int(2) != 0;
  if (q->IsNull(3)) {
    c->kind = PrincipalKind::kRoot;
    c->principal_arn = "arn:aws:iam::" + c->account_id + ":root";
    c->principal_id = c->account_id;
  } else {
    c->kind = PrincipalKind::kUser;
    c->user_name = q->Text(3);
    c->principal_arn = IamArn(c->account_id, "user", q->Text(4), c->user_name);
    c->principal_id = q->Text(5);
  }
  return c;
}

Result<std::shared_ptr<Credential>> Store::LoadSession(std::string_view id) {
  CPA_ASSIGN_OR_RETURN(
      auto q, state_->db->Prepare(
                  "SELECT account_id, secret, token_sha256, role_arn, role_id, role_name, "
                  "session_name, source_identity, source_arn, session_policy, "
                  "session_policy_arns, role_chained, expiration FROM sessions WHERE id = ?1"));
  q->Bind(1, id);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::shared_ptr<Credential>();
  auto c = std::make_shared<Credential>();
  c->access_key_id = std::string(id);
  c->kind = PrincipalKind::kAssumedRole;
  c->account_id = q->Text(0);
  CPA_ASSIGN_OR_RETURN(c->secret_access_key, state_->box->Open(q->Blob(1), id));
  c->session_token_sha256 = q->Blob(2);
  c->role_arn = q->Text(3);
  c->role_id = q->Text(4);
  c->role_name = q->Text(5);
  c->session_name = q->Text(6);
  c->source_identity = q->OptionalText(7);
  c->source_arn = q->Text(8);
  c->session_policy = q->OptionalText(9);
  std::string arns = q->Text(10);
  for (size_t pos = 0; pos < arns.size();) {
    size_t nl = arns.find('\n', pos);
    if (nl == std::string::npos) nl = arns.size();
    c->session_policy_arns.push_back(arns.substr(pos, nl - pos));
    pos = nl + 1;
  }
  c->role_chained = q->Int(11) != 0;
  c->expiration = FromUnix(q->Int(12));
  c->principal_arn = AssumedRoleArn(c->account_id, c->role_name, c->session_name);
  c->principal_id = c->role_id + ":" + c->session_name;
  return c;
}

Result<std::shared_ptr<const Credential>> Store::LookupCredential(std::string_view id) {
  if (auto hit = state_->cache.Find(id)) return hit;
  std::lock_guard lock(state_->mu);
  if (auto hit = state_->cache.Find(id)) return hit;
  const bool temporary = id.substr(0, 4) == core::id_prefix::kTemporaryKey;
  CPA_ASSIGN_OR_RETURN(std::shared_ptr<Credential> c, temporary ? LoadSession(id) : LoadKey(id));
  if (!c) {
    CPA_ASSIGN_OR_RETURN(c, temporary ? LoadKey(id) : LoadSession(id));
  }
  if (!c) {
    return Status(ErrorCode::kNotFound, "access key " + std::string(id) + " does not exist");
  }
  // Filled under the lock, so that no write can slip between the read and the insertion.
  if (state_->CanFillCache()) state_->cache.Insert(c);
  return std::shared_ptr<const Credential>(std::move(c));
}

}  // namespace cpa::server::store
