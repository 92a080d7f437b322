#pragma once
// Why a token, key set or webhook signature was refused. Pure, any thread.

#include <string_view>

namespace huddle::auth {

enum class TokenError {
  TooLarge,              // longer than kMaxTokenBytes
  Malformed,             // not three non-empty dot-separated segments
  InvalidEncoding,       // a segment is not base64url
  InvalidJson,           // header or payload is not a JSON object, or a claim has the wrong type
  UnsupportedAlgorithm,  // anything but HS256 (none, RS*, ES*, HS384, HS512...)
  MissingIssuer,         // no `iss`: the API key is unknown
  UnknownApiKey,         // `iss` (or `kid`) names no configured key
  BadSignature,          // HMAC does not match: wrong secret or tampered token
  MissingExpiry,         // no `exp`: such a token would never expire
  Expired,
  NotYetValid,
  BodyHashMismatch,  // webhook: `sha256` claim differs from the body's digest
  InvalidArgument,   // minting: e.g. roomJoin without identity, empty key or secret
};

enum class KeyError {
  FileUnreadable,
  InvalidFormat,
  SecretTooShort,  // below kMinSecretBytes outside dev mode
  EmptyKeySet,
};

[[nodiscard]] std::string_view toString(TokenError error);
[[nodiscard]] std::string_view toString(KeyError error);

}  // namespace huddle::auth
