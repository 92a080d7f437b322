#include "auth/errors.h"

namespace huddle::auth {

std::string_view toString(TokenError error) {
  switch (error) {
    case TokenError::TooLarge:
      return "too_large";
    case TokenError::Malformed:
      return "malformed";
    case TokenError::InvalidEncoding:
      return "invalid_encoding";
    case TokenError::InvalidJson:
      return "invalid_json";
    case TokenError::UnsupportedAlgorithm:
      return "unsupported_algorithm";
    case TokenError::MissingIssuer:
      return "missing_issuer";
    case TokenError::UnknownApiKey:
      return "unknown_api_key";
    case TokenError::BadSignature:
      return "bad_signature";
    case TokenError::MissingExpiry:
      return "missing_expiry";
    case TokenError::Expired:
      return "expired";
    case TokenError::NotYetValid:
      return "not_yet_valid";
    case TokenError::BodyHashMismatch:
      return "body_hash_mismatch";
    case TokenError::InvalidArgument:
      return "invalid_argument";
  }
  return "unknown";
}

std::string_view toString(KeyError error) {
  switch (error) {
    case KeyError::FileUnreadable:
      return "file_unreadable";
    case KeyError::InvalidFormat:
      return "invalid_format";
    case KeyError::SecretTooShort:
      return "secret_too_short";
    case KeyError::EmptyKeySet:
      return "empty_key_set";
  }
  return "unknown";
}

}  // namespace huddle::auth
