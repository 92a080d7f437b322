// libFuzzer target for the STUN codec: parse arbitrary bytes, and when they parse, read every
// attribute and run both checks, so ASan/UBSan see every path a hostile datagram can reach.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "rtc/ice/stun_message.h"

namespace {

volatile std::uint64_t gSink = 0;

void touch(std::uint64_t v) { gSink = gSink + v; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace huddle::rtc;
  const std::span<const std::uint8_t> input(data, size);
  touch(isStunPacket(input) ? 1 : 0);

  const auto msg = StunMessageView::parse(input);
  if (!msg) {
    return 0;
  }
  touch(msg->messageType());
  touch(static_cast<std::uint64_t>(msg->messageClass()));
  touch(static_cast<std::uint64_t>(msg->method()));
  touch(msg->isBindingRequest() ? 1 : 0);
  touch(msg->transactionId()[11]);
  touch(msg->attributeCount());
  if (const auto user = msg->username()) {
    touch(user->size());
    if (const auto parts = splitUsername(*user)) {
      touch(parts->receiverUfrag.size() + parts->senderUfrag.size());
    }
  }
  for (const auto text : {msg->software(), msg->realm(), msg->nonce()}) {
    if (text && !text->empty()) {
      touch(static_cast<std::uint8_t>(text->back()));
    }
  }
  for (const auto address : {msg->xorMappedAddress(), msg->mappedAddress()}) {
    if (address) {
      touch(address->port + address->addr[15]);
    }
  }
  touch(msg->priority().value_or(0));
  touch(msg->useCandidate() ? 1 : 0);
  touch(msg->iceControlling().value_or(0) ^ msg->iceControlled().value_or(0));
  touch(msg->nomination().value_or(0));
  if (const auto error = msg->errorCode()) {
    touch(error->code + error->reason.size());
  }
  if (const auto unknown = msg->unknownAttributes()) {
    for (std::size_t i = 0; i < unknown->size(); ++i) {
      touch((*unknown)[i]);
    }
  }
  std::array<std::uint16_t, 4> unknownTypes{};
  touch(msg->unknownComprehensionRequired(unknownTypes));
  touch(msg->hasMessageIntegrity() ? 1 : 0);
  touch(msg->hasFingerprint() ? 1 : 0);
  touch(msg->verifyMessageIntegrity(std::string_view("VOkJxbRl1RmTxUk/WvJxBt")) ? 1 : 0);
  touch(msg->verifyFingerprint() ? 1 : 0);

  // Answering a request must always fit a response buffer of the maximum message size.
  if (msg->messageClass() == StunClass::Request) {
    std::array<std::uint8_t, kStunMaxMessageSize> buffer{};
    const std::array<std::uint8_t, 3> key = {'k', 'e', 'y'};
    const auto reply = buildStunErrorResponse(buffer, *msg, kStunErrorRoleConflict, key,
                                              std::span(unknownTypes.data(), 2));
    if (reply.empty() || !StunMessageView::parse(reply)) {
      __builtin_trap();
    }
  }
  return 0;
}
