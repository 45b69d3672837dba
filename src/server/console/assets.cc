#include "server/console/assets.h"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>

namespace cpa::server::console {

std::optional<std::string_view> AssetContentType(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".map") || ends(".json")) return "application/json";
  if (ends(".txt")) return "text/plain; charset=utf-8";
  return std::nullopt;
}

bool IsAssetName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool AssetDirectory::available() const {
  if (dir_.empty()) return false;
  struct stat st {};
  return ::stat((dir_ + "/index.html").c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

http::Response AssetDirectory::Serve(std::string_view name) const {
  auto type = AssetContentType(name);
  if (dir_.empty() || !IsAssetName(name) || !type) {
    return http::TextResponse(404, "not found\n");
  }
  const std::string path = dir_ + "/" + std::string(name);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return http::TextResponse(404, "not found\n");
  }
  http::Response r;
  r.status = 200;
  r.SetHeader("Content-Type", std::string(*type));
  // The files change with every build and are small: revalidate each time.
  r.SetHeader("Cache-Control", "no-cache");
  r.file = http::FileBody{path, 0, static_cast<uint64_t>(st.st_size)};
  return r;
}

std::string DefaultAssetDirectory() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  return (exe.parent_path().parent_path() / "console").string();
}

}  // namespace cpa::server::console
