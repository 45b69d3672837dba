#pragma once
// A service spoken over the awsQuery protocol (IAM, STS): a set of operations selected by the
// `Action` parameter, each answering with the members of its `<OpResult>` or an error Status.
//
// Thread safety: Call may run on many threads at once.
#include <string_view>

#include "core/status.h"
#include "server/api/request_context.h"
#include "server/api/xml.h"

namespace cpa::server::api {

class QueryService {
 public:
  virtual ~QueryService() = default;
  virtual std::string_view signing_name() const = 0;  // "iam", "sts"
  virtual std::string_view api_version() const = 0;   // "2010-05-08", "2011-06-15"
  virtual std::string_view xml_namespace() const = 0;
  virtual bool HasOperation(std::string_view action) const = 0;
  virtual core::Result<QueryOutput> Call(std::string_view action, RequestContext& context) = 0;
};

}  // namespace cpa::server::api
