#include "server/http/router.h"

#include <algorithm>
#include <utility>

namespace cpa::server::http {

void Router::AddExact(std::string path, Handler handler, RouteOptions options) {
  std::erase_if(exact_, [&](const Route& r) { return r.path == path; });
  exact_.push_back(
      Route{Route::Match::kExact, std::move(path), std::move(handler), std::move(options)});
}

void Router::AddPrefix(std::string prefix, Handler handler, RouteOptions options) {
  std::erase_if(prefixes_, [&](const Route& r) { return r.path == prefix; });
  prefixes_.push_back(
      Route{Route::Match::kPrefix, std::move(prefix), std::move(handler), std::move(options)});
  std::stable_sort(prefixes_.begin(), prefixes_.end(),
                   [](const Route& a, const Route& b) { return a.path.size() > b.path.size(); });
}

void Router::SetDefault(Handler handler, RouteOptions options) {
  default_ = Route{Route::Match::kPrefix, "", std::move(handler), std::move(options)};
}

const Route* Router::Find(std::string_view path) const {
  for (const Route& r : exact_) {
    if (r.path == path) return &r;
  }
  for (const Route& r : prefixes_) {
    if (path.starts_with(r.path)) return &r;
  }
  return default_ ? &*default_ : nullptr;
}

}  // namespace cpa::server::http
