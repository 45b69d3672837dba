#include "server/store/managed_policy.h"

#include "core/arn.h"
#include "server/store/store_state.h"

namespace cpa::server::store {

using namespace internal;  // NOLINT(google-build-using-namespace)
using core::ErrorCode;
using core::Result;
using core::Status;

namespace {

constexpr std::string_view kColumns =
    "p.pk, p.account_id, p.name, p.path, p.unique_id, p.description, p.default_version, "
    "p.create_date, p.update_date, "
    "(SELECT count(*) FROM user_policy_attachments a WHERE a.policy_pk = p.pk) + "
    "(SELECT count(*) FROM role_policy_attachments a WHERE a.policy_pk = p.pk)";

PolicyRow Row(const Statement& q) {
  PolicyRow r;
  ManagedPolicy& p = r.policy;
  r.pk = q.Int(0);
  p.account_id = q.Text(1);
  p.name = q.Text(2);
  p.path = q.Text(3);
  p.policy_id = q.Text(4);
  p.description = q.Text(5);
  p.default_version_id = "v" + std::to_string(q.Int(6));
  p.create_date = FromUnix(q.Int(7));
  p.update_date = FromUnix(q.Int(8));
  p.attachment_count = static_cast<int>(q.Int(9));
  p.arn = IamArn(p.account_id, "policy", p.path, p.name);
  return r;
}

struct PolicyName {
  std::string account, path, name;
};

Result<PolicyName> ParsePolicyArn(std::string_view text) {
  Status bad(ErrorCode::kInvalidArgument, "ARN " + std::string(text) + " is not valid.");
  auto arn = core::Arn::Parse(text);
  if (!arn.ok() || arn->service != "iam" || !arn->region.empty()) return bad;
  if (arn->account != kAwsManagedAccount && !core::IsAccountId(arn->account)) return bad;
  std::string_view res = arn->resource;
  if (res.substr(0, 7) != "policy/") return bad;
  std::string_view rest = res.substr(6);  // "/path/name"
  auto slash = rest.rfind('/');
  PolicyName out{arn->account, std::string(rest.substr(0, slash + 1)),
                 std::string(rest.substr(slash + 1))};
  if (out.name.empty()) return bad;
  return out;
}

Result<int64_t> ParseVersionId(std::string_view id) {
  Status bad(ErrorCode::kInvalidArgument, "Invalid version id " + std::string(id) + ".");
  if (id.size() < 2 || id.size() > 10 || id[0] != 'v' || id[1] == '0') return bad;
  int64_t v = 0;
  for (char c : id.substr(1)) {
    if (c < '0' || c > '9') return bad;
    v = v * 10 + (c - '0');
  }
  return v;
}

Status InsertVersion(StoreState& s, int64_t pk, int64_t version, std::string_view document,
                     core::TimePoint now) {
  CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("INSERT INTO policy_versions(policy_pk, version, "
                                             "document, create_date) VALUES (?1, ?2, ?3, ?4)"));
  q->Bind(1, pk).Bind(2, version).Bind(3, document).Bind(4, ToUnix(now));
  return q->Run();
}

Result<PolicyVersion> LoadVersion(StoreState& s, const PolicyRow& p, int64_t version) {
  CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("SELECT document, create_date FROM policy_versions "
                                             "WHERE policy_pk = ?1 AND version = ?2"));
  q->Bind(1, p.pk).Bind(2, version);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) {
    return NotFound("Policy " + p.policy.arn + " version v" + std::to_string(version) +
                    " does not exist or is not attachable.");
  }
  PolicyVersion v;
  v.version_id = "v" + std::to_string(version);
  v.document = q->Text(0);
  v.create_date = FromUnix(q->Int(1));
  v.is_default = v.version_id == p.policy.default_version_id;
  return v;
}

}  // namespace

namespace internal {
Result<PolicyRow> FindPolicy(StoreState& s, std::string_view arn) {
  CPA_ASSIGN_OR_RETURN(PolicyName n, ParsePolicyArn(arn));
  CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("SELECT " + std::string(kColumns) +
                                             " FROM managed_policies p WHERE p.account_id = ?1 "
                                             "AND p.name = ?2 AND p.path = ?3"));
  q->Bind(1, n.account).Bind(2, n.name).Bind(3, n.path);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return NotFound("Policy " + std::string(arn) + " was not found.");
  return Row(*q);
}
}  // namespace internal

Result<ManagedPolicy> PolicyRepository::Create(const NewPolicy& in) {
  CPA_RETURN_IF_ERROR(CheckName("policyName", in.name, 128));
  CPA_RETURN_IF_ERROR(CheckPath(in.path));
  if (in.account_id != kAwsManagedAccount) CPA_RETURN_IF_ERROR(CheckAccountId(in.account_id));
  ManagedPolicy p;
  p.account_id = in.account_id;
  p.name = in.name;
  p.path = in.path;
  p.description = in.description;
  p.default_version_id = "v1";
  p.create_date = p.update_date = s_.clock.Now();
  p.arn = IamArn(p.account_id, "policy", p.path, p.name);
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    if (!p.aws_managed()) CPA_RETURN_IF_ERROR(RequireAccount(s_, p.account_id));
    {
      CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT 1 FROM managed_policies WHERE "
                                                  "account_id = ?1 AND name = ?2"));
      q->Bind(1, p.account_id).Bind(2, p.name);
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (row) {
        return AlreadyExists("A policy called " + p.name +
                             " already exists. Duplicate names are not allowed.");
      }
    }
    p.policy_id =
        in.policy_id.empty() ? s_.ids.UniqueId(core::id_prefix::kManagedPolicy) : in.policy_id;
    CPA_ASSIGN_OR_RETURN(auto q,
                         s_.db->Prepare("INSERT INTO managed_policies(account_id, name, path, "
                                        "unique_id, description, default_version, next_version, "
                                        "create_date, update_date) "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, 1, 2, ?6, ?6)"));
    q->Bind(1, p.account_id).Bind(2, p.name).Bind(3, p.path).Bind(4, p.policy_id);
    q->Bind(5, p.description).Bind(6, ToUnix(p.create_date));
    CPA_RETURN_IF_ERROR(q->Run());
    return InsertVersion(s_, s_.db->LastInsertRowId(), 1, in.document, p.create_date);
  }));
  return p;
}

Result<ManagedPolicy> PolicyRepository::Get(std::string_view arn) {
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(PolicyRow r, FindPolicy(s_, arn));
  return r.policy;
}

Result<Page<ManagedPolicy>> PolicyRepository::List(const ListPoliciesRequest& req) {
  CPA_RETURN_IF_ERROR(CheckMaxItems(req.page.max_items));
  CPA_ASSIGN_OR_RETURN(Cursor c, DecodeMarker(req.page.marker));
  std::lock_guard lock(s_.mu);
  // ?1 local account or NULL, ?2 'aws' or NULL.
  CPA_ASSIGN_OR_RETURN(
      auto q, s_.db->Prepare("SELECT " + std::string(kColumns) +
                             " FROM managed_policies p WHERE (p.account_id = ?1 OR "
                             "p.account_id = ?2) AND substr(p.path, 1, length(?3)) = ?3 "
                             "AND (?4 IS NULL OR p.name > ?4 OR (p.name = ?4 AND p.pk > ?5)) "
                             "AND (?6 = 0 OR EXISTS (SELECT 1 FROM user_policy_attachments a "
                             "WHERE a.policy_pk = p.pk) OR EXISTS (SELECT 1 FROM "
                             "role_policy_attachments a WHERE a.policy_pk = p.pk)) "
                             "ORDER BY p.name, p.pk LIMIT ?7"));
  if (req.scope == PolicyScope::kAws) {
    q->BindNull(1);
  } else {
    q->Bind(1, req.account_id);
  }
  if (req.scope == PolicyScope::kLocal) {
    q->BindNull(2);
  } else {
    q->Bind(2, kAwsManagedAccount);
  }
  q->Bind(3, req.path_prefix);
  if (c.start) {
    q->BindNull(4);
  } else {
    q->Bind(4, c.key);
  }
  q->Bind(5, c.row).Bind(6, req.only_attached ? 1 : 0).Bind(7, req.page.max_items + 1);
  Page<ManagedPolicy> out;
  int64_t last_pk = 0;
  while (true) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (static_cast<int>(out.items.size()) == req.page.max_items) {
      out.is_truncated = true;
      out.marker = EncodeMarker(out.items.back().name, last_pk);
      break;
    }
    PolicyRow r = Row(*q);
    last_pk = r.pk;
    out.items.push_back(std::move(r.policy));
  }
  return out;
}

Status PolicyRepository::Delete(std::string_view arn) {
  return s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(PolicyRow r, FindPolicy(s_, arn));
    if (r.policy.attachment_count > 0) {
      return Conflict("Cannot delete a policy attached to entities.");
    }
    {
      CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT count(*) FROM policy_versions WHERE "
                                                  "policy_pk = ?1"));
      q->Bind(1, r.pk);
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (row && q->Int(0) > 1) {
        return Conflict(
            "This policy has more than one version. Before you delete a policy, you must "
            "delete the policy's versions. The default version is deleted with the policy.");
      }
    }
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("DELETE FROM managed_policies WHERE pk = ?1"));
    q->Bind(1, r.pk);
    return q->Run();  // versions cascade
  });
}

Result<PolicyVersion> PolicyRepository::CreateVersion(std::string_view arn,
                                                      std::string_view document,
                                                      bool set_as_default) {
  PolicyVersion v;
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(PolicyRow r, FindPolicy(s_, arn));
    int64_t next = 0;
    {
      CPA_ASSIGN_OR_RETURN(auto q,
                           s_.db->Prepare("SELECT (SELECT count(*) FROM policy_versions WHERE "
                                          "policy_pk = ?1), next_version FROM managed_policies "
                                          "WHERE pk = ?1"));
      q->Bind(1, r.pk);
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) return NotFound("Policy " + std::string(arn) + " was not found.");
      if (q->Int(0) >= kMaxPolicyVersions) {
        return Limit(
            "A managed policy can have up to 5 versions. Before you create a new version, you "
            "must delete an existing version.");
      }
      next = q->Int(1);
    }
    core::TimePoint now = s_.clock.Now();
    CPA_RETURN_IF_ERROR(InsertVersion(s_, r.pk, next, document, now));
    CPA_ASSIGN_OR_RETURN(auto q,
                         s_.db->Prepare("UPDATE managed_policies SET next_version = ?2, "
                                        "default_version = CASE WHEN ?3 THEN ?4 ELSE "
                                        "default_version END, update_date = ?5 WHERE pk = ?1"));
    q->Bind(1, r.pk).Bind(2, next + 1).Bind(3, set_as_default ? 1 : 0).Bind(4, next);
    q->Bind(5, ToUnix(now));
    CPA_RETURN_IF_ERROR(q->Run());
    v.version_id = "v" + std::to_string(next);
    v.document = std::string(document);
    v.is_default = set_as_default;
    v.create_date = now;
    return Status::Ok();
  }));
  return v;
}

Result<PolicyVersion> PolicyRepository::GetVersion(std::string_view arn,
                                                   std::string_view version_id) {
  CPA_ASSIGN_OR_RETURN(int64_t version, ParseVersionId(version_id));
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(PolicyRow r, FindPolicy(s_, arn));
  return LoadVersion(s_, r, version);
}

Result<PolicyVersion> PolicyRepository::GetDefaultVersion(std::string_view arn) {
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(PolicyRow r, FindPolicy(s_, arn));
  CPA_ASSIGN_OR_RETURN(int64_t version, ParseVersionId(r.policy.default_version_id));
  return LoadVersion(s_, r, version);
}

Result<std::vector<PolicyVersion>> PolicyRepository::ListVersions(std::string_view arn) {
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(PolicyRow r, FindPolicy(s_, arn));
  CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT version, document, create_date FROM "
                                              "policy_versions WHERE policy_pk = ?1 "
                                              "ORDER BY version DESC"));
  q->Bind(1, r.pk);
  std::vector<PolicyVersion> out;
  while (true) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    PolicyVersion v;
    v.version_id = "v" + std::to_string(q->Int(0));
    v.document = q->Text(1);
    v.create_date = FromUnix(q->Int(2));
    v.is_default = v.version_id == r.policy.default_version_id;
    out.push_back(std::move(v));
  }
  return out;
}

Status PolicyRepository::DeleteVersion(std::string_view arn, std::string_view version_id) {
  CPA_ASSIGN_OR_RETURN(int64_t version, ParseVersionId(version_id));
  return s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(PolicyRow r, FindPolicy(s_, arn));
    if (r.policy.default_version_id == version_id) {
      return Conflict("Cannot delete the default version of a policy.");
    }
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("DELETE FROM policy_versions WHERE policy_pk = "
                                                "?1 AND version = ?2"));
    q->Bind(1, r.pk).Bind(2, version);
    CPA_RETURN_IF_ERROR(q->Run());
    if (s_.db->Changes() == 0) {
      return NotFound("Policy " + std::string(arn) + " version " + std::string(version_id) +
                      " does not exist or is not attachable.");
    }
    return Status::Ok();
  });
}

Status PolicyRepository::SetDefaultVersion(std::string_view arn, std::string_view version_id) {
  CPA_ASSIGN_OR_RETURN(int64_t version, ParseVersionId(version_id));
  return s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(PolicyRow r, FindPolicy(s_, arn));
    CPA_RETURN_IF_ERROR(LoadVersion(s_, r, version).status());
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("UPDATE managed_policies SET default_version = "
                                                "?2, update_date = ?3 WHERE pk = ?1"));
    q->Bind(1, r.pk).Bind(2, version).Bind(3, ToUnix(s_.clock.Now()));
    return q->Run();
  });
}

}  // namespace cpa::server::store
