#include "kube/objects.h"

#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace cpa::kube {
namespace {

using core::ErrorCode;
using core::Status;
// Ordered, so that a read-modify-write keeps the server's field order.
using Json = nlohmann::ordered_json;

Status Bad(std::string_view kind, std::string why) {
  return Status(ErrorCode::kInternal,
                "unexpected " + std::string(kind) + " from the API server: " + why);
}

core::Result<Json> ParseObject(std::string_view text, std::string_view kind) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Bad(kind, "not a JSON object");
  if (auto k = j.find("kind"); k != j.end() && (!k->is_string() || *k != kind)) {
    return Bad(kind, "kind is " + k->dump());
  }
  return j;
}

core::Result<std::string> StringAt(const Json& obj, const char* key, std::string_view kind) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Bad(kind, std::string(key) + " is not a string");
  return it->get<std::string>();
}

core::Result<std::map<std::string, std::string>> StringMapAt(const Json& obj, const char* key,
                                                             std::string_view kind) {
  std::map<std::string, std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_object()) return Bad(kind, std::string(key) + " is not an object");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) return Bad(kind, std::string(key) + "[" + k + "] is not a string");
    out.emplace(k, v.get<std::string>());
  }
  return out;
}

// Values are never quoted in errors: they may be secret.
core::Result<std::map<std::string, std::string>> Base64MapAt(const Json& obj, const char* key,
                                                             std::string_view kind) {
  CPA_ASSIGN_OR_RETURN(auto encoded, StringMapAt(obj, key, kind));
  std::map<std::string, std::string> out;
  for (auto& [k, v] : encoded) {
    auto decoded = core::Base64Decode(v);
    if (!decoded.ok()) return Bad(kind, std::string(key) + "[" + k + "] is not valid base64");
    out.emplace(k, std::move(*decoded));
  }
  return out;
}

core::Result<bool> BoolAt(const Json& obj, const char* key, std::string_view kind) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return false;
  if (!it->is_boolean()) return Bad(kind, std::string(key) + " is not a boolean");
  return it->get<bool>();
}

core::Result<ObjectMeta> DecodeMeta(const Json& obj, std::string_view kind) {
  ObjectMeta m;
  auto it = obj.find("metadata");
  if (it == obj.end() || !it->is_object()) return Bad(kind, "no metadata");
  const Json& meta = *it;
  CPA_ASSIGN_OR_RETURN(m.name, StringAt(meta, "name", kind));
  CPA_ASSIGN_OR_RETURN(m.namespace_name, StringAt(meta, "namespace", kind));
  CPA_ASSIGN_OR_RETURN(m.uid, StringAt(meta, "uid", kind));
  CPA_ASSIGN_OR_RETURN(m.resource_version, StringAt(meta, "resourceVersion", kind));
  CPA_ASSIGN_OR_RETURN(m.creation_timestamp, StringAt(meta, "creationTimestamp", kind));
  CPA_ASSIGN_OR_RETURN(m.labels, StringMapAt(meta, "labels", kind));
  CPA_ASSIGN_OR_RETURN(m.annotations, StringMapAt(meta, "annotations", kind));
  return m;
}

Json StringMapJson(const std::map<std::string, std::string>& map) {
  Json j = Json::object();
  for (const auto& [k, v] : map) j[k] = v;
  return j;
}

Json Base64MapJson(const std::map<std::string, std::string>& map) {
  Json j = Json::object();
  for (const auto& [k, v] : map) j[k] = core::Base64Encode(v);
  return j;
}

void SetOrErase(Json& obj, const char* key, Json value, bool set) {
  if (set) {
    obj[key] = std::move(value);
  } else {
    obj.erase(key);
  }
}

// Metadata for a POST: what a client may set.
Json CreateMeta(const ObjectMeta& m) {
  Json meta = Json::object();
  meta["name"] = m.name;
  meta["namespace"] = m.namespace_name;
  if (!m.labels.empty()) meta["labels"] = StringMapJson(m.labels);
  if (!m.annotations.empty()) meta["annotations"] = StringMapJson(m.annotations);
  return meta;
}

// `raw` (or a new object) with the typed metadata written over it.
Json ReplaceBase(const std::string& raw, std::string_view kind, const ObjectMeta& m) {
  Json j = raw.empty() ? Json::object() : Json::parse(raw, nullptr, false);
  if (!j.is_object()) j = Json::object();
  j["apiVersion"] = "v1";
  j["kind"] = kind;
  Json& meta = j["metadata"];
  if (!meta.is_object()) meta = Json::object();
  meta["name"] = m.name;
  meta["namespace"] = m.namespace_name;
  SetOrErase(meta, "labels", StringMapJson(m.labels), !m.labels.empty());
  SetOrErase(meta, "annotations", StringMapJson(m.annotations), !m.annotations.empty());
  SetOrErase(meta, "resourceVersion", m.resource_version, !m.resource_version.empty());
  if (!m.uid.empty()) meta["uid"] = m.uid;
  return j;
}

void SetImmutable(Json& j, bool immutable) {
  if (immutable) {
    j["immutable"] = true;
  } else if (j.contains("immutable")) {
    j["immutable"] = false;
  }
}

}  // namespace

core::Result<Secret> DecodeSecret(std::string_view text) {
  constexpr std::string_view kKind = "Secret";
  CPA_ASSIGN_OR_RETURN(Json j, ParseObject(text, kKind));
  Secret s;
  CPA_ASSIGN_OR_RETURN(s.metadata, DecodeMeta(j, kKind));
  CPA_ASSIGN_OR_RETURN(s.type, StringAt(j, "type", kKind));
  CPA_ASSIGN_OR_RETURN(s.data, Base64MapAt(j, "data", kKind));
  CPA_ASSIGN_OR_RETURN(s.immutable, BoolAt(j, "immutable", kKind));
  s.raw = std::string(text);
  return s;
}

core::Result<ConfigMap> DecodeConfigMap(std::string_view text) {
  constexpr std::string_view kKind = "ConfigMap";
  CPA_ASSIGN_OR_RETURN(Json j, ParseObject(text, kKind));
  ConfigMap c;
  CPA_ASSIGN_OR_RETURN(c.metadata, DecodeMeta(j, kKind));
  CPA_ASSIGN_OR_RETURN(c.data, StringMapAt(j, "data", kKind));
  CPA_ASSIGN_OR_RETURN(c.binary_data, Base64MapAt(j, "binaryData", kKind));
  CPA_ASSIGN_OR_RETURN(c.immutable, BoolAt(j, "immutable", kKind));
  c.raw = std::string(text);
  return c;
}

std::string EncodeSecretForCreate(const Secret& s) {
  Json j = Json::object();
  j["apiVersion"] = "v1";
  j["kind"] = "Secret";
  j["metadata"] = CreateMeta(s.metadata);
  if (!s.type.empty()) j["type"] = s.type;
  if (!s.data.empty()) j["data"] = Base64MapJson(s.data);
  if (s.immutable) j["immutable"] = true;
  return j.dump();
}

std::string EncodeConfigMapForCreate(const ConfigMap& c) {
  Json j = Json::object();
  j["apiVersion"] = "v1";
  j["kind"] = "ConfigMap";
  j["metadata"] = CreateMeta(c.metadata);
  if (!c.data.empty()) j["data"] = StringMapJson(c.data);
  if (!c.binary_data.empty()) j["binaryData"] = Base64MapJson(c.binary_data);
  if (c.immutable) j["immutable"] = true;
  return j.dump();
}

std::string EncodeSecretForReplace(const Secret& s) {
  Json j = ReplaceBase(s.raw, "Secret", s.metadata);
  if (!s.type.empty()) j["type"] = s.type;
  SetOrErase(j, "data", Base64MapJson(s.data), !s.data.empty());
  j.erase("stringData");  // write-only; it would override data
  SetImmutable(j, s.immutable);
  return j.dump();
}

std::string EncodeConfigMapForReplace(const ConfigMap& c) {
  Json j = ReplaceBase(c.raw, "ConfigMap", c.metadata);
  SetOrErase(j, "data", StringMapJson(c.data), !c.data.empty());
  SetOrErase(j, "binaryData", Base64MapJson(c.binary_data), !c.binary_data.empty());
  SetImmutable(j, c.immutable);
  return j.dump();
}

}  // namespace cpa::kube
