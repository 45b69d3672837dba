#pragma once
// `cpa doctor` as a function, for `cpa quickstart`, which runs it on the files it wrote.
#include <string>

namespace cpa::cli {

struct DoctorArgs {
  std::string config;  // the AWS config file (spec step 6), or
  std::string secret;  // the aws-secret manifest (spec step 7)
  std::string region;  // empty: the config's
  std::string output = "text";
  std::string endpoint_url;       // STS, IAM and ECR
  std::string registry_endpoint;  // packages registry host; empty: the region table's
  std::string registry_address;   // HOST:PORT to connect to over http, the host in Host
  std::string diagnose_profile;   // may call iam:SimulatePrincipalPolicy on the user
};

// Walks the chain and prints one line per link (or JSON) to stdout. 0 when every link holds.
int RunDoctor(const DoctorArgs& args);

}  // namespace cpa::cli
