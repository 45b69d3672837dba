#include "kube/names.h"

#include <string>

namespace cpa::kube {
namespace {

using core::ErrorCode;
using core::Status;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsLabel(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

// Never echoes more than a bounded, printable prefix of a bad name.
std::string Quote(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > 80) out += "...";
  return "'" + out + "'";
}

}  // namespace

Status ValidateNamespaceName(std::string_view name) {
  if (IsLabel(name)) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument,
                "invalid namespace " + Quote(name) +
                    ": a namespace is at most 63 characters of a-z, 0-9 and '-', starting and "
                    "ending with a letter or digit");
}

Status ValidateObjectName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 253;
  for (size_t start = 0; ok;) {
    size_t dot = name.find('.', start);
    std::string_view label = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    ok = !label.empty() && IsLowerAlnum(label.front()) && IsLowerAlnum(label.back());
    for (char c : label) ok = ok && (IsLowerAlnum(c) || c == '-');
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (ok) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument,
                "invalid object name " + Quote(name) +
                    ": a name is at most 253 characters of a-z, 0-9, '-' and '.', each "
                    "'.'-separated part starting and ending with a letter or digit");
}

}  // namespace cpa::kube
