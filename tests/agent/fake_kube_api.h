#pragma once
// An in-memory kube::Api for the agent's tests, with the API server's write semantics that the
// agent relies on: resourceVersion bumped on every write, 404 for absent objects and namespaces,
// 409 AlreadyExists on create, 409 Conflict on a stale resourceVersion. Faults answer a request
// with a Status (403, 409, 500, ...) or fail it without an answer; `touch` faults change the
// stored object first, as a concurrent writer would. Records every call.

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kube/api.h"
#include "kube/api_error.h"

namespace cpa::agent::testing {

class FakeKubeApi final : public kube::Api {
 public:
  struct Fault {
    std::string call{};            // "GET secret", "POST secret", "PUT secret", "GET configmap"
    std::string namespace_name{};  // "" for any
    int count = 1;                 // -1: every matching call
    int code = 0;                  // the answer; 0: no answer at all (a transport failure)
    std::string reason{};
    bool touch = false;  // bump the stored object's resourceVersion, then serve the call
  };

  FakeKubeApi() { namespaces = {"default", "eksa-packages"}; }

  void AddSecret(kube::Secret s) {
    namespaces.insert(s.metadata.namespace_name);
    s.metadata.resource_version = NextVersion();
    if (s.type.empty()) s.type = "Opaque";
    secrets[{s.metadata.namespace_name, s.metadata.name}] = std::move(s);
  }
  void AddConfigMap(kube::ConfigMap c) {
    namespaces.insert(c.metadata.namespace_name);
    c.metadata.resource_version = NextVersion();
    config_maps[{c.metadata.namespace_name, c.metadata.name}] = std::move(c);
  }
  const kube::Secret* FindSecret(const std::string& ns, const std::string& name) const {
    auto it = secrets.find({ns, name});
    return it == secrets.end() ? nullptr : &it->second;
  }

  kube::ApiResult<kube::Secret> GetSecret(std::string_view ns, std::string_view name) override {
    std::string n(ns), nm(name);
    if (auto f = Faulted<kube::Secret>("GET secret", n, nm)) return *f;
    auto it = secrets.find({n, nm});
    if (it == secrets.end()) return Error<kube::Secret>("get secret", n, nm, 404, "NotFound");
    return it->second;
  }
  kube::ApiResult<kube::Secret> CreateSecret(const kube::Secret& s) override {
    const std::string& n = s.metadata.namespace_name;
    const std::string& nm = s.metadata.name;
    if (auto f = Faulted<kube::Secret>("POST secret", n, nm)) return *f;
    if (!namespaces.contains(n))
      return Error<kube::Secret>("create secret", n, nm, 404, "NotFound");
    if (secrets.contains({n, nm})) {
      return Error<kube::Secret>("create secret", n, nm, 409, "AlreadyExists");
    }
    kube::Secret stored = s;
    stored.metadata.resource_version = NextVersion();
    stored.metadata.uid = "uid-" + n + "-" + nm;
    if (stored.type.empty()) stored.type = "Opaque";
    secrets[{n, nm}] = stored;
    return stored;
  }
  kube::ApiResult<kube::Secret> ReplaceSecret(const kube::Secret& s) override {
    const std::string& n = s.metadata.namespace_name;
    const std::string& nm = s.metadata.name;
    if (auto f = Faulted<kube::Secret>("PUT secret", n, nm)) return *f;
    auto it = secrets.find({n, nm});
    if (it == secrets.end()) return Error<kube::Secret>("replace secret", n, nm, 404, "NotFound");
    if (!s.metadata.resource_version.empty() &&
        s.metadata.resource_version != it->second.metadata.resource_version) {
      return Error<kube::Secret>("replace secret", n, nm, 409, "Conflict");
    }
    kube::Secret stored = s;
    stored.metadata.resource_version = NextVersion();
    it->second = stored;
    return stored;
  }
  kube::ApiResult<kube::ConfigMap> GetConfigMap(std::string_view ns,
                                                std::string_view name) override {
    std::string n(ns), nm(name);
    if (auto f = Faulted<kube::ConfigMap>("GET configmap", n, nm)) return *f;
    auto it = config_maps.find({n, nm});
    if (it == config_maps.end()) {
      return Error<kube::ConfigMap>("get configmap", n, nm, 404, "NotFound");
    }
    return it->second;
  }
  kube::ApiResult<kube::ConfigMap> CreateConfigMap(const kube::ConfigMap& c) override {
    return Error<kube::ConfigMap>("create configmap", c.metadata.namespace_name, c.metadata.name,
                                  405, "MethodNotAllowed");
  }
  kube::ApiResult<kube::ConfigMap> ReplaceConfigMap(const kube::ConfigMap& c) override {
    return Error<kube::ConfigMap>("replace configmap", c.metadata.namespace_name, c.metadata.name,
                                  405, "MethodNotAllowed");
  }

  std::set<std::string> namespaces;
  std::map<std::pair<std::string, std::string>, kube::Secret> secrets;
  std::map<std::pair<std::string, std::string>, kube::ConfigMap> config_maps;
  std::deque<Fault> faults;
  std::vector<std::string> calls;  // "GET secret ns/name", ...

 private:
  std::string NextVersion() { return std::to_string(++version_); }

  template <typename T>
  static kube::ApiResult<T> Error(const std::string& op, const std::string& ns,
                                  const std::string& name, int code, std::string reason) {
    kube::ApiError e;
    e.code = code;
    e.reason = std::move(reason);
    e.message = "fake answer " + std::to_string(code) + " for " + name;
    e.name = name;
    return kube::ApiResult<T>(kube::ApiErrorStatus(op + " " + ns + "/" + name + " at fake", e), e);
  }

  template <typename T>
  std::optional<kube::ApiResult<T>> Faulted(const std::string& call, const std::string& ns,
                                            const std::string& name) {
    calls.push_back(call + " " + ns + "/" + name);
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (it->call != call || (!it->namespace_name.empty() && it->namespace_name != ns)) continue;
      Fault f = *it;
      if (it->count > 0 && --it->count == 0) faults.erase(it);
      if (f.touch) {
        if (auto s = secrets.find({ns, name}); s != secrets.end()) {
          s->second.metadata.resource_version = NextVersion();
        }
        return std::nullopt;
      }
      if (f.code == 0) {
        return kube::ApiResult<T>(core::Status(
            core::ErrorCode::kInternal,
            "HTTP request to fake failed: Connection refused (" + call + " " + ns + ")"));
      }
      return Error<T>(call, ns, name, f.code, f.reason);
    }
    return std::nullopt;
  }

  int version_ = 100;
};

}  // namespace cpa::agent::testing
