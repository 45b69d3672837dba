#pragma once
// XML for the awsQuery protocol: a small writer (no pretty-printing: text content is emitted
// exactly), the success envelope `<OpResponse xmlns=NS><OpResult>...</OpResult>
// <ResponseMetadata><RequestId>..</RequestId></ResponseMetadata></OpResponse>` and the error
// document `<ErrorResponse xmlns=NS><Error><Type/><Code/><Message/></Error><RequestId/>`.
//
// Thread safety: plain values and pure functions.
#include <string>
#include <string_view>

#include "core/clock.h"

namespace cpa::server::api {

// Escapes & < > " ' for text and attribute values.
std::string XmlEscape(std::string_view text);

class XmlWriter {
 public:
  XmlWriter& Open(std::string_view name);
  XmlWriter& Close(std::string_view name);
  // <name>escaped text</name>
  XmlWriter& Text(std::string_view name, std::string_view text);
  XmlWriter& Bool(std::string_view name, bool value);
  XmlWriter& Int(std::string_view name, int64_t value);
  XmlWriter& Time(std::string_view name, core::TimePoint t);  // ISO 8601, UTC
  XmlWriter& Empty(std::string_view name);                    // <name/>
  XmlWriter& Raw(std::string_view xml);
  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// What a query operation produced: the members of `<OpResult>`, or nothing for operations
// without output (AttachRolePolicy, DeleteAccessKey, ...).
struct QueryOutput {
  bool has_result = true;
  std::string result_xml;
  static QueryOutput None() { return {false, {}}; }
  static QueryOutput Of(std::string xml) { return {true, std::move(xml)}; }
};

inline constexpr std::string_view kIamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/";
inline constexpr std::string_view kStsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

std::string QuerySuccessXml(std::string_view operation, std::string_view xml_namespace,
                            const QueryOutput& output, std::string_view request_id);
// `type` is "Sender" or "Receiver".
std::string QueryErrorXml(std::string_view xml_namespace, std::string_view type,
                          std::string_view code, std::string_view message,
                          std::string_view request_id);

}  // namespace cpa::server::api
