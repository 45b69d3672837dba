#include "server/registry/artifacts/container_image.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "server/registry/artifacts/gzip.h"
#include "server/registry/artifacts/tar.h"

namespace cpa::server::registry::artifacts {
namespace {

using core::ErrorCode;

constexpr char kPlatformFile[] = "etc/cpa-platform";

}  // namespace

core::Result<std::string> BuildLayerTar(const ImageSpec& spec, const Platform& platform) {
  // path -> file; directories are collected separately so that each is written once, before
  // its contents (a sorted walk puts "a/" before "a/b").
  std::map<std::string, const ImageFile*> files;
  ImageFile platform_file{kPlatformFile, platform.ToString() + "\n", 0644};
  for (const ImageFile& f : spec.files) {
    if (f.path == kPlatformFile) {
      return core::Error(ErrorCode::kInvalidArgument,
                         std::string("image file '") + kPlatformFile + "' is reserved");
    }
    if (!files.emplace(f.path, &f).second) {
      return core::Error(ErrorCode::kInvalidArgument, "image file '" + f.path + "' appears twice");
    }
  }
  files.emplace(platform_file.path, &platform_file);

  std::set<std::string> dirs;
  for (const auto& [path, f] : files) {
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      dirs.insert(path.substr(0, slash));
    }
  }
  for (const std::string& d : dirs) {
    if (files.count(d) != 0) {
      return core::Error(ErrorCode::kInvalidArgument,
                         "image file '" + d + "' is also the parent directory of other files");
    }
  }

  std::map<std::string, const ImageFile*> entries;  // "dir/" -> nullptr, "file" -> file
  for (const std::string& d : dirs) entries.emplace(d + "/", nullptr);
  for (const auto& [path, f] : files) entries.emplace(path, f);
  TarWriter tar;
  for (const auto& [path, f] : entries) {
    if (f == nullptr) {
      CPA_RETURN_IF_ERROR(tar.AddDirectory(path));
    } else {
      CPA_RETURN_IF_ERROR(tar.AddFile(path, f->content, f->mode));
    }
  }
  return tar.Finish();
}

std::string ImageConfigJson(const ImageSpec& spec, const Platform& platform,
                            const std::string& diff_id) {
  nlohmann::ordered_json c;
  c["created"] = kFixedCreated;
  c["architecture"] = platform.architecture;
  if (!platform.variant.empty()) c["variant"] = platform.variant;
  c["os"] = platform.os;
  nlohmann::ordered_json run = nlohmann::ordered_json::object();
  if (!spec.env.empty()) run["Env"] = spec.env;
  if (!spec.cmd.empty()) run["Cmd"] = spec.cmd;
  if (!spec.working_dir.empty()) run["WorkingDir"] = spec.working_dir;
  c["config"] = std::move(run);
  nlohmann::ordered_json rootfs;
  rootfs["type"] = "layers";
  rootfs["diff_ids"] = nlohmann::ordered_json::array({diff_id});
  c["rootfs"] = std::move(rootfs);
  nlohmann::ordered_json step;
  step["created"] = kFixedCreated;
  step["created_by"] = "cpa: seeded curated package image";
  c["history"] = nlohmann::ordered_json::array({step});
  return c.dump();
}

core::Result<Artifact> BuildContainerImage(const ImageSpec& spec) {
  if (spec.platforms.empty()) {
    return core::Error(ErrorCode::kInvalidArgument, "an image needs at least one platform");
  }
  std::set<std::string> seen;
  for (const Platform& p : spec.platforms) {
    if (p.os.empty() || p.architecture.empty()) {
      return core::Error(ErrorCode::kInvalidArgument,
                         "image platform needs an os and architecture");
    }
    if (!seen.insert(p.ToString()).second) {
      return core::Error(ErrorCode::kInvalidArgument,
                         "image platform '" + p.ToString() + "' appears twice");
    }
  }

  Artifact a;
  std::vector<Manifest> manifests;
  for (const Platform& p : spec.platforms) {
    CPA_ASSIGN_OR_RETURN(std::string layer_tar, BuildLayerTar(spec, p));
    std::string diff_id = Sha256Digest(layer_tar);
    CPA_ASSIGN_OR_RETURN(std::string layer_gz, GzipCompress(layer_tar));
    Blob config = MakeBlob(kOciImageConfigMediaType, ImageConfigJson(spec, p, diff_id));
    Blob layer = MakeBlob(kOciLayerTarGzipMediaType, std::move(layer_gz));
    manifests.push_back(BuildImageManifest(config, {{&layer, {}}}, {}, /*with_media_type=*/true));
    a.blobs.push_back(std::move(config));
    a.blobs.push_back(std::move(layer));
  }
  if (manifests.size() == 1) {
    a.manifest = std::move(manifests.front());
    return a;
  }
  std::vector<PlatformManifest> refs;
  for (size_t i = 0; i < manifests.size(); ++i) {
    refs.push_back({&manifests[i], spec.platforms[i]});
  }
  a.manifest = BuildImageIndex(refs);
  a.children = std::move(manifests);
  return a;
}

}  // namespace cpa::server::registry::artifacts
