#include "sfu/media/extension_map.h"

#include <bitset>

namespace huddle::sfu {

ExtensionMap ExtensionMap::build(const ExtensionIds& publisher, const ExtensionIds& subscriber) {
  ExtensionMap map;
  std::bitset<256> subscriberUses;
  for (const auto& [id, uri] : subscriber) {
    subscriberUses.set(id);
  }
  // 1..14 fits both the one-byte and the two-byte form; take the highest free one so the
  // low ids, which new negotiations use first, stay meaningful.
  std::uint8_t unusedId = 0;
  for (std::uint8_t id = 14; id >= 1; --id) {
    if (!subscriberUses.test(id)) {
      unusedId = id;
      break;
    }
  }
  std::bitset<256> publisherUses;
  for (const auto& [pubId, pubUri] : publisher) {
    if (pubId == 0) {
      continue;
    }
    publisherUses.set(pubId);
    std::uint8_t mapped = unusedId;
    for (const auto& [subId, subUri] : subscriber) {
      if (subUri == pubUri) {
        mapped = subId;
        break;
      }
    }
    map.table[pubId] = mapped;
  }
  // An element with an id the publisher never negotiated must not reach the subscriber under
  // an id that means something there either.
  for (std::size_t id = 1; id < 256; ++id) {
    if (!publisherUses.test(id) && subscriberUses.test(id)) {
      map.table[id] = unusedId;
    }
  }
  return map;
}

}  // namespace huddle::sfu
