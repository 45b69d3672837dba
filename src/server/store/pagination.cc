#include "server/store/pagination.h"

#include "core/encoding.h"

namespace cpa::server::store {

namespace {
constexpr std::string_view kMarkerTag = "cpa1\n";
}

std::string EncodeMarker(std::string_view key, int64_t row) {
  std::string raw(kMarkerTag);
  raw += std::to_string(row);
  raw += '\n';
  raw += key;
  return core::Base64UrlEncode(raw);
}

core::Result<Cursor> DecodeMarker(std::string_view marker) {
  Cursor c;
  if (marker.empty()) return c;
  core::Status bad(core::ErrorCode::kInvalidArgument, "Invalid Marker.");
  auto raw = core::Base64UrlDecode(marker);
  if (!raw.ok() || raw->compare(0, kMarkerTag.size(), kMarkerTag) != 0) return bad;
  std::string_view rest = std::string_view(*raw).substr(kMarkerTag.size());
  auto nl = rest.find('\n');
  if (nl == std::string_view::npos || nl == 0 || nl > 18) return bad;
  int64_t row = 0;
  for (char ch : rest.substr(0, nl)) {
    if (ch < '0' || ch > '9') return bad;
    row = row * 10 + (ch - '0');
  }
  c.start = false;
  c.row = row;
  c.key = std::string(rest.substr(nl + 1));
  return c;
}

core::Status CheckMaxItems(int max_items) {
  if (max_items < 1 || max_items > kMaxMaxItems) {
    return core::Status(core::ErrorCode::kInvalidArgument,
                        "1 validation error detected: Value '" + std::to_string(max_items) +
                            "' at 'maxItems' failed to satisfy constraint: Member must have "
                            "value between 1 and 1000");
  }
  return core::Status::Ok();
}

}  // namespace cpa::server::store
