#include "server/store/session.h"

#include "core/crypto.h"
#include "core/ids.h"
#include "server/store/store_state.h"

namespace cpa::server::store {

using namespace internal;  // NOLINT(google-build-using-namespace)
using core::Result;
using core::Status;

std::string AssumedRoleArn(std::string_view account_id, std::string_view role_name,
                           std::string_view session_name) {
  std::string arn = "arn:aws:sts::";
  arn += account_id;
  arn += ":assumed-role/";
  arn += role_name;
  arn += '/';
  arn += session_name;
  return arn;
}

namespace {

std::string JoinLines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += '\n';
    out += s;
  }
  return out;
}

std::vector<std::string> SplitLines(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto nl = s.find('\n');
    out.emplace_back(s.substr(0, nl));
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return out;
}

constexpr std::string_view kColumns =
    "id, account_id, role_arn, role_id, role_name, session_name, source_identity, source_arn, "
    "session_policy, session_policy_arns, role_chained, issued, expiration";

Session Row(const Statement& q) {
  Session s;
  s.access_key_id = q.Text(0);
  s.account_id = q.Text(1);
  s.role_arn = q.Text(2);
  s.role_id = q.Text(3);
  s.role_name = q.Text(4);
  s.session_name = q.Text(5);
  s.source_identity = q.OptionalText(6);
  s.source_arn = q.Text(7);
  s.session_policy = q.OptionalText(8);
  s.session_policy_arns = SplitLines(q.Text(9));
  s.role_chained = q.Int(10) != 0;
  s.issued = FromUnix(q.Int(11));
  s.expiration = FromUnix(q.Int(12));
  s.assumed_role_arn = AssumedRoleArn(s.account_id, s.role_name, s.session_name);
  s.assumed_role_id = s.role_id + ":" + s.session_name;
  return s;
}

}  // namespace

Result<Session> SessionRepository::Create(const NewSession& in) {
  if (in.duration.count() <= 0) {
    return Status(core::ErrorCode::kInvalidArgument, "session duration must be positive");
  }
  Session s;
  s.account_id = in.account_id;
  s.role_arn = in.role_arn;
  s.role_id = in.role_id;
  s.role_name = in.role_name;
  s.session_name = in.session_name;
  s.source_identity = in.source_identity;
  s.source_arn = in.source_arn;
  s.session_policy = in.session_policy;
  s.session_policy_arns = in.session_policy_arns;
  s.role_chained = in.role_chained;
  s.issued = s_.clock.Now();
  s.expiration = s.issued + in.duration;
  s.assumed_role_arn = AssumedRoleArn(s.account_id, s.role_name, s.session_name);
  s.assumed_role_id = s.role_id + ":" + s.session_name;
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    CPA_RETURN_IF_ERROR(RequireAccount(s_, in.account_id));
    s.access_key_id = s_.ids.AccessKeyId(core::id_prefix::kTemporaryKey, in.account_id);
    s.secret_access_key = s_.ids.SecretAccessKey();
    s.session_token = s_.ids.SessionToken();
    core::Sha256Digest token_hash = core::Sha256(s.session_token);
    CPA_ASSIGN_OR_RETURN(std::string sealed,
                         s_.box->Seal(s.secret_access_key, s.access_key_id, s_.random));
    CPA_ASSIGN_OR_RETURN(
        auto q, s_.db->Prepare("INSERT INTO sessions(id, account_id, secret, token_sha256, "
                               "role_arn, role_id, role_name, session_name, "
                               "source_identity, source_arn, session_policy, "
                               "session_policy_arns, role_chained, issued, expiration) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                               "?12, ?13, ?14, ?15)"));
    q->Bind(1, s.access_key_id).Bind(2, s.account_id).BindBlob(3, sealed);
    q->BindBlob(4, core::DigestView(token_hash)).Bind(5, s.role_arn).Bind(6, s.role_id);
    q->Bind(7, s.role_name).Bind(8, s.session_name).Bind(9, s.source_identity);
    q->Bind(10, s.source_arn).Bind(11, s.session_policy);
    q->Bind(12, JoinLines(s.session_policy_arns)).Bind(13, s.role_chained ? 1 : 0);
    q->Bind(14, ToUnix(s.issued)).Bind(15, ToUnix(s.expiration));
    CPA_RETURN_IF_ERROR(q->Run());
    s_.cache.Erase(s.access_key_id);
    return Status::Ok();
  }));
  return s;
}

Result<Session> SessionRepository::Get(std::string_view id) {
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(
      auto q, s_.db->Prepare("SELECT " + std::string(kColumns) + " FROM sessions WHERE id = ?1"));
  q->Bind(1, id);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return NotFound("Session " + std::string(id) + " does not exist.");
  return Row(*q);
}

Status SessionRepository::Delete(std::string_view id) {
  return s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("DELETE FROM sessions WHERE id = ?1"));
    q->Bind(1, id);
    CPA_RETURN_IF_ERROR(q->Run());
    s_.cache.Erase(id);
    if (s_.db->Changes() == 0) return NotFound("Session " + std::string(id) + " does not exist.");
    return Status::Ok();
  });
}

Result<int> SessionRepository::PurgeExpired(std::chrono::seconds grace) {
  int purged = 0;
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    const int64_t cutoff = ToUnix(s_.clock.Now() - grace);
    std::vector<std::string> ids;
    {
      CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT id FROM sessions WHERE expiration < ?1"));
      q->Bind(1, cutoff);
      while (true) {
        CPA_ASSIGN_OR_RETURN(bool row, q->Step());
        if (!row) break;
        ids.push_back(q->Text(0));
      }
    }
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("DELETE FROM sessions WHERE expiration < ?1"));
    q->Bind(1, cutoff);
    CPA_RETURN_IF_ERROR(q->Run());
    for (const auto& id : ids) s_.cache.Erase(id);
    purged = static_cast<int>(ids.size());
    return Status::Ok();
  }));
  return purged;
}

}  // namespace cpa::server::store
