// Result<T>: values and errors, and the stop (not undefined behaviour) when a caller reads the
// wrong side.
#include "certbed/repair/model/result.h"

#include <gtest/gtest.h>

#include <string>

namespace certbed::repair {
namespace {

Result<int> parse_positive(int n) {
  if (n <= 0) return make_error(ErrorCode::kInvalidArgument, "not positive");
  return n;
}

TEST(Result, HoldsTheValueOrTheError) {
  auto good = parse_positive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message, "not positive");
}

TEST(Result, ErrorToStringPutsTheKnownLocationPartsFirst) {
  EXPECT_EQ(make_error(ErrorCode::kParse, "bad", {"a.inf", 4, 7}).to_string(), "a.inf:4:7: bad");
  EXPECT_EQ(make_error(ErrorCode::kParse, "bad", {"a.inf", 4, 0}).to_string(), "a.inf:4: bad");
  EXPECT_EQ(make_error(ErrorCode::kParse, "bad").to_string(), "bad");
}

using ResultDeathTest = ::testing::Test;

TEST_F(ResultDeathTest, ErrorOfASuccessfulStatusStopsWithAMessage) {
  const Status ok;
  EXPECT_DEATH((void)ok.error(), "Result<void>::error\\(\\) called on a success");
}

TEST_F(ResultDeathTest, ErrorOfASuccessfulResultStopsWithAMessage) {
  const Result<std::string> ok = std::string("x");
  EXPECT_DEATH((void)ok.error(), "Result::error\\(\\) called on a success");
}

TEST_F(ResultDeathTest, ValueOfAnErrorStopsWithAMessage) {
  const Result<std::string> bad = make_error(ErrorCode::kNotFound, "gone");
  EXPECT_DEATH((void)bad.value(), "Result::value\\(\\) called on an error");
}

}  // namespace
}  // namespace certbed::repair
