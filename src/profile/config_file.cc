#include "profile/config_file.h"

#include <algorithm>
#include <utility>

#include "core/encoding.h"
#include "profile/mask.h"

namespace cpa::profile {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "[profile foo] ; x" -> "[profile foo] ": on section lines any '#' or ';' starts a comment.
std::string_view StripSectionComment(std::string_view line) {
  size_t pos = line.find_first_of("#;");
  return pos == std::string_view::npos ? line : line.substr(0, pos);
}

// On property lines a comment starts only at a '#' or ';' preceded by whitespace, so that
// "value;x" keeps its semicolon.
std::string_view StripPropertyComment(std::string_view line) {
  for (size_t i = 1; i < line.size(); ++i) {
    if ((line[i] == '#' || line[i] == ';') && IsBlank(line[i - 1])) return line.substr(0, i);
  }
  return line;
}

// If `inner` is "<keyword><blank>name", the trimmed name; "[profilefoo]" does not match.
std::optional<std::string_view> AfterKeyword(std::string_view inner, std::string_view keyword) {
  if (inner.size() <= keyword.size() || inner.substr(0, keyword.size()) != keyword ||
      !IsBlank(inner[keyword.size()])) {
    return std::nullopt;
  }
  return Trim(inner.substr(keyword.size()));
}

enum class SectionType {
  kProfile,
  kDefaultBare,
  kDefaultPrefixed,
  kSsoSession,
  kServices,
  kIgnored
};

class Parser {
 public:
  Parser(FileKind kind, std::string_view file_name) : kind_(kind), file_name_(file_name) {}

  Result<ConfigFile> Parse(std::string_view text) {
    size_t line_no = 0;
    size_t start = 0;
    while (start < text.size()) {
      ++line_no;
      size_t eol = text.find('\n', start);
      size_t end = eol == std::string_view::npos ? text.size() : eol;
      std::string_view line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      CPA_RETURN_IF_ERROR(ParseLine(line, line_no));
      start = end + 1;
    }
    return Finish();
  }

 private:
  Status Fail(size_t line_no, std::string_view message) const {
    return Status(
        ErrorCode::kInvalidArgument,
        std::string(file_name_) + " line " + std::to_string(line_no) + ": " + std::string(message));
  }

  void Warn(size_t line_no, std::string message) {
    out_.warnings.push_back(std::string(file_name_) + " line " + std::to_string(line_no) + ": " +
                            std::move(message));
  }

  Status ParseLine(std::string_view line, size_t line_no) {
    if (Trim(line).empty()) return Status::Ok();
    if (line.front() == '#' || line.front() == ';') return Status::Ok();
    if (IsBlank(line.front())) return ParseContinuation(Trim(line), line_no);
    if (line.front() == '[') return ParseSectionHeader(line, line_no);
    return ParseProperty(line, line_no);
  }

  Status ParseSectionHeader(std::string_view line, size_t line_no) {
    std::string_view header = Trim(StripSectionComment(line));
    if (header.size() < 2 || header.back() != ']') {
      return Fail(line_no, "Section definition must end with ']'");
    }
    std::string_view inner = Trim(header.substr(1, header.size() - 2));
    in_section_ = true;
    property_ = nullptr;
    ignored_.properties.clear();

    SectionType type = SectionType::kIgnored;
    std::string_view name;
    if (kind_ == FileKind::kCredentials) {
      name = inner;
      type = SectionType::kProfile;
    } else if (inner == "default") {
      name = inner;
      type = SectionType::kDefaultBare;
    } else if (auto n = AfterKeyword(inner, "profile")) {
      name = *n;
      type = name == "default" ? SectionType::kDefaultPrefixed : SectionType::kProfile;
    } else if (auto n = AfterKeyword(inner, "sso-session")) {
      name = *n;
      type = SectionType::kSsoSession;
    } else if (auto n = AfterKeyword(inner, "services")) {
      name = *n;
      type = SectionType::kServices;
    } else {
      Warn(line_no, "ignoring section [" + std::string(inner) +
                        "]: config file sections are [default], [profile NAME], "
                        "[sso-session NAME] or [services NAME]");
    }
    if (type != SectionType::kIgnored && !IsValidIdentifier(name)) {
      Warn(line_no, "ignoring section with invalid name '" + std::string(name) + "'");
      type = SectionType::kIgnored;
    }

    switch (type) {
      case SectionType::kProfile:
        section_ = &Get(out_.profiles, name);
        break;
      case SectionType::kDefaultBare:
        saw_default_bare_ = true;
        section_ = &default_bare_;
        break;
      case SectionType::kDefaultPrefixed:
        saw_default_prefixed_ = true;
        section_ = &default_prefixed_;
        break;
      case SectionType::kSsoSession:
        section_ = &Get(out_.sso_sessions, name);
        break;
      case SectionType::kServices:
        section_ = &Get(out_.services, name);
        break;
      case SectionType::kIgnored:
        section_ = &ignored_;
        break;
    }
    return Status::Ok();
  }

  static Section& Get(std::map<std::string, Section>& sections, std::string_view name) {
    auto [it, inserted] = sections.try_emplace(std::string(name));
    if (inserted) it->second.name = std::string(name);
    return it->second;
  }

  Status ParseProperty(std::string_view line, size_t line_no) {
    if (!in_section_) return Fail(line_no, "Expected a section definition");
    line = StripPropertyComment(line);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Fail(line_no, "Expected an '=' sign defining a property");
    }
    std::string_view key = Trim(line.substr(0, eq));
    std::string_view value = Trim(line.substr(eq + 1));
    if (key.empty()) return Fail(line_no, "Property did not have a name");
    if (!IsValidIdentifier(key)) {
      Warn(line_no, "ignoring property with invalid name '" + std::string(key) + "'");
      scratch_ = Property{};
      property_ = &scratch_;
    } else {
      Property& p = section_->properties[Lower(key)];
      p = Property{std::string(value), std::nullopt};
      property_ = &p;
    }
    property_is_parent_ = value.empty();
    return Status::Ok();
  }

  Status ParseContinuation(std::string_view text, size_t line_no) {
    if (!in_section_) return Fail(line_no, "Expected a section definition, found continuation");
    if (property_ == nullptr) {
      return Fail(line_no, "Expected a property definition, found continuation");
    }
    if (!property_is_parent_) {
      property_->value.append("\n").append(text);
      return Status::Ok();
    }
    if (!property_->sub_properties) property_->sub_properties.emplace();
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) {
      return Fail(line_no, "Expected an '=' sign defining a property in sub-property");
    }
    std::string_view key = Trim(text.substr(0, eq));
    if (key.empty()) return Fail(line_no, "Property did not have a name in sub-property");
    if (!IsValidIdentifier(key)) {
      Warn(line_no, "ignoring sub-property with invalid name '" + std::string(key) + "'");
      return Status::Ok();
    }
    (*property_->sub_properties)[Lower(key)] = std::string(Trim(text.substr(eq + 1)));
    return Status::Ok();
  }

  ConfigFile Finish() {
    // A `[profile default]` anywhere in the config file hides every bare `[default]`.
    if (saw_default_prefixed_) {
      Section& d = Get(out_.profiles, "default");
      for (auto& [k, v] : default_prefixed_.properties) d.properties[k] = v;
    } else if (saw_default_bare_) {
      Section& d = Get(out_.profiles, "default");
      for (auto& [k, v] : default_bare_.properties) d.properties[k] = v;
    }
    return std::move(out_);
  }

  FileKind kind_;
  std::string_view file_name_;
  ConfigFile out_;
  Section default_bare_;
  Section default_prefixed_;
  Section ignored_;  // receives properties of ignored sections so that syntax is still checked
  Property scratch_;
  bool saw_default_bare_ = false;
  bool saw_default_prefixed_ = false;
  bool in_section_ = false;
  Section* section_ = nullptr;
  Property* property_ = nullptr;  // the property continuation lines extend
  bool property_is_parent_ = false;
};

}  // namespace

std::optional<std::string> Section::Get(std::string_view key) const {
  const Property* p = Find(key);
  if (p == nullptr) return std::nullopt;
  return p->value;
}

const Property* Section::Find(std::string_view key) const {
  auto it = properties.find(Lower(key));
  return it == properties.end() ? nullptr : &it->second;
}

std::optional<std::string> Section::GetSub(std::string_view key, std::string_view sub) const {
  const Property* p = Find(key);
  if (p == nullptr || !p->sub_properties) return std::nullopt;
  auto it = p->sub_properties->find(Lower(sub));
  if (it == p->sub_properties->end()) return std::nullopt;
  return it->second;
}

std::string Section::ToString() const {
  std::string out = "[" + name + "]";
  bool first = true;
  for (const auto& [key, prop] : properties) {
    out += first ? " " : ", ";
    first = false;
    out += key;
    out += "=";
    if (prop.sub_properties) {
      out += "{";
      bool first_sub = true;
      for (const auto& [sk, sv] : *prop.sub_properties) {
        if (!first_sub) out += ", ";
        first_sub = false;
        out += sk + "=" + (IsSecretProperty(sk) ? MaskSecret(sv) : sv);
      }
      out += "}";
    } else {
      out += IsSecretProperty(key) ? MaskSecret(prop.value) : prop.value;
    }
  }
  return out;
}

const Section* ConfigFile::FindProfile(std::string_view name) const {
  auto it = profiles.find(std::string(name));
  return it == profiles.end() ? nullptr : &it->second;
}

const Section* ConfigFile::FindSsoSession(std::string_view name) const {
  auto it = sso_sessions.find(std::string(name));
  return it == sso_sessions.end() ? nullptr : &it->second;
}

const Section* ConfigFile::FindServices(std::string_view name) const {
  auto it = services.find(std::string(name));
  return it == services.end() ? nullptr : &it->second;
}

bool IsValidIdentifier(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("_-/.%@:+").find(c) != std::string_view::npos;
  });
}

bool IsSecretProperty(std::string_view key) {
  std::string k = Lower(key);
  return k == "aws_secret_access_key" || k == "aws_session_token" || k == "aws_security_token" ||
         k.find("secret") != std::string::npos || k.find("password") != std::string::npos;
}

Result<ConfigFile> ParseFile(std::string_view text, FileKind kind, std::string_view file_name) {
  return Parser(kind, file_name).Parse(text);
}

ConfigFile MergeFiles(ConfigFile config, const ConfigFile& credentials) {
  for (const auto& [name, section] : credentials.profiles) {
    auto [it, inserted] = config.profiles.try_emplace(name, section);
    if (!inserted) {
      for (const auto& [key, prop] : section.properties) it->second.properties[key] = prop;
    }
  }
  config.warnings.insert(config.warnings.end(), credentials.warnings.begin(),
                         credentials.warnings.end());
  return config;
}

Result<ConfigFile> ParseConfigFiles(std::string_view config_text, std::string_view credentials_text,
                                    std::string_view config_name,
                                    std::string_view credentials_name) {
  CPA_ASSIGN_OR_RETURN(ConfigFile config, ParseFile(config_text, FileKind::kConfig, config_name));
  CPA_ASSIGN_OR_RETURN(ConfigFile credentials,
                       ParseFile(credentials_text, FileKind::kCredentials, credentials_name));
  return MergeFiles(std::move(config), credentials);
}

}  // namespace cpa::profile
