#include "policy/glob.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace cpa::policy {
namespace {

struct GlobCase {
  const char* pattern;
  const char* text;
  bool ignore_case;
  bool want;
};

class GlobTableTest : public ::testing::TestWithParam<GlobCase> {};

TEST_P(GlobTableTest, Matches) {
  const GlobCase& c = GetParam();
  EXPECT_EQ(GlobMatch(c.pattern, c.text, c.ignore_case), c.want)
      << "pattern '" << c.pattern << "' text '" << c.text << "'";
  // The compiled form (with its fast paths) agrees with the plain matcher.
  EXPECT_EQ(Glob::Compile(c.pattern, c.ignore_case).Match(c.text), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Wildcards, GlobTableTest,
    ::testing::Values(
        // '*' matches any run including the empty one; it is greedy, not "up to the next literal"
        // (Ceph's a*c vs abcc quirk is not copied).
        GlobCase{"a*c", "abcc", false, true}, GlobCase{"a*c", "ac", false, true},
        GlobCase{"a*c", "abcd", false, false}, GlobCase{"*", "", false, true},
        GlobCase{"*", "anything/at:all", false, true}, GlobCase{"", "", false, true},
        GlobCase{"", "a", false, false}, GlobCase{"**", "x", false, true},
        // '*' crosses '/' and ':'.
        GlobCase{"bucket/*/test/*", "bucket//test/object.jpg", false, true},
        GlobCase{"bucket/*/test/*", "bucket/1/test/", false, true},
        GlobCase{"bucket/*/test/*", "bucket/test/object.jpg", false, false},
        GlobCase{"repository/*", "repository/a:b/c", false, true},
        GlobCase{"a*", "a:b:c", false, true},
        // '?' is exactly one character (one UTF-8 character, not one byte).
        GlobCase{"a?c", "abc", false, true}, GlobCase{"a?c", "ac", false, false},
        GlobCase{"a?c", "abbc", false, false}, GlobCase{"???", "abc", false, true},
        GlobCase{"a?c",
                 "a\xc3\xa9"
                 "c",
                 false, true},
        GlobCase{"?*", "", false, false}, GlobCase{"*?", "x", false, true},
        // Dots, pluses and other regex metacharacters are literal.
        GlobCase{"a.c", "abc", false, false}, GlobCase{"a.c", "a.c", false, true},
        GlobCase{"a+", "aa", false, false}, GlobCase{"a+", "a+", false, true},
        GlobCase{"(a|b)", "a", false, false}, GlobCase{"[ab]", "a", false, false},
        GlobCase{"[ab]", "[ab]", false, true}, GlobCase{"^a$", "^a$", false, true},
        GlobCase{"a\\b", "a\\b", false, true},
        // Case.
        GlobCase{"ecr:BatchGetImage", "ECR:batchgetimage", true, true},
        GlobCase{"ecr:Batch*", "ECR:BATCHGETIMAGE", true, true},
        GlobCase{"Repository/*", "repository/x", false, false},
        GlobCase{"ecr:*Image", "ecr:BatchGetImage", true, true},
        GlobCase{"ecr:*Image", "ecr:BatchGetImages", true, false},
        // Backtracking after a partial match.
        GlobCase{"*ab*ab", "xabyabab", false, true}, GlobCase{"*aab", "aaab", false, true},
        GlobCase{"a*b*c", "abbbbc", false, true}, GlobCase{"a*b*c", "acb", false, false}));

TEST(GlobTest, EscapedLiteralsAreNotWildcards) {
  std::string p;
  AppendGlobPattern(p, "prefix-");
  AppendGlobLiteral(p, "a*b?");
  AppendGlobPattern(p, "*");
  EXPECT_TRUE(EscapedGlobMatch(p, "prefix-a*b?-tail", false));
  EXPECT_FALSE(EscapedGlobMatch(p, "prefix-axxbz-tail", false));
  EXPECT_TRUE(Glob::FromEscaped(p).Match("prefix-a*b?"));
  EXPECT_FALSE(Glob::FromEscaped(p).Match("prefix-aXb?"));
}

TEST(GlobTest, FastPathsAgreeWithGeneralMatcher) {
  EXPECT_TRUE(Glob::Compile("*").MatchesEverything());
  EXPECT_TRUE(Glob::Compile("abc").Match("abc"));
  EXPECT_FALSE(Glob::Compile("abc").Match("abcd"));
  EXPECT_TRUE(Glob::Compile("abc*").Match("abcd"));
  EXPECT_TRUE(Glob::Compile("abc*").Match("abc"));
  EXPECT_FALSE(Glob::Compile("abc*").Match("ab"));
  EXPECT_FALSE(Glob::Compile("ABC*", true).Match("abx"));
  EXPECT_TRUE(Glob::Compile("ABC*", true).Match("aBcx"));
  EXPECT_TRUE(Glob().Match(""));
  EXPECT_FALSE(Glob().Match("x"));
}

// A pattern that makes a naive recursive matcher exponential must finish quickly.
TEST(GlobTest, NoExponentialBacktracking) {
  std::string pattern;
  for (int i = 0; i < 40; ++i) pattern += "a*";
  pattern += "b";
  std::string text(20000, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch(pattern, text));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 500);
}

}  // namespace
}  // namespace cpa::policy
