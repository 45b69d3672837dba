#include "policy/variables.h"

#include <gtest/gtest.h>

#include "policy/glob.h"

namespace cpa::policy {
namespace {

class MapResolver final : public VariableResolver {
 public:
  explicit MapResolver(ContextKeys keys) : keys_(std::move(keys)) {}
  ValueView Resolve(std::string_view key) const override { return keys_.Find(key); }

 private:
  ContextKeys keys_;
};

std::string Plain(const Template& t, const VariableResolver& r) {
  std::string out;
  return t.Expand(r, out) ? out : "<unresolved>";
}

TEST(VariablesTest, SubstitutesSingleValuedKeysCaseInsensitively) {
  MapResolver r({{"aws:username", "alice"}, {"aws:PrincipalTag/Team", "blue"}});
  EXPECT_EQ(Plain(Template::Parse("home/${aws:username}/*", true), r), "home/alice/*");
  EXPECT_EQ(Plain(Template::Parse("${AWS:USERNAME}", true), r), "alice");
  EXPECT_EQ(Plain(Template::Parse("t-${aws:principaltag/team}", true), r), "t-blue");
}

TEST(VariablesTest, LiteralUnder2008AndWithoutVersion) {
  MapResolver r({{"aws:username", "alice"}});
  Template t = Template::Parse("home/${aws:username}", false);
  EXPECT_FALSE(t.has_variables());
  EXPECT_EQ(Plain(t, r), "home/${aws:username}");
}

TEST(VariablesTest, DefaultsAndUnresolved) {
  MapResolver r({});
  EXPECT_EQ(Plain(Template::Parse("bucket-${aws:PrincipalTag/team, 'company-wide'}", true), r),
            "bucket-company-wide");
  EXPECT_EQ(Plain(Template::Parse("${aws:username}", true), r), "<unresolved>");
  MapResolver multi(ContextKeys().SetList("aws:tagkeys", {"a", "b"}));
  // Multivalued keys cannot be variables.
  EXPECT_EQ(Plain(Template::Parse("${aws:TagKeys}", true), multi), "<unresolved>");
}

TEST(VariablesTest, EscapesProduceLiteralCharacters) {
  MapResolver r({});
  EXPECT_EQ(Plain(Template::Parse("a${*}b${?}c${$}d", true), r), "a*b?c$d");
  std::string glob;
  ASSERT_TRUE(Template::Parse("a${*}*", true).ExpandGlob(r, glob));
  EXPECT_TRUE(EscapedGlobMatch(glob, "a*anything", false));
  EXPECT_FALSE(EscapedGlobMatch(glob, "abc", false));  // the first '*' is literal
}

TEST(VariablesTest, SubstitutedValuesNeverActAsWildcards) {
  MapResolver r({{"aws:username", "*"}});
  std::string glob;
  ASSERT_TRUE(Template::Parse("home/${aws:username}", true).ExpandGlob(r, glob));
  EXPECT_TRUE(EscapedGlobMatch(glob, "home/*", false));
  EXPECT_FALSE(EscapedGlobMatch(glob, "home/bob", false));
}

TEST(VariablesTest, MalformedSyntaxStaysLiteral) {
  MapResolver r({{"aws:username", "alice"}});
  EXPECT_EQ(Plain(Template::Parse("a${aws:username", true), r), "a${aws:username");
  EXPECT_EQ(Plain(Template::Parse("a${}b", true), r), "a${}b");
  EXPECT_EQ(Plain(Template::Parse("${aws:username, nodefault}", true), r),
            "${aws:username, nodefault}");
  EXPECT_EQ(Plain(Template::Parse("$${aws:username}}", true), r), "$alice}");
}

}  // namespace
}  // namespace cpa::policy
