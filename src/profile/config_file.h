#pragma once
// The AWS shared config and credentials files: parsing to the cross-SDK rules and merging of the
// two files into one view of the profiles.
//
// Rules (as the SDKs' shared conformance suite defines them):
//  - config file: `[default]` or `[profile NAME]`, plus `[sso-session NAME]` and `[services NAME]`;
//    `[profile default]` wins over `[default]` (a bare `[default]` is ignored once a prefixed one
//    exists anywhere in the file); other sections (`[NAME]`, `[profileNAME]`) are ignored.
//  - credentials file: bare `[NAME]` only; `[profile NAME]` is an invalid name and is ignored.
//  - names and property keys use [A-Za-z0-9_\-/.%@:+]; anything else is ignored, not an error.
//    Property keys are case-insensitive (stored lowercase); profile names keep their case.
//  - comments: whole lines starting with '#' or ';'; on a section line anything from the first
//    '#' or ';'; on a property line only from a '#'/';' preceded by whitespace. Continuation and
//    sub-property lines keep such text in the value.
//  - a line starting with whitespace continues the previous property ("a\nb"), or, when that
//    property had an empty value, defines a sub-property (`s3 =` then `  key = value`).
//  - duplicate sections merge; duplicate keys keep the last value; the credentials file's value
//    wins over the config file's.
//
// Pure: text in, value out. Errors name the file and the line. Secrets never appear in errors.
// Thread safety: values; const use from many threads is safe.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cpa::profile {

enum class FileKind { kConfig, kCredentials };

struct Property {
  std::string value;
  // Set when the property was written as `key =` followed by indented `sub = value` lines.
  std::optional<std::map<std::string, std::string>> sub_properties;

  friend bool operator==(const Property&, const Property&) = default;
};

// A named set of properties: a profile, an sso-session or a services section.
struct Section {
  std::string name;
  std::map<std::string, Property> properties;  // keys lowercase

  // The value of a property (keys are case-insensitive); nullopt when absent.
  std::optional<std::string> Get(std::string_view key) const;
  const Property* Find(std::string_view key) const;
  // The value of `key`'s sub-property `sub`; nullopt when absent.
  std::optional<std::string> GetSub(std::string_view key, std::string_view sub) const;
  // "[name] key=value, ..." with secret-bearing values masked; for logs and diagnostics.
  std::string ToString() const;

  friend bool operator==(const Section&, const Section&) = default;
};

// One parsed file, or the merge of the config and credentials files.
struct ConfigFile {
  std::map<std::string, Section> profiles;
  std::map<std::string, Section> sso_sessions;
  std::map<std::string, Section> services;
  // Sections and properties ignored for invalid names, each naming file and line.
  std::vector<std::string> warnings;

  const Section* FindProfile(std::string_view name) const;
  const Section* FindSsoSession(std::string_view name) const;
  const Section* FindServices(std::string_view name) const;
};

// Parses one file. `file_name` is used only in messages.
core::Result<ConfigFile> ParseFile(std::string_view text, FileKind kind,
                                   std::string_view file_name);

// Merges a parsed config file with a parsed credentials file: profiles are united, properties of
// a profile present in both come from the credentials file when both define them. sso-session
// and services sections come from the config file only.
ConfigFile MergeFiles(ConfigFile config, const ConfigFile& credentials);

// ParseFile on both texts, then MergeFiles. Either text may be empty (a missing file).
core::Result<ConfigFile> ParseConfigFiles(std::string_view config_text,
                                          std::string_view credentials_text,
                                          std::string_view config_name = "config",
                                          std::string_view credentials_name = "credentials");

// Whether `name` is a valid profile, section or property name.
bool IsValidIdentifier(std::string_view name);

// Whether a property holds a secret that must never be printed (secret keys, session tokens).
bool IsSecretProperty(std::string_view key);

}  // namespace cpa::profile
