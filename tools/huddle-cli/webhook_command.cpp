#include "webhook_command.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "auth/webhook_auth.h"
#include "cli_common.h"
#include "key_options.h"

namespace huddle::cli {
namespace {

struct WebhookOptions {
  KeyOptions keys;
  std::string bodyFile;
  std::string authorization;
};

// Webhook bodies are signed byte for byte, so the file is read exactly, newline and all.
std::optional<std::string> readBody(const std::string& path) {
  if (path == "-") {
    std::ostringstream text;
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

int runSign(WebhookOptions& o) {
  auto keys = o.keys.provider();
  if (!keys) return fail(keys.message());
  const auto body = readBody(o.bodyFile);
  if (!body) return fail("cannot read body file '" + o.bodyFile + "'");
  const auto header = auth::signWebhook(*body, o.keys.apiKey, *keys->find(o.keys.apiKey));
  if (!header) return fail("cannot sign webhook: " + header.message());
  std::cout << *header << "\n";
  return 0;
}

int runVerify(WebhookOptions& o) {
  auto keys = o.keys.provider();
  if (!keys) return fail(keys.message());
  const auto body = readBody(o.bodyFile);
  if (!body) return fail("cannot read body file '" + o.bodyFile + "'");
  const auth::TokenVerifier verifier(*keys, SystemClock::instance());
  const auto verified = auth::verifyWebhook(*body, o.authorization, verifier);
  if (!verified) {
    std::cerr << "invalid webhook: " << auth::toString(verified.code()) << ": "
              << verified.message() << "\n";
    return 1;
  }
  std::cout << "valid webhook from API key " << verified->apiKey << "\n";
  return 0;
}

}  // namespace

void addWebhookCommand(CLI::App& app, int& exitCode) {
  auto* webhook = app.add_subcommand("webhook", "sign and verify webhook requests");
  webhook->require_subcommand(1);

  auto sign = std::make_shared<WebhookOptions>();
  auto* s = webhook->add_subcommand("sign", "print the Authorization header value for a body");
  sign->keys.addTo(*s);
  s->add_option("--body", sign->bodyFile, "file with the exact request body, or -")->required();
  s->callback([sign, &exitCode] { exitCode = runSign(*sign); });

  auto verify = std::make_shared<WebhookOptions>();
  auto* v = webhook->add_subcommand("verify", "check a body against its Authorization header");
  verify->keys.addTo(*v);
  verify->keys.acceptKeySet = true;
  v->add_option("--keys-file", verify->keys.keysFile, "LiveKit key file ('key: secret' lines)");
  v->add_option("--body", verify->bodyFile, "file with the exact request body, or -")->required();
  v->add_option("--authorization", verify->authorization, "the Authorization header value")
      ->required();
  v->callback([verify, &exitCode] { exitCode = runVerify(*verify); });
}

}  // namespace huddle::cli
