#include "kube/api_error.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace cpa::kube {
namespace {

using core::ErrorCode;
using testing::StatusBody;

TEST(ParseApiError, StatusObject) {
  ApiError e = ParseApiError(
      422, StatusBody(422, "Invalid",
                      "Secret \"x\" is invalid: type: Invalid value: \"Opaque\": field is "
                      "immutable",
                      {{"name", "x"},
                       {"kind", "Secret"},
                       {"causes",
                        {{{"reason", "FieldValueInvalid"},
                          {"message", "Invalid value: \"Opaque\": field is immutable"},
                          {"field", "type"}}}}}));
  EXPECT_EQ(e.code, 422);
  EXPECT_EQ(e.reason, "Invalid");
  EXPECT_EQ(e.kind, "Secret");
  EXPECT_EQ(e.name, "x");
  EXPECT_EQ(e.causes,
            std::vector<std::string>{"type: Invalid value: \"Opaque\": field is immutable"});
}

TEST(ParseApiError, StatusWithoutReason) {
  ApiError e = ParseApiError(
      500, StatusBody(500, "", "resourceVersion should not be set on objects to be created"));
  EXPECT_EQ(e.reason, "");
  EXPECT_EQ(ApiErrorStatus("create secret a/b", e).message(),
            "create secret a/b: Failure: resourceVersion should not be set on objects to be "
            "created (HTTP 500)");
  ApiError forbidden = ParseApiError(403, StatusBody(403, "", "no"));
  EXPECT_EQ(forbidden.reason, "Forbidden");
}

TEST(ParseApiError, NotAStatus) {
  ApiError e = ParseApiError(502, "<html>\n<body>Bad Gateway</body>\n</html>");
  EXPECT_EQ(e.reason, "InternalError");
  EXPECT_EQ(e.message, "<html> <body>Bad Gateway</body> </html>");
  ApiError long_body = ParseApiError(404, std::string(500, 'x') + "\x01");
  EXPECT_EQ(long_body.reason, "NotFound");
  EXPECT_EQ(long_body.message, std::string(200, 'x') + "...");
  EXPECT_EQ(ParseApiError(418, "").reason, "Unknown");
  EXPECT_EQ(ParseApiError(404, R"({"kind":"Secret"})").message, R"({"kind":"Secret"})");
}

TEST(MapApiError, OnePlace) {
  auto code = [](int http, std::string reason) {
    return MapApiError(ApiError{http, std::move(reason), "", "", "", {}});
  };
  EXPECT_EQ(code(401, "Unauthorized"), ErrorCode::kInvalidClientTokenId);
  EXPECT_EQ(code(403, "Forbidden"), ErrorCode::kAccessDenied);
  EXPECT_EQ(code(404, "NotFound"), ErrorCode::kNotFound);
  EXPECT_EQ(code(409, "AlreadyExists"), ErrorCode::kAlreadyExists);
  EXPECT_EQ(code(409, "Conflict"), ErrorCode::kInternal);
  EXPECT_EQ(code(422, "Invalid"), ErrorCode::kValidationError);
  EXPECT_EQ(code(400, "BadRequest"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(415, "UnsupportedMediaType"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(429, "TooManyRequests"), ErrorCode::kInternal);
  EXPECT_EQ(code(503, "ServiceUnavailable"), ErrorCode::kInternal);
}

TEST(ApiResult, Predicates) {
  ApiError conflict{409, "Conflict", "m", "secrets", "x", {}};
  ApiResult<int> r(ApiErrorStatus("op", conflict), conflict);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.IsConflict());
  EXPECT_FALSE(r.IsAlreadyExists());
  EXPECT_FALSE(r.IsNotFound());
  EXPECT_EQ(r.status().message(), "op: Conflict: m (HTTP 409)");
  ApiResult<std::string> copy = ApiResult<std::string>::FailureOf(r);
  ASSERT_NE(copy.api_error(), nullptr);
  EXPECT_EQ(*copy.api_error(), conflict);
  ApiResult<int> transport(core::Status(ErrorCode::kInternal, "down"));
  EXPECT_EQ(transport.api_error(), nullptr);
  EXPECT_FALSE(transport.IsConflict());
  ApiResult<int> ok(7);
  EXPECT_EQ(*ok, 7);
}

}  // namespace
}  // namespace cpa::kube
