#include "server/registry/artifacts/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace cpa::server::registry::artifacts {
namespace {

using core::ErrorCode;

constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip wrapper
constexpr int kMemLevel = 8;              // zlib's default
constexpr int kOsUnknown = 255;

}  // namespace

core::Result<std::string> GzipCompress(std::string_view data, int level) {
  if (level < 0 || level > 9) {
    return core::Error(ErrorCode::kInvalidArgument, "gzip level must be between 0 and 9");
  }
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return core::Error(ErrorCode::kInternal, "zlib deflateInit2 failed");
  }
  gz_header header{};
  header.time = 0;
  header.os = kOsUnknown;
  if (deflateSetHeader(&zs, &header) != Z_OK) {
    deflateEnd(&zs);
    return core::Error(ErrorCode::kInternal, "zlib deflateSetHeader failed");
  }

  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 64);
  size_t consumed = 0;
  int rc = Z_OK;
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  while (rc != Z_STREAM_END) {
    // Feed at most UINT_MAX bytes at a time (avail_in is 32-bit).
    size_t chunk = std::min<size_t>(data.size() - consumed, UINT_MAX);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + consumed));
    zs.avail_in = static_cast<uInt>(chunk);
    bool last = consumed + chunk == data.size();
    if (zs.avail_out == 0) {
      size_t used = out.size();
      out.resize(out.size() * 2);
      zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      zs.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - used, UINT_MAX));
    }
    rc = deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      deflateEnd(&zs);
      return core::Error(ErrorCode::kInternal, "zlib deflate failed");
    }
    consumed += chunk - zs.avail_in;
  }
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

core::Result<std::string> GzipDecompress(std::string_view data, size_t max_output) {
  z_stream zs{};
  if (inflateInit2(&zs, kGzipWindowBits) != Z_OK) {
    return core::Error(ErrorCode::kInternal, "zlib inflateInit2 failed");
  }
  if (data.size() > UINT_MAX) {
    inflateEnd(&zs);
    return core::Error(ErrorCode::kInvalidArgument, "gzip input larger than 4 GiB");
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());

  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = sizeof(buf) - zs.avail_out;
    if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR ||
        (rc == Z_BUF_ERROR && zs.avail_in == 0)) {
      std::string why = zs.msg != nullptr ? zs.msg : "truncated input";
      inflateEnd(&zs);
      return core::Error(ErrorCode::kInvalidArgument, "gzip data does not inflate: " + why);
    }
    if (out.size() + produced > max_output) {
      inflateEnd(&zs);
      return core::Error(ErrorCode::kInvalidArgument, "gzip data inflates to more than " +
                                                          std::to_string(max_output) + " bytes");
    }
    out.append(buf, produced);
  }
  size_t trailing = zs.avail_in;
  inflateEnd(&zs);
  if (trailing != 0) {
    return core::Error(ErrorCode::kInvalidArgument,
                       "gzip data has " + std::to_string(trailing) + " bytes after the member");
  }
  return out;
}

}  // namespace cpa::server::registry::artifacts
