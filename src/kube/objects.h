#pragma once
// core/v1 Secret and ConfigMap as cpa uses them, and their JSON.
//
// Objects read from the server keep their JSON (`raw`), and a Replace starts from it: fields cpa
// does not model (ownerReferences, finalizers, managedFields, ...) survive a read-modify-write.
// Secret data values are held decoded (bytes); the JSON carries them in base64.
//
// Thread safety: values.

#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cpa::kube {

inline constexpr std::string_view kOpaqueSecretType = "Opaque";
inline constexpr std::string_view kDockerConfigJsonType = "kubernetes.io/dockerconfigjson";
inline constexpr std::string_view kDockerConfigJsonKey = ".dockerconfigjson";

struct ObjectMeta {
  std::string name;
  std::string namespace_name;
  std::string uid;                 // set by the server
  std::string resource_version;    // set by the server; sent back on Replace (optimistic lock)
  std::string creation_timestamp;  // set by the server, RFC 3339
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
};

struct Secret {
  ObjectMeta metadata;
  std::string type;                         // "" on create: the server's default, Opaque
  std::map<std::string, std::string> data;  // key -> bytes (decoded)
  bool immutable = false;
  std::string raw;  // JSON as read from the server; empty for a new object
};

struct ConfigMap {
  ObjectMeta metadata;
  std::map<std::string, std::string> data;
  std::map<std::string, std::string> binary_data;  // key -> bytes (decoded)
  bool immutable = false;
  std::string raw;
};

// Decoding a server answer. Errors say which field is wrong (never a value of `data`).
core::Result<Secret> DecodeSecret(std::string_view json);
core::Result<ConfigMap> DecodeConfigMap(std::string_view json);

// JSON for a POST: from the typed fields only (server-set metadata is never sent).
std::string EncodeSecretForCreate(const Secret& secret);
std::string EncodeConfigMapForCreate(const ConfigMap& config_map);
// JSON for a PUT: `raw` (when set) with the typed fields written over it, including
// metadata.resourceVersion (empty: an unconditional update) and without stringData.
std::string EncodeSecretForReplace(const Secret& secret);
std::string EncodeConfigMapForReplace(const ConfigMap& config_map);

}  // namespace cpa::kube
