#include "server/store/subscription.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/encoding.h"
#include "server/store/pagination.h"
#include "server/store/store_state.h"

namespace cpa::server::store {

using namespace internal;  // NOLINT(google-build-using-namespace)
using core::ErrorCode;
using core::Result;
using core::Status;
using nlohmann::json;

namespace {

constexpr std::string_view kColumns =
    "id, account_id, region, name, term_duration, term_unit, license_quantity, license_type, "
    "auto_renew, licenses, tags, create_date, effective_date, expiration_date";

struct Row {
  Subscription s;
  // As stored: the auto-renewals up to the last change of auto_renew.
  core::TimePoint stored_expiration{};
};

// The expiration after the renewals due by `now`: the first end of a whole term (counted from
// the effective date) that is after `now` and not before the stored expiration.
core::TimePoint RenewedExpiration(const Subscription& s, core::TimePoint stored,
                                  core::TimePoint now) {
  if (!s.auto_renew || now < stored || s.term.duration <= 0) return stored;
  core::TimePoint e = stored;
  for (int n = 1; e <= now || e < stored; ++n) {
    e = AddMonths(s.effective_date, n * s.term.duration);
  }
  return e;
}

void Derive(Subscription& s, core::TimePoint stored, core::TimePoint now) {
  s.expiration_date = RenewedExpiration(s, stored, now);
  s.status = now < s.expiration_date ? std::string(kSubscriptionActive)
                                     : std::string(kSubscriptionExpired);
}

Row ReadRow(const Statement& q, core::TimePoint now) {
  Row r;
  Subscription& s = r.s;
  s.id = q.Text(0);
  s.account_id = q.Text(1);
  s.region = q.Text(2);
  s.name = q.Text(3);
  s.term.duration = static_cast<int>(q.Int(4));
  s.term.unit = q.Text(5);
  s.license_quantity = static_cast<int>(q.Int(6));
  s.license_type = q.Text(7);
  s.auto_renew = q.Int(8) != 0;
  json licenses = json::parse(q.Text(9), nullptr, false);
  if (licenses.is_array()) {
    for (const json& l : licenses) {
      if (l.is_object()) {
        s.licenses.push_back({l.value("id", ""), l.value("token", "")});
      }
    }
  }
  json tags = json::parse(q.Text(10), nullptr, false);
  if (tags.is_object()) {
    for (const auto& [k, v] : tags.items()) {
      if (v.is_string()) s.tags[k] = v.get<std::string>();
    }
  }
  s.created_at = FromUnix(q.Int(11));
  s.effective_date = FromUnix(q.Int(12));
  r.stored_expiration = FromUnix(q.Int(13));
  s.arn = SubscriptionArn(s.region, s.account_id, s.id);
  Derive(s, r.stored_expiration, now);
  return r;
}

Result<Row> Find(StoreState& st, std::string_view account_id, std::string_view region,
                 std::string_view id) {
  CPA_ASSIGN_OR_RETURN(auto q, st.db->Prepare("SELECT " + std::string(kColumns) +
                                              " FROM subscriptions WHERE id = ?1 AND "
                                              "account_id = ?2 AND region = ?3 AND "
                                              "delete_date IS NULL"));
  q->Bind(1, id).Bind(2, account_id).Bind(3, region);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return NotFound("No subscription found with id: " + std::string(id));
  return ReadRow(*q, st.clock.Now());
}

std::string TagsJson(const std::map<std::string, std::string>& tags) {
  json t = json::object();
  for (const auto& [k, v] : tags) t[k] = v;
  return t.dump();
}

std::string LicensesJson(const std::vector<SubscriptionLicense>& licenses) {
  json a = json::array();
  for (const auto& l : licenses) a.push_back({{"id", l.id}, {"token", l.token}});
  return a.dump();
}

// What makes two Creates "the same request" for the idempotency token.
std::string RequestHash(const NewSubscription& in) {
  json j = {{"name", in.name},
            {"term", {{"duration", in.term.duration}, {"unit", in.term.unit}}},
            {"licenseQuantity", in.license_quantity},
            {"licenseType", in.license_type},
            {"autoRenew", in.auto_renew},
            {"tags", json::parse(TagsJson(in.tags))}};
  return core::Sha256Hex(j.dump());
}

Status CheckNewSubscription(const NewSubscription& in) {
  auto bad = [](std::string m) { return Status(ErrorCode::kInvalidArgument, std::move(m)); };
  CPA_RETURN_IF_ERROR(CheckAccountId(in.account_id));
  if (in.region.empty()) return bad("A region is required.");
  if (in.name.empty() || in.name.size() > 100) {
    return bad("The subscription name must be 1 to 100 characters long.");
  }
  for (size_t i = 0; i < in.name.size(); ++i) {
    char c = in.name[i];
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '-' && c != '_'))) {
      return bad("The subscription name " + in.name +
                 " is invalid: it must start with a letter or digit and contain only letters, "
                 "digits, hyphens and underscores.");
    }
  }
  if (in.term.duration != 12 && in.term.duration != 36) {
    return bad("The term duration must be 12 or 36.");
  }
  if (in.term.unit != "MONTHS") return bad("The term unit must be MONTHS.");
  if (in.license_quantity < 1 || in.license_quantity > kMaxLicenseQuantity) {
    return bad("The license quantity must be between 1 and " + std::to_string(kMaxLicenseQuantity) +
               ".");
  }
  if (in.license_type != "CLUSTER") return bad("The license type must be CLUSTER.");
  if (in.tags.size() > static_cast<size_t>(kMaxTagsPerSubscription)) {
    return Limit("A subscription can have at most " + std::to_string(kMaxTagsPerSubscription) +
                 " tags.");
  }
  if (in.client_request_token && in.client_request_token->empty()) {
    return bad("The client request token must not be empty.");
  }
  return Status::Ok();
}

Status WriteTags(StoreState& st, std::string_view id,
                 const std::map<std::string, std::string>& tags) {
  CPA_ASSIGN_OR_RETURN(auto q, st.db->Prepare("UPDATE subscriptions SET tags = ?2 WHERE id = ?1"));
  q->Bind(1, id).Bind(2, TagsJson(tags));
  return q->Run();
}

}  // namespace

std::vector<std::string> Subscription::LicenseArns() const {
  std::vector<std::string> out;
  out.reserve(licenses.size());
  for (const auto& l : licenses) {
    out.push_back("arn:aws:license-manager::" + account_id + ":license:" + l.id);
  }
  return out;
}

core::TimePoint AddMonths(core::TimePoint t, int months) {
  using namespace std::chrono;  // NOLINT(google-build-using-namespace)
  sys_days day = floor<days>(t);
  seconds time_of_day = t - day;
  year_month_day ymd(day);
  year_month target = year_month(ymd.year(), ymd.month()) + std::chrono::months(months);
  year_month_day_last last(target.year(), month_day_last(target.month()));
  year_month_day out(target.year(), target.month(), std::min(ymd.day(), last.day()));
  return core::TimePoint(sys_days(out) + time_of_day);
}

std::string SubscriptionArn(std::string_view region, std::string_view account_id,
                            std::string_view id) {
  std::string arn = "arn:aws:eks:";
  arn += region;
  arn += ':';
  arn += account_id;
  arn += ":eks-anywhere-subscription/";
  arn += id;
  return arn;
}

Result<CreatedSubscription> SubscriptionRepository::Create(const NewSubscription& in) {
  CPA_RETURN_IF_ERROR(CheckNewSubscription(in));
  const std::string hash = RequestHash(in);
  CreatedSubscription out;
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    CPA_RETURN_IF_ERROR(RequireAccount(s_, in.account_id));
    const core::TimePoint now = s_.clock.Now();
    if (in.client_request_token) {
      CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT " + std::string(kColumns) +
                                                  ", request_hash FROM subscriptions WHERE "
                                                  "account_id = ?1 AND region = ?2 AND "
                                                  "client_request_token = ?3"));
      q->Bind(1, in.account_id).Bind(2, in.region).Bind(3, *in.client_request_token);
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (row) {
        if (q->Text(14) != hash) {
          return Status(ErrorCode::kInvalidArgument,
                        "The client request token " + *in.client_request_token +
                            " was already used with different parameters.");
        }
        out.subscription = ReadRow(*q, now).s;
        out.replayed = true;
        return Status::Ok();
      }
    }
    {
      CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT name FROM subscriptions WHERE "
                                                  "account_id = ?1 AND region = ?2 AND "
                                                  "delete_date IS NULL"));
      q->Bind(1, in.account_id).Bind(2, in.region);
      int live = 0;
      while (true) {
        CPA_ASSIGN_OR_RETURN(bool row, q->Step());
        if (!row) break;
        if (q->Text(0) == in.name) {
          return Status(ErrorCode::kInvalidArgument,
                        "A subscription with name " + in.name + " already exists.");
        }
        ++live;
      }
      if (live >= kMaxSubscriptionsPerRegion) {
        return Limit("Cannot create more than " + std::to_string(kMaxSubscriptionsPerRegion) +
                     " EKS Anywhere subscriptions in " + in.region + ".");
      }
    }
    Subscription& s = out.subscription;
    s.id = in.id.empty() ? s_.ids.Uuid() : in.id;
    s.account_id = in.account_id;
    s.region = in.region;
    s.name = in.name;
    s.term = in.term;
    s.license_quantity = in.license_quantity;
    s.license_type = in.license_type;
    s.auto_renew = in.auto_renew;
    s.tags = in.tags;
    for (int i = 0; i < in.license_quantity; ++i) {
      uint8_t id[16], token[32];
      s_.random.Fill(id, sizeof id);
      s_.random.Fill(token, sizeof token);
      s.licenses.push_back(
          {"l-" + core::HexEncode(core::Bytes(id, sizeof id)),
           core::Base64UrlEncode(std::string_view(reinterpret_cast<char*>(token), sizeof token))});
    }
    s.created_at = now;
    s.effective_date = now;
    s.arn = SubscriptionArn(s.region, s.account_id, s.id);
    const core::TimePoint expiration = AddMonths(now, s.term.duration);
    Derive(s, expiration, now);
    CPA_ASSIGN_OR_RETURN(
        auto q, s_.db->Prepare("INSERT INTO subscriptions(id, account_id, region, name, "
                               "term_duration, term_unit, license_quantity, license_type, "
                               "auto_renew, licenses, tags, client_request_token, request_hash, "
                               "create_date, effective_date, expiration_date) VALUES (?1, ?2, ?3, "
                               "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"));
    q->Bind(1, s.id).Bind(2, s.account_id).Bind(3, s.region).Bind(4, s.name);
    q->Bind(5, s.term.duration).Bind(6, s.term.unit).Bind(7, s.license_quantity);
    q->Bind(8, s.license_type).Bind(9, s.auto_renew ? 1 : 0).Bind(10, LicensesJson(s.licenses));
    q->Bind(11, TagsJson(s.tags)).Bind(12, in.client_request_token).Bind(13, hash);
    q->Bind(14, ToUnix(now)).Bind(15, ToUnix(now)).Bind(16, ToUnix(expiration));
    Status inserted = q->Run();
    if (inserted.code() == ErrorCode::kAlreadyExists) {
      return Status(ErrorCode::kInvalidArgument,
                    "A subscription with id " + s.id + " or name " + s.name + " already exists.");
    }
    return inserted;
  }));
  return out;
}

Result<Subscription> SubscriptionRepository::Get(std::string_view account_id,
                                                 std::string_view region, std::string_view id) {
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(Row r, Find(s_, account_id, region, id));
  return std::move(r.s);
}

Result<SubscriptionPage> SubscriptionRepository::List(const ListSubscriptionsRequest& req) {
  if (req.max_results < 1 || req.max_results > kMaxListSubscriptions) {
    return Status(ErrorCode::kInvalidArgument, "maxResults must be between 1 and " +
                                                   std::to_string(kMaxListSubscriptions) + ".");
  }
  auto cursor = DecodeMarker(req.next_token);
  if (!cursor.ok()) {
    return Status(ErrorCode::kInvalidArgument, "The nextToken is invalid.");
  }
  std::vector<Subscription> all;
  {
    std::lock_guard lock(s_.mu);
    const core::TimePoint now = s_.clock.Now();
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT " + std::string(kColumns) +
                                                " FROM subscriptions WHERE account_id = ?1 AND "
                                                "region = ?2 AND delete_date IS NULL "
                                                "ORDER BY create_date, id"));
    q->Bind(1, req.account_id).Bind(2, req.region);
    while (true) {
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      all.push_back(ReadRow(*q, now).s);
    }
  }
  // Status is derived, so the filter runs here; an account has few live subscriptions.
  SubscriptionPage page;
  for (Subscription& s : all) {
    const int64_t created = ToUnix(s.created_at);
    if (!cursor->start &&
        (created < cursor->row || (created == cursor->row && s.id <= cursor->key))) {
      continue;
    }
    if (!req.include_status.empty() &&
        std::find(req.include_status.begin(), req.include_status.end(), s.status) ==
            req.include_status.end()) {
      continue;
    }
    if (static_cast<int>(page.items.size()) == req.max_results) {
      const Subscription& last = page.items.back();
      page.next_token = EncodeMarker(last.id, ToUnix(last.created_at));
      break;
    }
    page.items.push_back(std::move(s));
  }
  return page;
}

Result<Subscription> SubscriptionRepository::UpdateAutoRenew(std::string_view account_id,
                                                             std::string_view region,
                                                             std::string_view id, bool auto_renew) {
  Subscription out;
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(Row r, Find(s_, account_id, region, id));
    // Record the renewals made under the old setting before changing it.
    const core::TimePoint expiration = r.s.expiration_date;
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("UPDATE subscriptions SET auto_renew = ?2, "
                                                "expiration_date = ?3 WHERE id = ?1"));
    q->Bind(1, id).Bind(2, auto_renew ? 1 : 0).Bind(3, ToUnix(expiration));
    CPA_RETURN_IF_ERROR(q->Run());
    out = std::move(r.s);
    out.auto_renew = auto_renew;
    Derive(out, expiration, s_.clock.Now());
    return Status::Ok();
  }));
  return out;
}

Result<Subscription> SubscriptionRepository::Delete(std::string_view account_id,
                                                    std::string_view region, std::string_view id) {
  Subscription out;
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(Row r, Find(s_, account_id, region, id));
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("UPDATE subscriptions SET delete_date = ?2, "
                                                "client_request_token = NULL WHERE id = ?1"));
    q->Bind(1, id).Bind(2, ToUnix(s_.clock.Now()));
    CPA_RETURN_IF_ERROR(q->Run());
    out = std::move(r.s);
    return Status::Ok();
  }));
  return out;
}

Result<Subscription> SubscriptionRepository::Tag(std::string_view account_id,
                                                 std::string_view region, std::string_view id,
                                                 const std::map<std::string, std::string>& tags) {
  Subscription out;
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(Row r, Find(s_, account_id, region, id));
    for (const auto& [k, v] : tags) r.s.tags[k] = v;
    if (r.s.tags.size() > static_cast<size_t>(kMaxTagsPerSubscription)) {
      return Limit("A subscription can have at most " + std::to_string(kMaxTagsPerSubscription) +
                   " tags.");
    }
    CPA_RETURN_IF_ERROR(WriteTags(s_, id, r.s.tags));
    out = std::move(r.s);
    return Status::Ok();
  }));
  return out;
}

Result<Subscription> SubscriptionRepository::Untag(std::string_view account_id,
                                                   std::string_view region, std::string_view id,
                                                   const std::vector<std::string>& keys) {
  Subscription out;
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(Row r, Find(s_, account_id, region, id));
    for (const auto& k : keys) r.s.tags.erase(k);
    CPA_RETURN_IF_ERROR(WriteTags(s_, id, r.s.tags));
    out = std::move(r.s);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<std::string>> SubscriptionRepository::ActiveAccounts(std::string_view region,
                                                                        core::TimePoint now) {
  std::lock_guard lock(s_.mu);
  // With auto_renew the term has always been renewed past `now` (see Derive).
  CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT DISTINCT account_id FROM subscriptions "
                                              "WHERE region = ?1 AND delete_date IS NULL AND "
                                              "effective_date <= ?2 AND (auto_renew != 0 OR "
                                              "expiration_date > ?2) ORDER BY account_id"));
  q->Bind(1, region).Bind(2, ToUnix(now));
  std::vector<std::string> out;
  while (true) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(q->Text(0));
  }
  return out;
}

}  // namespace cpa::server::store
