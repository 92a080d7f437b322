#include "signal/gzip.h"

#include <zlib.h>

#include <array>
#include <climits>
#include <memory>

namespace huddle::signal {
namespace {

// zlib's windowBits: 15 (32 KiB window) plus 16 selects the gzip wrapper instead of zlib's.
constexpr int kGzipWindowBits = 15 + 16;
constexpr std::size_t kChunk = 16 * 1024;

struct InflateEnd {
  void operator()(z_stream* stream) const { inflateEnd(stream); }
};
struct DeflateEnd {
  void operator()(z_stream* stream) const { deflateEnd(stream); }
};

Bytef* mutableBytes(std::span<const std::uint8_t> input) {
  // zlib's next_in is not const-qualified but is never written through.
  return const_cast<Bytef*>(input.data());
}

}  // namespace

Result<std::string, GzipError> gunzip(std::span<const std::uint8_t> input, std::size_t maxOutput) {
  if (input.size() > UINT_MAX) return Error{GzipError::TooLarge, "gzip input too large"};
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) {
    return Error{GzipError::Corrupt, "zlib inflateInit2 failed"};
  }
  const std::unique_ptr<z_stream, InflateEnd> guard(&stream);
  stream.next_in = mutableBytes(input);
  stream.avail_in = static_cast<uInt>(input.size());

  std::string out;
  std::array<Bytef, kChunk> chunk{};
  for (;;) {
    stream.next_out = chunk.data();
    stream.avail_out = static_cast<uInt>(chunk.size());
    const int rc = inflate(&stream, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - stream.avail_out;
    if (out.size() + produced > maxOutput) {
      return Error{GzipError::TooLarge,
                   "decompressed size exceeds " + std::to_string(maxOutput) + " bytes"};
    }
    out.append(reinterpret_cast<const char*>(chunk.data()), produced);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR) {
      // With a fresh output chunk every round, no progress means the input ran out mid-stream.
      return Error{GzipError::Corrupt, "gzip stream truncated"};
    }
    return Error{GzipError::Corrupt,
                 std::string("gzip stream corrupt: ") + (stream.msg ? stream.msg : "zlib error")};
  }
  if (stream.avail_in != 0) {
    return Error{GzipError::Corrupt, "bytes after the end of the gzip stream"};
  }
  return out;
}

std::string gzip(std::span<const std::uint8_t> input) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  const std::unique_ptr<z_stream, DeflateEnd> guard(&stream);
  std::string out;
  out.resize(deflateBound(&stream, static_cast<uLong>(input.size())));
  stream.next_in = mutableBytes(input);
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  // deflateBound guarantees one Z_FINISH call completes.
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) return {};
  out.resize(stream.total_out);
  return out;
}

}  // namespace huddle::signal
