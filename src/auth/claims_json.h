#pragma once
// ClaimGrants <-> JSON with LiveKit's claim names. Pure, any thread.

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

#include "auth/grants.h"

namespace huddle::auth {

// Writes only what is set, so absent nullable grants stay absent (their defaults differ).
void toJson(const ClaimGrants& grants, nlohmann::json& out);
[[nodiscard]] nlohmann::json toJson(const VideoGrant& grant);

// Reads the LiveKit claims of a JWT payload. Returns an error text when a claim has the wrong
// JSON type; unknown claims other than the registered JWT ones land in `extraClaims`.
[[nodiscard]] std::optional<std::string> fromJson(const nlohmann::json& payload, ClaimGrants& out);
[[nodiscard]] std::optional<std::string> fromJson(const nlohmann::json& video, VideoGrant& out);

}  // namespace huddle::auth
