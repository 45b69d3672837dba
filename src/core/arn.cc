#include "core/arn.h"

#include <array>

namespace cpa::core {
namespace {

bool IsPartitionChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '*' || c == '?';
}

}  // namespace

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<Arn> Arn::Parse(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return Status(ErrorCode::kMalformedArn,
                  "Invalid ARN '" + std::string(text) + "': " + std::string(why));
  };
  if (text.empty()) return fail("empty");
  std::array<std::string_view, 6> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = text.find(':', start);
    if (colon == std::string_view::npos) {
      return fail("expected arn:partition:service:region:account:resource (6 parts, found " +
                  std::to_string(i + 1) + ")");
    }
    parts[i] = text.substr(start, colon - start);
    start = colon + 1;
  }
  parts[5] = text.substr(start);
  if (parts[0] != "arn") return fail("must start with 'arn:'");
  if (parts[1].empty()) return fail("partition is empty");
  for (char c : parts[1]) {
    if (!IsPartitionChar(c)) return fail("partition contains an invalid character");
  }
  if (parts[2].empty()) return fail("service is empty");
  if (parts[5].empty()) return fail("resource is empty");
  for (std::string_view p : parts) {
    for (unsigned char c : p) {
      if (c < 0x20 || c == 0x7f) return fail("contains a control character");
    }
  }
  Arn arn;
  arn.partition = parts[1];
  arn.service = parts[2];
  arn.region = parts[3];
  arn.account = parts[4];
  arn.resource = parts[5];
  return arn;
}

std::string Arn::ToString() const {
  std::string out;
  out.reserve(9 + partition.size() + service.size() + region.size() + account.size() +
              resource.size());
  out += "arn:";
  out += partition;
  out += ':';
  out += service;
  out += ':';
  out += region;
  out += ':';
  out += account;
  out += ':';
  out += resource;
  return out;
}

std::string_view Arn::ResourceType() const {
  std::string_view r = resource;
  size_t sep = r.find_first_of("/:");
  return sep == std::string_view::npos ? r : r.substr(0, sep);
}

std::string_view Arn::ResourceId() const {
  std::string_view r = resource;
  size_t sep = r.find_first_of("/:");
  return sep == std::string_view::npos ? std::string_view() : r.substr(sep + 1);
}

}  // namespace cpa::core
