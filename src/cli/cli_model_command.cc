// `cpa cli-model eks [--out FILE | --data-path DIR] [--base FILE]`: the EKS service model of the
// installed AWS SDK data, with the members that EKS's documented subscription outputs carry but
// the public model lacks (`packageRegistry`, `name`) added to the EksAnywhereSubscription
// structure. botocore keeps only modelled members of a response, so without them
// `aws eks describe-eks-anywhere-subscription --query 'subscription.packageRegistry'` (the spec's
// step 1) prints null even when the endpoint sends the field.
//
// Use the result with either
//   aws configure add-model --service-model file://eks.json --service-name eks
// or AWS_DATA_PATH=DIR, where DIR/eks/<apiVersion>/service-2.json is the model (--data-path DIR
// writes it there).
//
// The AWS model is not shipped with cpa: it is read at run time from botocore's data directory
// (the `python3` botocore package, Debian's botocore and awscli packages, the AWS CLI v2
// installer's bundle), or from --base. Gzipped models (service-2.json.gz) are read too.
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/status.h"
#include "profile/files.h"

namespace cpa::cli {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::Result;
using core::Status;
using nlohmann::json;

constexpr std::string_view kStructure = "EksAnywhereSubscription";

struct CliModelArgs {
  std::string service;
  std::string out;
  std::string data_path;
  std::string base;
};

// Adds `name` and `packageRegistry` to the EksAnywhereSubscription structure (members that are
// already there are left alone). InvalidArgument when the model has no such structure.
Status ExtendEksModel(json& model) {
  json* shape = nullptr;
  if (model.is_object() && model.contains("shapes") && model["shapes"].is_object() &&
      model["shapes"].contains(kStructure)) {
    shape = &model["shapes"][kStructure];
  }
  if (shape == nullptr || !shape->is_object() || !shape->contains("members") ||
      !(*shape)["members"].is_object()) {
    return Status(ErrorCode::kInvalidArgument,
                  "the model has no EksAnywhereSubscription structure (it predates the EKS "
                  "Anywhere subscription operations, added to the EKS model in November 2023)");
  }
  json& members = (*shape)["members"];
  if (!members.contains("name")) {
    members["name"] = {{"shape", "String"},
                       {"documentation", "<p>The name of the subscription.</p>"}};
  }
  if (!members.contains("packageRegistry")) {
    members["packageRegistry"] = {
        {"shape", "String"},
        {"documentation",
         "<p>The host of the Amazon ECR registry that serves the EKS Anywhere curated packages "
         "in the subscription's Region (<code>&lt;account-id&gt;.dkr.ecr.&lt;region&gt;...</code>)."
         "</p>"}};
  }
  return Status::Ok();
}

Result<std::string> ReadModelFile(const std::string& path) {
  gzFile f = ::gzopen(path.c_str(), "rb");  // reads plain files as they are, too
  if (f == nullptr) return Status(ErrorCode::kNotFound, "cannot open " + path);
  std::string text;
  char buf[65536];
  int n;
  while ((n = ::gzread(f, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  bool failed = n < 0;
  ::gzclose(f);
  if (failed) return Status(ErrorCode::kInternal, "cannot read " + path);
  return text;
}

Result<json> LoadModel(const std::string& path) {
  CPA_ASSIGN_OR_RETURN(std::string text, ReadModelFile(path));
  json model = json::parse(text, nullptr, false);
  if (model.is_discarded() || !model.is_object()) {
    return Status(ErrorCode::kInvalidArgument, path + " is not a JSON service model");
  }
  return model;
}

// The model file of the newest API version of `service` under a botocore data directory.
std::optional<std::string> ModelIn(const fs::path& data_dir, const std::string& service) {
  std::error_code ec;
  fs::path dir = data_dir / service;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  std::vector<std::string> versions;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory(ec)) versions.push_back(e.path().filename().string());
  }
  std::sort(versions.rbegin(), versions.rend());  // API versions are dates
  for (const auto& v : versions) {
    for (const char* name : {"service-2.json", "service-2.json.gz"}) {
      fs::path p = dir / v / name;
      if (fs::is_regular_file(p, ec)) return p.string();
    }
  }
  return std::nullopt;
}

// botocore data directories to look in, in order.
std::vector<std::string> DataDirectories() {
  std::vector<std::string> dirs;
  // The botocore that `python3` imports (AWS CLI v1, boto3).
  auto py = profile::RunShellCommand(
      "python3 -c 'import os, botocore; print(os.path.dirname(botocore.__file__))' 2>/dev/null");
  if (py.ok() && py->exit_code == 0) {
    std::string d = py->stdout_text;
    while (!d.empty() && (d.back() == '\n' || d.back() == '\r')) d.pop_back();
    if (!d.empty()) dirs.push_back(d + "/data");
  }
  dirs.push_back("/usr/lib/python3/dist-packages/botocore/data");         // Debian python3-botocore
  dirs.push_back("/usr/lib/python3/dist-packages/awscli/botocore/data");  // Debian awscli (v2)
  dirs.push_back(
      "/usr/local/aws-cli/v2/current/dist/awscli/botocore/data");  // AWS CLI v2 installer
  return dirs;
}

// The base model: --base, or the first installed EKS model that has the subscription shapes.
Result<std::pair<std::string, json>> FindBase(const CliModelArgs& args) {
  if (!args.base.empty()) {
    CPA_ASSIGN_OR_RETURN(json model, LoadModel(args.base));
    return std::make_pair(args.base, std::move(model));
  }
  std::string tried;
  for (const auto& dir : DataDirectories()) {
    auto path = ModelIn(dir, args.service);
    if (!path) continue;
    auto model = LoadModel(*path);
    if (!model.ok()) {
      tried += "\n  " + *path + ": " + model.status().message();
      continue;
    }
    json copy = *model;
    if (Status s = ExtendEksModel(copy); !s.ok()) {
      tried += "\n  " + *path + ": " + s.message();
      continue;
    }
    return std::make_pair(*path, std::move(*model));
  }
  std::string message =
      "no EKS service model with EKS Anywhere subscriptions found in botocore's data (the "
      "python3 botocore package, /usr/lib/python3/dist-packages/{botocore,awscli/botocore}/data, "
      "/usr/local/aws-cli/v2/current/dist/awscli/botocore/data); install botocore or give "
      "--base FILE";
  if (!tried.empty()) message += "; skipped:" + tried;
  return Status(ErrorCode::kNotFound, message);
}

Status WriteFile(const fs::path& path, const std::string& text) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) return Status(ErrorCode::kInternal, "cannot create " + path.parent_path().string());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) return Status(ErrorCode::kInternal, "cannot write " + path.string());
  return Status::Ok();
}

int Fail(const std::string& message) {
  std::cerr << "cpa cli-model: " << message << "\n";
  return 1;
}

int RunCliModel(const CliModelArgs& args) {
  if (args.service != "eks") {
    return Fail("unknown service " + args.service + " (only eks has members to add)");
  }
  if (!args.out.empty() && !args.data_path.empty()) {
    return Fail("give --out or --data-path, not both");
  }
  auto base = FindBase(args);
  if (!base.ok()) return Fail(base.status().message());
  auto& [from, model] = *base;
  if (Status s = ExtendEksModel(model); !s.ok()) return Fail(from + ": " + s.message());
  const std::string text = model.dump(1) + "\n";
  std::string target = args.out;
  if (!args.data_path.empty()) {
    std::string version = model.value("metadata", json::object()).value("apiVersion", "");
    if (version.empty()) return Fail(from + ": the model has no metadata.apiVersion");
    target = (fs::path(args.data_path) / args.service / version / "service-2.json").string();
  }
  if (target.empty() || target == "-") {
    std::cout << text;
    return std::cout.good() ? 0 : 1;
  }
  if (Status s = WriteFile(target, text); !s.ok()) return Fail(s.message());
  std::cerr << "cpa cli-model: wrote " << target << " (from " << from << ")\n";
  return 0;
}

}  // namespace

void RegisterCliModelCommand(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<CliModelArgs>();
  CLI::App* cmd = app.add_subcommand(
      "cli-model",
      "Print the installed AWS SDK's EKS model with the subscription members EKS returns\n"
      "(packageRegistry, name), for `aws configure add-model` or AWS_DATA_PATH.");
  cmd->add_option("service", args->service, "Service model to extend (eks)")->required();
  cmd->add_option("--out", args->out, "Write the model to FILE (default: standard output)");
  cmd->add_option("--data-path", args->data_path,
                  "Write DIR/eks/<apiVersion>/service-2.json, for AWS_DATA_PATH=DIR");
  cmd->add_option("--base", args->base,
                  "The model to extend (service-2.json or .json.gz; default: botocore's data)");
  cmd->callback([&registry, args] { registry.SetAction([args] { return RunCliModel(*args); }); });
}

}  // namespace cpa::cli
