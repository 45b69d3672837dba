#include "awsapi/eks.h"

#include "awsapi/json_codec.h"
#include "core/encoding.h"
#include "core/ids.h"

namespace cpa::awsapi {
namespace {

using json::JsonReader;
using Json = nlohmann::json;

EksAnywhereSubscription ReadSubscription(const JsonReader& r) {
  EksAnywhereSubscription s;
  s.id = r.Str("id");
  s.arn = r.Str("arn");
  s.name = r.Str("name");
  s.created_at = r.Time("createdAt");
  s.effective_date = r.Time("effectiveDate");
  s.expiration_date = r.Time("expirationDate");
  s.license_quantity = r.Int("licenseQuantity");
  s.license_type = r.Str("licenseType");
  JsonReader term = r.Object("term");
  s.term.duration = term.Int("duration").value_or(0);
  s.term.unit = term.Str("unit");
  s.status = r.Str("status");
  s.package_registry = r.Str("packageRegistry");
  s.auto_renew = r.Bool("autoRenew");
  s.license_arns = r.StrList("licenseArns");
  for (const JsonReader& l : r.List("licenses"))
    s.licenses.push_back({l.Str("id"), l.Str("token")});
  s.tags = r.StrMap("tags");
  return s;
}

void ReadSubscriptionResponse(const JsonReader& r, EksAnywhereSubscriptionResponse& out) {
  out.subscription = ReadSubscription(r.Object("subscription"));
}

void AppendQuery(std::string& query, std::string_view key, std::string_view value) {
  if (!query.empty()) query += '&';
  core::UriEncodeAppend(query, key);
  query += '=';
  core::UriEncodeAppend(query, value);
}

}  // namespace

core::Result<EksClient> EksClient::Create(ClientConfig config) {
  CPA_ASSIGN_OR_RETURN(ServiceClient client,
                       ServiceClient::Create(Service::kEks, std::move(config)));
  return EksClient(std::move(client));
}

Outcome<EksAnywhereSubscriptionResponse> EksClient::CreateEksAnywhereSubscription(
    const CreateEksAnywhereSubscriptionRequest& request) const {
  Json body = Json::object();
  body["name"] = request.name;
  body["term"] = {{"duration", request.term.duration}, {"unit", request.term.unit}};
  if (request.license_quantity) body["licenseQuantity"] = *request.license_quantity;
  if (!request.license_type.empty()) body["licenseType"] = request.license_type;
  if (request.auto_renew) body["autoRenew"] = *request.auto_renew;
  body["clientRequestToken"] = request.client_request_token.empty()
                                   ? core::IdGenerator(client_.random()).Uuid()
                                   : request.client_request_token;
  if (!request.tags.empty()) body["tags"] = request.tags;
  OperationRequest op;
  op.method = "POST";
  op.path = "/eks-anywhere-subscriptions";
  op.headers.emplace_back("Content-Type", "application/json");
  op.body = json::Dump(body);
  return json::Call<EksAnywhereSubscriptionResponse>(client_, "CreateEksAnywhereSubscription", op,
                                                     ReadSubscriptionResponse);
}

Outcome<EksAnywhereSubscriptionResponse> EksClient::DescribeEksAnywhereSubscription(
    const DescribeEksAnywhereSubscriptionRequest& request) const {
  if (request.id.empty()) {
    return core::Status(core::ErrorCode::kMissingParameter,
                        "eks:DescribeEksAnywhereSubscription: the subscription id is empty");
  }
  OperationRequest op;
  op.method = "GET";
  op.path = "/eks-anywhere-subscriptions/" + core::UriEncode(request.id);
  return json::Call<EksAnywhereSubscriptionResponse>(client_, "DescribeEksAnywhereSubscription", op,
                                                     ReadSubscriptionResponse);
}

Outcome<ListEksAnywhereSubscriptionsResponse> EksClient::ListEksAnywhereSubscriptions(
    const ListEksAnywhereSubscriptionsRequest& request) const {
  OperationRequest op;
  op.method = "GET";
  op.path = "/eks-anywhere-subscriptions";
  if (request.max_results)
    AppendQuery(op.query, "maxResults", std::to_string(*request.max_results));
  if (!request.next_token.empty()) AppendQuery(op.query, "nextToken", request.next_token);
  for (const auto& s : request.include_status) AppendQuery(op.query, "includeStatus", s);
  return json::Call<ListEksAnywhereSubscriptionsResponse>(
      client_, "ListEksAnywhereSubscriptions", op,
      [](const JsonReader& r, ListEksAnywhereSubscriptionsResponse& out) {
        for (const JsonReader& s : r.List("subscriptions")) {
          out.subscriptions.push_back(ReadSubscription(s));
        }
        out.next_token = r.Str("nextToken");
      });
}

}  // namespace cpa::awsapi
