#pragma once
// Single-threaded per object: the keyed crypto of one SrtpSession. Internal to rtc/srtp (tests
// use it for the RFC vectors). Every per-packet call runs on contexts keyed once, so none of them
// allocates: OpenSSL 3's EVP_MAC allocates on every HMAC, hence the precomputed SHA-1 states.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

struct evp_cipher_ctx_st;  // EVP_CIPHER_CTX; only srtp_crypto.cpp includes OpenSSL

namespace huddle::rtc::srtp_detail {

// RFC 3711 section 4.3.1 with key_derivation_rate 0: the AES-CM keystream under the master key
// for IV = ((label << 48) XOR master_salt) << 16. A 12-octet (GCM) salt is zero-padded to 14, as
// RFC 7714 section 11 and libsrtp do. False only if OpenSSL fails or the sizes are off.
[[nodiscard]] bool deriveSrtpKey(std::span<const std::uint8_t> masterKey,
                                 std::span<const std::uint8_t> masterSalt, std::uint8_t label,
                                 std::span<std::uint8_t> out);

// HMAC-SHA1 (RFC 2104) from the two key-dependent SHA-1 states computed once, so a tag costs
// two struct copies and the hashing, never a key setup or an allocation.
class HmacSha1 final {
 public:
  static constexpr std::size_t kDigestLength = 20;
  using Digest = std::array<std::uint8_t, kDigestLength>;

  explicit HmacSha1(std::span<const std::uint8_t> key);
  ~HmacSha1();
  HmacSha1(HmacSha1&&) noexcept;
  HmacSha1& operator=(HmacSha1&&) noexcept;
  HmacSha1(const HmacSha1&) = delete;
  HmacSha1& operator=(const HmacSha1&) = delete;

  // HMAC over first || second (SRTP authenticates the packet followed by the ROC).
  [[nodiscard]] Digest sign(std::span<const std::uint8_t> first,
                            std::span<const std::uint8_t> second = {}) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// One AES-128 context keyed once; each packet only sets its IV.
class AesContext final {
 public:
  enum class Mode { Ctr, GcmEncrypt, GcmDecrypt };
  static constexpr std::size_t kGcmTagLength = 16;

  // Null when OpenSSL refuses the key (it does not for a 16-octet key).
  [[nodiscard]] static std::unique_ptr<AesContext> create(Mode mode,
                                                          std::span<const std::uint8_t> key);
  ~AesContext();
  AesContext(const AesContext&) = delete;
  AesContext& operator=(const AesContext&) = delete;

  // Ctr: XORs `data` in place with the keystream from the 16-octet counter block `iv`.
  [[nodiscard]] bool ctr(const std::array<std::uint8_t, 16>& iv, std::span<std::uint8_t> data);
  // GcmEncrypt: encrypts `data` in place, authenticates aad1 || aad2 too, writes the tag.
  [[nodiscard]] bool seal(const std::array<std::uint8_t, 12>& iv,
                          std::span<const std::uint8_t> aad1, std::span<const std::uint8_t> aad2,
                          std::span<std::uint8_t> data, std::span<std::uint8_t, kGcmTagLength> tag);
  // GcmDecrypt: decrypts `data` in place; false if the tag does not match (then `data` holds
  // garbage and must be dropped).
  [[nodiscard]] bool open(const std::array<std::uint8_t, 12>& iv,
                          std::span<const std::uint8_t> aad1, std::span<const std::uint8_t> aad2,
                          std::span<std::uint8_t> data,
                          std::span<const std::uint8_t, kGcmTagLength> tag);

 private:
  AesContext(Mode mode, evp_cipher_ctx_st* ctx) : mode_(mode), ctx_(ctx) {}
  Mode mode_;
  evp_cipher_ctx_st* ctx_;
};

}  // namespace huddle::rtc::srtp_detail
