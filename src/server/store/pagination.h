#pragma once
// Marker/MaxItems pagination as IAM lists do it. The marker is opaque to clients: it encodes
// the sort key and row of the last item returned, so a listing resumes correctly even when
// items before it are deleted or inserted between calls.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cpa::server::store {

inline constexpr int kDefaultMaxItems = 100;
inline constexpr int kMaxMaxItems = 1000;

struct PageRequest {
  std::string marker;                // empty: from the start
  int max_items = kDefaultMaxItems;  // 1..1000
};

template <typename T>
struct Page {
  std::vector<T> items;
  bool is_truncated = false;
  std::string marker;  // set when is_truncated: pass as PageRequest::marker for the next page
};

// Where a listing resumes: after (key, row).
struct Cursor {
  bool start = true;
  std::string key;
  int64_t row = 0;
};

std::string EncodeMarker(std::string_view key, int64_t row);
// An empty marker is the start. A marker that this store did not issue is InvalidArgument.
core::Result<Cursor> DecodeMarker(std::string_view marker);
// InvalidArgument unless 1 <= max_items <= 1000.
core::Status CheckMaxItems(int max_items);

}  // namespace cpa::server::store
