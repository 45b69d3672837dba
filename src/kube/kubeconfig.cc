#include "kube/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <utility>

#include "core/encoding.h"
#include "kube/bearer_token.h"
#include "kube/names.h"

namespace cpa::kube {
namespace {

using core::ErrorCode;
using core::Status;

Status Invalid(std::string message) { return Status(ErrorCode::kInvalidArgument, message); }

// An entry of clusters/users/contexts with the file that defined it (relative paths in it are
// relative to that file's directory).
struct Entry {
  YAML::Node body;
  std::string file;
};

struct Merged {
  std::map<std::string, Entry> clusters;
  std::map<std::string, Entry> users;
  std::map<std::string, Entry> contexts;
  std::string current_context;
  std::vector<std::string> files;  // the files that existed, in order
};

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string ResolvePath(const std::string& path, const std::string& file) {
  if (path.empty() || path.front() == '/') return path;
  std::string dir = DirectoryOf(file);
  return dir.empty() ? path : (dir == "/" ? "/" + path : dir + "/" + path);
}

// A scalar field of a map node as a string; "" when absent or null.
core::Result<std::string> StringField(const YAML::Node& map, const char* key,
                                      const std::string& where) {
  YAML::Node v = map[key];
  if (!v || v.IsNull()) return std::string();
  if (!v.IsScalar()) return Invalid(where + ": " + key + " must be a string");
  return v.Scalar();
}

core::Result<bool> BoolField(const YAML::Node& map, const char* key, const std::string& where) {
  YAML::Node v = map[key];
  if (!v || v.IsNull()) return false;
  bool out = false;
  if (!v.IsScalar() || !YAML::convert<bool>::decode(v, out)) {
    return Invalid(where + ": " + key + " must be true or false");
  }
  return out;
}

bool IsSet(const YAML::Node& map, const char* key) {
  YAML::Node v = map[key];
  if (!v || v.IsNull()) return false;
  if (v.IsScalar()) return !v.Scalar().empty();
  return v.size() > 0;
}

// Adds one file's named entries of `section` to `into`; the first definition of a name wins.
Status MergeSection(const YAML::Node& root, const char* section, const char* body_key,
                    const std::string& file, std::map<std::string, Entry>& into) {
  YAML::Node list = root[section];
  if (!list || list.IsNull()) return Status::Ok();
  std::string where = "kubeconfig " + file + ": " + section;
  if (!list.IsSequence()) return Invalid(where + " must be a list");
  for (size_t i = 0; i < list.size(); ++i) {
    YAML::Node item = list[i];
    std::string at = where + "[" + std::to_string(i) + "]";
    if (!item.IsMap()) return Invalid(at + " must be a map");
    CPA_ASSIGN_OR_RETURN(std::string name, StringField(item, "name", at));
    if (name.empty()) return Invalid(at + " has no name");
    YAML::Node body = item[body_key];
    if (body && !body.IsNull() && !body.IsMap())
      return Invalid(at + "." + body_key + " must be a map");
    into.try_emplace(name,
                     Entry{body && body.IsMap() ? body : YAML::Node(YAML::NodeType::Map), file});
  }
  return Status::Ok();
}

Status MergeFile(const std::string& text, const std::string& file, Merged& merged) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Invalid("kubeconfig " + file + ": not valid YAML at line " +
                   std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  merged.files.push_back(file);
  if (!root || root.IsNull()) return Status::Ok();  // an empty file, as kubectl allows
  if (!root.IsMap()) return Invalid("kubeconfig " + file + ": the document must be a map");
  std::string where = "kubeconfig " + file;
  CPA_ASSIGN_OR_RETURN(std::string kind, StringField(root, "kind", where));
  if (!kind.empty() && kind != "Config") {
    return Invalid(where + ": kind is '" + kind + "', expected Config");
  }
  CPA_RETURN_IF_ERROR(MergeSection(root, "clusters", "cluster", file, merged.clusters));
  CPA_RETURN_IF_ERROR(MergeSection(root, "users", "user", file, merged.users));
  CPA_RETURN_IF_ERROR(MergeSection(root, "contexts", "context", file, merged.contexts));
  CPA_ASSIGN_OR_RETURN(std::string current, StringField(root, "current-context", where));
  if (merged.current_context.empty()) merged.current_context = current;
  return Status::Ok();
}

// Base64 as Go decodes it in YAML-embedded data: line breaks ignored, padding required.
core::Result<std::string> DecodeData(const std::string& text, const std::string& where) {
  std::string compact;
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ') compact += c;
  }
  auto decoded = core::Base64Decode(compact);
  if (!decoded.ok()) return Invalid(where + " is not valid base64");
  return *decoded;
}

// PEM from `<key>-data` (wins) or the file named by `<key>`.
core::Result<std::string> PemField(const Entry& entry, const std::string& key,
                                   const std::string& where, const FileReader& read) {
  CPA_ASSIGN_OR_RETURN(std::string data, StringField(entry.body, (key + "-data").c_str(), where));
  std::string pem;
  if (!data.empty()) {
    CPA_ASSIGN_OR_RETURN(pem, DecodeData(data, where + ": " + key + "-data"));
  } else {
    CPA_ASSIGN_OR_RETURN(std::string path, StringField(entry.body, key.c_str(), where));
    if (path.empty()) return std::string();
    path = ResolvePath(path, entry.file);
    auto text = read(path);
    if (!text.ok()) {
      return Status(text.status().code(),
                    where + ": cannot read " + key + ": " + text.status().message());
    }
    pem = std::move(*text);
  }
  if (pem.find("-----BEGIN ") == std::string::npos) {
    return Invalid(where + ": " + key + " holds no PEM data");
  }
  return pem;
}

Status ApplyCluster(const std::string& name, const Entry& entry, const FileReader& read,
                    Connection& c) {
  std::string where = "kubeconfig " + entry.file + ": cluster '" + name + "'";
  for (const char* unsupported : {"proxy-url", "tls-server-name"}) {
    if (IsSet(entry.body, unsupported)) {
      return Invalid(where + ": " + unsupported + " is not supported by cpa");
    }
  }
  CPA_ASSIGN_OR_RETURN(std::string server, StringField(entry.body, "server", where));
  if (server.empty()) return Invalid(where + " has no server");
  if (server.find("://") == std::string::npos) server = "https://" + server;  // as client-go
  while (server.size() > 1 && server.back() == '/') server.pop_back();
  c.server = std::move(server);
  CPA_ASSIGN_OR_RETURN(c.insecure_skip_tls_verify,
                       BoolField(entry.body, "insecure-skip-tls-verify", where));
  CPA_ASSIGN_OR_RETURN(c.ca_pem, PemField(entry, "certificate-authority", where, read));
  return Status::Ok();
}

Status ApplyUser(const std::string& name, const Entry& entry, const FileReader& read,
                 Connection& c) {
  std::string where = "kubeconfig " + entry.file + ": user '" + name + "'";
  if (IsSet(entry.body, "exec")) {
    return Invalid(where +
                   " uses an exec credential plugin, which cpa does not support; use a "
                   "token, tokenFile or client certificate");
  }
  if (IsSet(entry.body, "auth-provider")) {
    return Invalid(where + " uses an auth-provider plugin, which cpa does not support");
  }
  for (const char* unsupported :
       {"username", "password", "as", "as-groups", "as-uid", "as-user-extra"}) {
    if (IsSet(entry.body, unsupported)) {
      return Invalid(where + ": " + unsupported + " is not supported by cpa");
    }
  }
  CPA_ASSIGN_OR_RETURN(std::string token, StringField(entry.body, "token", where));
  CPA_ASSIGN_OR_RETURN(std::string token_file, StringField(entry.body, "tokenFile", where));
  if (!token_file.empty()) {
    token_file = ResolvePath(token_file, entry.file);
    auto text = read(token_file);
    if (!text.ok()) {
      return Status(text.status().code(),
                    where + ": cannot read tokenFile: " + text.status().message());
    }
    CPA_RETURN_IF_ERROR(CleanToken(*text, where + ": tokenFile " + token_file).status());
    c.token_file = token_file;
  }
  if (!token.empty()) {
    CPA_ASSIGN_OR_RETURN(c.token, CleanToken(token, where + ": token"));
  }
  CPA_ASSIGN_OR_RETURN(c.client_cert_pem, PemField(entry, "client-certificate", where, read));
  CPA_ASSIGN_OR_RETURN(c.client_key_pem, PemField(entry, "client-key", where, read));
  if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
    return Invalid(where + ": client-certificate and client-key go together");
  }
  return Status::Ok();
}

std::string JoinPaths(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : ":") + p;
  return out;
}

}  // namespace

std::vector<std::string> SplitKubeconfigList(std::string_view value) {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> seen;
  size_t start = 0;
  while (start <= value.size()) {
    size_t colon = value.find(':', start);
    std::string_view part =
        value.substr(start, colon == std::string_view::npos ? colon : colon - start);
    if (!part.empty() && seen.insert(std::string(part)).second) out.emplace_back(part);
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return out;
}

core::Result<Connection> KubeconfigConnection(const std::vector<std::string>& paths,
                                              const FileReader& read,
                                              const KubeconfigOptions& options, bool must_exist) {
  if (paths.empty()) return Invalid("no kubeconfig file given");
  Merged merged;
  for (const auto& path : paths) {
    auto text = read(path);
    if (!text.ok()) {
      if (text.status().code() == ErrorCode::kNotFound && !must_exist) continue;
      return Status(text.status().code(), "kubeconfig: " + text.status().message());
    }
    CPA_RETURN_IF_ERROR(MergeFile(*text, path, merged));
  }
  if (merged.files.empty()) {
    return Status(ErrorCode::kNotFound,
                  "kubeconfig: none of these files exists: " + JoinPaths(paths));
  }
  std::string files = JoinPaths(merged.files);
  std::string context_name = options.context.empty() ? merged.current_context : options.context;
  if (context_name.empty()) {
    return Invalid("kubeconfig " + files + ": no current-context is set (choose a context)");
  }
  auto ctx = merged.contexts.find(context_name);
  if (ctx == merged.contexts.end()) {
    return Status(ErrorCode::kNotFound,
                  "kubeconfig " + files + ": context '" + context_name + "' is not defined");
  }
  std::string where = "kubeconfig " + ctx->second.file + ": context '" + context_name + "'";
  CPA_ASSIGN_OR_RETURN(std::string cluster_name, StringField(ctx->second.body, "cluster", where));
  CPA_ASSIGN_OR_RETURN(std::string user_name, StringField(ctx->second.body, "user", where));
  CPA_ASSIGN_OR_RETURN(std::string ns, StringField(ctx->second.body, "namespace", where));
  if (cluster_name.empty()) return Invalid(where + " names no cluster");

  Connection c;
  c.source = "kubeconfig " + ctx->second.file + " context " + context_name;
  auto cluster = merged.clusters.find(cluster_name);
  if (cluster == merged.clusters.end()) {
    return Invalid(where + " names cluster '" + cluster_name + "', which is not defined in " +
                   files);
  }
  CPA_RETURN_IF_ERROR(ApplyCluster(cluster_name, cluster->second, read, c));
  if (!user_name.empty()) {
    auto user = merged.users.find(user_name);
    if (user == merged.users.end()) {
      return Invalid(where + " names user '" + user_name + "', which is not defined in " + files);
    }
    CPA_RETURN_IF_ERROR(ApplyUser(user_name, user->second, read, c));
  }
  if (!ns.empty()) {
    CPA_RETURN_IF_ERROR(ValidateNamespaceName(ns));
    c.namespace_name = ns;
  }
  CPA_RETURN_IF_ERROR(ValidateConnection(c));
  return c;
}

}  // namespace cpa::kube
