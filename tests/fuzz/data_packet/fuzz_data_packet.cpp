// libFuzzer target for the DataPacket relay: arbitrary bytes as they would arrive on a
// participant's `_reliable` or `_lossy` channel (the input's length picks which, so the seeds stay
// plain packets). Nothing may crash or throw; an accepted packet must come out stamped with the
// real sender, carry the channel's kind and the same destinations at both levels, and relaying
// the relayed bytes again must change nothing (receivers may see a packet twice across a resume).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "livekit_models.pb.h"
#include "server/data/data_relay.h"

namespace {

using huddle::server::DataSender;
using huddle::server::relayFromParticipant;

const DataSender kSender{"PA_fuzz", "fuzzer", true};

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bool reliable = (size & 1U) == 0;
  const auto relayed = relayFromParticipant({data, size}, reliable, kSender);
  if (!relayed.ok()) {
    if (relayed.message().empty()) __builtin_trap();
    return 0;
  }
  livekit::DataPacket out;
  if (!out.ParseFromString(relayed->bytes)) __builtin_trap();
  if (out.participant_identity() != kSender.identity || out.participant_sid() != kSender.sid) {
    __builtin_trap();
  }
  if ((out.kind() == livekit::DataPacket::RELIABLE) != reliable || relayed->reliable != reliable) {
    __builtin_trap();
  }
  if (out.value_case() == livekit::DataPacket::kSpeaker) __builtin_trap();
  if (out.has_user()) {
    if (out.user().participant_identity() != kSender.identity) __builtin_trap();
    if (out.user().destination_identities_size() != out.destination_identities_size()) {
      __builtin_trap();
    }
  }
  if (relayed->destinationIdentities.size() >
      static_cast<std::size_t>(out.destination_identities_size())) {
    __builtin_trap();
  }
  if (relayed->bytes.size() <= huddle::server::kMaxDataPacketBytes) {
    const auto again = relayFromParticipant(bytes(relayed->bytes), reliable, kSender);
    if (!again.ok() || again->bytes != relayed->bytes || again->senderReplaced ||
        again->destinationIdentities != relayed->destinationIdentities) {
      __builtin_trap();
    }
  }
  return 0;
}
