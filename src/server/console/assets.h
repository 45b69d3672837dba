#pragma once
// The console's static files (index.html, the bundled script and style sheet), built by
// `make build` into `<build>/console/` from the TypeScript sources in `console/`, served from a
// directory: `cpa serve` looks next to its executable (`<bin>/../console`, which is
// `build/console` for `build/bin/cpa`) unless `--console-dir` names another.
//
// Only flat names of [A-Za-z0-9._-] that do not start with '.' are served (no path traversal),
// with a content type by extension; anything else is 404.
//
// Thread safety: const after construction.
#include <optional>
#include <string>
#include <string_view>

#include "server/http/message.h"

namespace cpa::server::console {

class AssetDirectory {
 public:
  explicit AssetDirectory(std::string dir) : dir_(std::move(dir)) {}

  // Whether the directory holds a built console (index.html).
  bool available() const;
  const std::string& dir() const { return dir_; }

  // The file `name` as a response (a FileBody, sent with sendfile), or 404.
  http::Response Serve(std::string_view name) const;

 private:
  std::string dir_;
};

// The content type served for a file name, or nullopt for extensions the console does not use.
std::optional<std::string_view> AssetContentType(std::string_view name);
// Whether `name` is a flat file name the console may serve.
bool IsAssetName(std::string_view name);
// `<directory of the running executable>/../console` ("" when /proc/self/exe is unreadable).
std::string DefaultAssetDirectory();

}  // namespace cpa::server::console
