#pragma once
// gzip (RFC 1952) compression and decompression through zlib.
//
// GzipCompress is deterministic: the header carries mtime 0, no file name, no comment, no extra
// field and OS 255 ("unknown", as Go's compress/gzip writes), and deflate runs at a fixed level.
// The same input therefore gives the same bytes for a given zlib build; a different zlib release
// may choose other (equally valid) deflate blocks, which changes the digests of gzip'd blobs.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cpa::server::registry::artifacts {

// kInternal only if zlib itself fails (out of memory).
core::Result<std::string> GzipCompress(std::string_view data, int level = 9);

// Inflates one gzip member. kInvalidArgument if the input is not gzip, is truncated, fails its
// CRC, has bytes after the member, or would inflate to more than `max_output` bytes.
core::Result<std::string> GzipDecompress(std::string_view data,
                                         size_t max_output = size_t{256} << 20);

}  // namespace cpa::server::registry::artifacts
