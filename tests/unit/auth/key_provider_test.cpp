#include "auth/key_provider.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace huddle::auth {
namespace {

const std::string kLongA(32, 'a');
const std::string kLongB(40, 'b');

TEST(KeyProvider, ReadsLiveKitKeyFile) {
  const std::string path = ::testing::TempDir() + "/huddle_keys.yaml";
  {
    std::ofstream out(path);
    out << "APIone: " << kLongA << "\nAPItwo: " << kLongB << "\n";
  }
  const auto keys = KeyProvider::fromYamlFile(path, KeyPolicy{});
  std::remove(path.c_str());
  ASSERT_TRUE(keys) << keys.message();
  EXPECT_EQ(keys->size(), 2u);
  ASSERT_NE(keys->find("APIone"), nullptr);
  EXPECT_EQ(keys->find("APIone")->secretSize(), 32u);
  EXPECT_EQ(keys->find("APIthree"), nullptr);
}

TEST(KeyProvider, ReadsEnvironmentValue) {
  const auto keys =
      KeyProvider::fromEnvValue("APIone: " + kLongA + ", APItwo: " + kLongB, KeyPolicy{});
  ASSERT_TRUE(keys) << keys.message();
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_EQ(keys->find("APItwo")->secretSize(), 40u);
}

TEST(KeyProvider, RefusesShortSecretOutsideDevMode) {
  const auto refused = KeyProvider::fromEnvValue("devkey: secret", KeyPolicy{});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.code(), KeyError::SecretTooShort);
  EXPECT_NE(refused.message().find("devkey"), std::string::npos);
  EXPECT_NE(refused.message().find("32"), std::string::npos);

  const auto dev =
      KeyProvider::fromEnvValue("devkey: secret", KeyPolicy{.allowShortSecrets = true});
  ASSERT_TRUE(dev);
  EXPECT_NE(dev->find("devkey"), nullptr);
}

TEST(KeyProvider, ReportsBadInput) {
  EXPECT_EQ(KeyProvider::fromYamlFile("/nonexistent/keys.yaml", KeyPolicy{}).code(),
            KeyError::FileUnreadable);
  EXPECT_EQ(KeyProvider::fromYamlText("- just\n- a list\n", KeyPolicy{}).code(),
            KeyError::InvalidFormat);
  EXPECT_EQ(KeyProvider::fromYamlText("key: [unclosed", KeyPolicy{}).code(),
            KeyError::InvalidFormat);
  EXPECT_EQ(KeyProvider::fromEnvValue("no-colon-here", KeyPolicy{}).code(),
            KeyError::InvalidFormat);
  EXPECT_EQ(KeyProvider::fromEnvValue(" , ", KeyPolicy{}).code(), KeyError::EmptyKeySet);
}

}  // namespace
}  // namespace huddle::auth
