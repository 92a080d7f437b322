// The embedded page: each file is found under its path with the right type, nothing else is,
// and the page loads nothing from outside the server.

#include <gtest/gtest.h>

#include <string>

#include "server/demo/demo_assets.h"

namespace huddle::server::demo {
namespace {

TEST(DemoAssets, RootAndMeetServeTheIndexPage) {
  for (const char* path : {"/", "/meet", "/meet/"}) {
    const auto asset = findDemoAsset(path);
    ASSERT_TRUE(asset.has_value()) << path;
    EXPECT_EQ(asset->name, "index.html");
    EXPECT_EQ(asset->contentType, "text/html; charset=utf-8");
    EXPECT_NE(asset->body.find("<form"), std::string_view::npos);
    EXPECT_NE(asset->body.find("data-testid=\"join-form\""), std::string_view::npos);
  }
}

TEST(DemoAssets, FilesHaveTheirContentTypes) {
  const auto js = findDemoAsset("/demo/app.js");
  ASSERT_TRUE(js.has_value());
  EXPECT_EQ(js->contentType, "text/javascript; charset=utf-8");
  EXPECT_NE(js->body.find("window.huddleDemo"), std::string_view::npos);
  const auto css = findDemoAsset("/demo/style.css");
  ASSERT_TRUE(css.has_value());
  EXPECT_EQ(css->contentType, "text/css; charset=utf-8");
  const auto html = findDemoAsset("/demo/index.html");
  ASSERT_TRUE(html.has_value());
  EXPECT_EQ(html->contentType, "text/html; charset=utf-8");
}

TEST(DemoAssets, ClientBundleIsEmbeddedWhenTheBuildFoundIt) {
  const auto bundle = findDemoAsset("/demo/livekit-client.umd.js");
#if defined(HUDDLE_DEMO_EXPECT_BUNDLE)
  ASSERT_TRUE(clientBundleAvailable());
  ASSERT_TRUE(bundle.has_value());
  EXPECT_EQ(bundle->contentType, "text/javascript; charset=utf-8");
  // The UMD wrapper defines the global the page uses.
  EXPECT_NE(bundle->body.find("LivekitClient"), std::string_view::npos);
  EXPECT_GT(bundle->body.size(), 100'000u);
#else
  EXPECT_FALSE(clientBundleAvailable());
  EXPECT_FALSE(bundle.has_value());
#endif
}

TEST(DemoAssets, UnknownAndEscapingPathsAreNotFound) {
  for (const char* path :
       {"/demo/", "/demo/nope.js", "/demo/../server.cpp", "/demo/a/app.js", "/demo/.hidden",
        "/metrics", "/index.html", "/meeting", "/demo", "/demo/app.js/", ""}) {
    EXPECT_FALSE(findDemoAsset(path).has_value()) << path;
  }
}

TEST(DemoAssets, EtagsAreQuotedAndDifferPerFile) {
  const auto a = findDemoAsset("/demo/app.js");
  const auto b = findDemoAsset("/demo/style.css");
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->etag.starts_with('"') && a->etag.ends_with('"')) << a->etag;
  EXPECT_NE(a->etag, b->etag);
  EXPECT_EQ(a->etag, findDemoAsset("/demo/app.js")->etag);
}

TEST(DemoAssets, PageLoadsNothingFromOutsideTheServer) {
  for (const char* path : {"/", "/demo/app.js", "/demo/style.css"}) {
    const auto asset = findDemoAsset(path);
    ASSERT_TRUE(asset.has_value()) << path;
    EXPECT_EQ(asset->body.find("http://"), std::string_view::npos) << path;
    EXPECT_EQ(asset->body.find("https://"), std::string_view::npos) << path;
    EXPECT_EQ(asset->body.find("@import"), std::string_view::npos) << path;
  }
  const auto index = findDemoAsset("/");
  EXPECT_NE(index->body.find("src=\"/demo/livekit-client.umd.js\""), std::string_view::npos);
  EXPECT_NE(index->body.find("src=\"/demo/app.js\""), std::string_view::npos);
}

}  // namespace
}  // namespace huddle::server::demo
