#include "server/console/assets.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace cpa::server::console {
namespace {

TEST(AssetsTest, Names) {
  EXPECT_TRUE(IsAssetName("console.js"));
  EXPECT_TRUE(IsAssetName("console.LEGAL.txt"));
  EXPECT_FALSE(IsAssetName(""));
  EXPECT_FALSE(IsAssetName(".env"));
  EXPECT_FALSE(IsAssetName("../root-credentials"));
  EXPECT_FALSE(IsAssetName("a/b.js"));
  EXPECT_FALSE(IsAssetName("a%2fb.js"));
  EXPECT_EQ(AssetContentType("index.html").value_or(""), "text/html; charset=utf-8");
  EXPECT_EQ(AssetContentType("console.js").value_or(""), "text/javascript; charset=utf-8");
  EXPECT_EQ(AssetContentType("console.css").value_or(""), "text/css; charset=utf-8");
  EXPECT_FALSE(AssetContentType("root-credentials").has_value());
  EXPECT_FALSE(AssetContentType("state.db").has_value());
}

TEST(AssetsTest, ServesFilesOfTheDirectoryOnly) {
  std::string tmpl = ::testing::TempDir() + "cpa-assets-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string dir = tmpl;
  AssetDirectory missing(dir + "/none");
  EXPECT_FALSE(missing.available());
  EXPECT_EQ(missing.Serve("index.html").status, 404);
  AssetDirectory empty("");
  EXPECT_FALSE(empty.available());

  std::ofstream(dir + "/index.html") << "<!doctype html>";
  std::ofstream(dir + "/console.js") << "console.log(1)";
  std::filesystem::create_directory(dir + "/sub.js");
  AssetDirectory assets(dir);
  EXPECT_TRUE(assets.available());
  http::Response r = assets.Serve("console.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type").value_or(""), "text/javascript; charset=utf-8");
  ASSERT_TRUE(r.file.has_value());
  EXPECT_EQ(r.file->path, dir + "/console.js");
  EXPECT_EQ(r.file->length, 14u);
  EXPECT_EQ(assets.Serve("other.js").status, 404);
  EXPECT_EQ(assets.Serve("sub.js").status, 404);  // a directory
  EXPECT_EQ(assets.Serve("../index.html").status, 404);
  std::filesystem::remove_all(dir);
}

TEST(AssetsTest, DefaultDirectoryIsBesideTheExecutable) {
  std::string d = DefaultAssetDirectory();
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(std::filesystem::path(d).filename(), "console");
}

}  // namespace
}  // namespace cpa::server::console
