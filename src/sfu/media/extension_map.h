#pragma once
// Pure, any thread.
//
// RTP header extension ids are negotiated per m-line, so the same URI may carry a different id
// at the publisher and at each subscriber. A downtrack rewrites ids with one table lookup per
// element. Elements the subscriber did not negotiate are renumbered to an id it does not use,
// which receivers ignore (RFC 8285 section 5), so nothing is misread as another extension.

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace huddle::sfu {

// (id, uri) pairs as negotiated on one m-line.
using ExtensionIds = std::vector<std::pair<std::uint8_t, std::string>>;

struct ExtensionMap {
  // Indexed by the publisher's id; 0 leaves an element as it is.
  std::array<std::uint8_t, 256> table{};
  [[nodiscard]] static ExtensionMap build(const ExtensionIds& publisher,
                                          const ExtensionIds& subscriber);
};

}  // namespace huddle::sfu
