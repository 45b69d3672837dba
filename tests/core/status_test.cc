#include "core/status.h"

#include <gtest/gtest.h>

namespace cpa::core {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status(ErrorCode::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  CPA_ASSIGN_OR_RETURN(int h, Half(x));
  CPA_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  CPA_RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(Status, OkAndError) {
  EXPECT_TRUE(Status().ok());
  Status s(ErrorCode::kSignatureDoesNotMatch, "bad");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "SignatureDoesNotMatch: bad");
  EXPECT_EQ(Status().ToString(), "OK");
}

TEST(Result, ValueAndPropagation) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Quarter(8).status().ok());
}

TEST(Status, EveryCodeHasAName) {
  for (int c = 0; c <= static_cast<int>(kLastErrorCode); ++c) {
    EXPECT_NE(ErrorCodeName(static_cast<ErrorCode>(c)), "Unknown") << c;
  }
}

}  // namespace
}  // namespace cpa::core
