#include "auth/access_token.h"

#include <nlohmann/json.hpp>


#include "auth/claims_json.h"
#include "auth/token_payload.h"
#include "common/base64.h"

namespace huddle::auth {
namespace {

using nlohmann::json;

// Encoded once: every token we mint carries the same header.
const std::string& encodedHeader() {
  static const std::string header =
      encodeBase64Url(std::string_view(R"({"alg":"HS256","typ":"JWT"})"));
  return header;
}

// The `kid` header, when a token has one.
struct KeyIdHeader {
  bool present = false;
  std::string value;
};

// Accepts only HS256 without critical extensions. Nearly every token carries one of two
// headers (ours, or jose's as LiveKit's Node SDK writes it); recognising those spares a JSON
// parse per verify.
Result<KeyIdHeader, TokenError> checkHeader(std::string_view headerPart) {
  static const std::string kJoseHeader = encodeBase64Url(std::string_view(R"({"alg":"HS256"})"));
  if (headerPart == encodedHeader() || headerPart == kJoseHeader) return KeyIdHeader{};

  const auto headerText = decodeBase64Url(headerPart);
  if (!headerText) return Error{TokenError::InvalidEncoding, "token header is not base64url"};
  const json header =
      json::parse(headerText->data(), headerText->data() + headerText->size(), nullptr, false);
  if (!header.is_object()) {
    return Error{TokenError::InvalidJson, "token header is not a JSON object"};
  }
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get_ref<const std::string&>() != "HS256") {
    const std::string named =
        alg != header.end() && alg->is_string() ? alg->get<std::string>() : "(none)";
    return Error{TokenError::UnsupportedAlgorithm, "token algorithm " + named + " is not HS256"};
  }
  if (header.contains("crit")) {
    return Error{TokenError::UnsupportedAlgorithm,
                 "token header has critical extensions we do not implement"};
  }
  KeyIdHeader keyId;
  if (const auto kid = header.find("kid"); kid != header.end()) {
    keyId.present = true;
    // A non-string kid can name no key; an empty value never equals a non-empty issuer.
    if (kid->is_string()) keyId.value = kid->get<std::string>();
  }
  return keyId;
}

std::span<const std::uint8_t> asBytes(const HmacSha256Key::Digest& digest) {
  return {digest.data(), digest.size()};
}

}  // namespace

Result<std::string, TokenError> mintToken(const ClaimGrants& grants, const MintOptions& options,
                                          const HmacSha256Key& secret, const Clock& clock) {
  if (options.apiKey.empty()) return Error{TokenError::InvalidArgument, "API key is empty"};
  if (grants.video && grants.video->roomJoin && grants.identity.empty()) {
    return Error{TokenError::InvalidArgument, "identity is required for a roomJoin grant"};
  }
  if (options.ttl <= std::chrono::seconds::zero()) {
    return Error{TokenError::InvalidArgument, "token validity must be positive"};
  }
  json payload = json::object();
  toJson(grants, payload);
  const std::int64_t now = clock.unixSeconds();
  payload["iss"] = options.apiKey;
  payload["nbf"] = now;
  payload["exp"] = now + options.ttl.count();
  if (options.setIssuedAt) payload["iat"] = now;
  if (!options.jwtId.empty()) payload["jti"] = options.jwtId;

  std::string payloadText;
  try {
    payloadText = payload.dump();
  } catch (const json::type_error&) {
    // JSON text must be UTF-8; LiveKit's verifiers would reject anything else.
    return Error{TokenError::InvalidArgument, "token claims contain text that is not valid UTF-8"};
  }
  std::string token = encodedHeader();
  token += '.';
  token += encodeBase64Url(payloadText);
  const auto signature = secret.sign(token);
  token += '.';
  token += encodeBase64Url(asBytes(signature));
  return token;
}

Result<VerifiedToken, TokenError> TokenVerifier::verify(std::string_view token) const {
  if (token.size() > kMaxTokenBytes) {
    return Error{TokenError::TooLarge, "token is " + std::to_string(token.size()) +
                                           " bytes; the limit is " +
                                           std::to_string(kMaxTokenBytes)};
  }
  const auto firstDot = token.find('.');
  const auto secondDot =
      firstDot == std::string_view::npos ? firstDot : token.find('.', firstDot + 1);
  if (secondDot == std::string_view::npos ||
      token.find('.', secondDot + 1) != std::string_view::npos || firstDot == 0 ||
      secondDot == firstDot + 1) {
    return Error{TokenError::Malformed, "token must be three non-empty dot-separated parts"};
  }
  const std::string_view headerPart = token.substr(0, firstDot);
  const std::string_view payloadPart = token.substr(firstDot + 1, secondDot - firstDot - 1);
  const std::string_view signaturePart = token.substr(secondDot + 1);

  // The algorithm is checked before anything else, so that an alg=none or RS256 token is
  // reported as such whatever its signature part holds.
  auto keyId = checkHeader(headerPart);
  if (!keyId) return keyId.error();

  if (signaturePart.empty()) return Error{TokenError::Malformed, "token has no signature"};
  HmacSha256Key::Digest expected{};
  // nullopt when invalid, or valid but longer than a SHA-256 MAC (told apart below).
  auto signatureSize = decodeBase64Url(signaturePart, expected);
  const auto payloadText = decodeBase64Url(payloadPart);
  if (!signatureSize && decodeBase64Url(signaturePart)) signatureSize = 0;
  if (!payloadText || !signatureSize) {
    return Error{TokenError::InvalidEncoding, "token payload or signature is not base64url"};
  }
  auto payload = readTokenPayload(*payloadText);
  if (!payload) return Error{TokenError::InvalidJson, "token payload is not a JSON object"};

  const std::string& apiKey = payload->issuer;
  if (apiKey.empty()) return Error{TokenError::MissingIssuer, "token has no issuer (API key)"};
  if (keyId->present && keyId->value != apiKey) {
    return Error{TokenError::UnknownApiKey, "token key id does not name its issuer's key"};
  }
  const HmacSha256Key* secret = keys_.find(apiKey);
  if (secret == nullptr)
    return Error{TokenError::UnknownApiKey, "API key '" + apiKey + "' is not configured"};

  if (*signatureSize != expected.size()) {
    return Error{TokenError::BadSignature, "token signature has the wrong length"};
  }
  if (!secret->verify(token.substr(0, secondDot), expected)) {
    return Error{TokenError::BadSignature,
                 "token signature does not match API key '" + apiKey + "'"};
  }

  if (payload->datesMalformed) {
    return Error{TokenError::InvalidJson, "token exp, nbf or iat is not a number"};
  }
  if (!payload->expiresAt) return Error{TokenError::MissingExpiry, "token has no expiry (exp)"};
  const std::int64_t exp = *payload->expiresAt;
  const std::int64_t now = clock_.unixSeconds();
  if (exp + leeway_.count() < now) {
    return Error{TokenError::Expired, "token expired " + std::to_string(now - exp) + " s ago"};
  }
  if (payload->notBefore && *payload->notBefore - leeway_.count() > now) {
    return Error{TokenError::NotYetValid, "token is not valid for another " +
                                              std::to_string(*payload->notBefore - now) + " s"};
  }
  if (payload->jwtIdMalformed) {
    return Error{TokenError::InvalidJson, "claim 'jti' must be a string"};
  }
  if (payload->claimsError) return Error{TokenError::InvalidJson, std::move(*payload->claimsError)};

  VerifiedToken verified;
  verified.apiKey = std::move(payload->issuer);
  verified.expiresAt = exp;
  verified.notBefore = payload->notBefore.value_or(0);
  verified.issuedAt = payload->issuedAt.value_or(0);
  verified.jwtId = std::move(payload->jwtId);
  verified.grants = std::move(payload->grants);
  return verified;
}

}  // namespace huddle::auth
