#include "awsapi/json_codec.h"

#include <cmath>

#include "core/encoding.h"

namespace cpa::awsapi::json {

using core::ErrorCode;
using core::Status;
using nlohmann::json;

Status ParseBody(std::string_view body, std::string_view operation, json& out) {
  if (core::TrimAsciiWhitespace(body).empty()) {
    out = json::object();
    return Status::Ok();
  }
  out = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded() || !out.is_object()) {
    return Status(ErrorCode::kInternal, "malformed " + std::string(operation) +
                                            " response: the body is not a JSON object");
  }
  return Status::Ok();
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

JsonReader::JsonReader(const json* object, Status* error)
    : object_(object != nullptr && object->is_object() ? object : nullptr), error_(error) {}

const json* JsonReader::Get(const char* key) const {
  if (object_ == nullptr) return nullptr;
  auto it = object_->find(key);
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

void JsonReader::Fail(const char* key, std::string_view expected) const {
  if (error_ != nullptr && error_->ok()) {
    *error_ = Status(ErrorCode::kInternal, "malformed member '" + std::string(key) +
                                               "': expected " + std::string(expected));
  }
}

JsonReader JsonReader::Object(const char* key) const {
  const json* v = Get(key);
  if (v != nullptr && !v->is_object()) Fail(key, "an object");
  return JsonReader(v, error_);
}

std::string JsonReader::Str(const char* key) const {
  const json* v = Get(key);
  if (v == nullptr) return {};
  if (!v->is_string()) {
    Fail(key, "a string");
    return {};
  }
  return v->get_ref<const std::string&>();
}

std::optional<int64_t> JsonReader::Int(const char* key) const {
  const json* v = Get(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e18) {
      return static_cast<int64_t>(d);
    }
  }
  Fail(key, "an integer");
  return std::nullopt;
}

std::optional<bool> JsonReader::Bool(const char* key) const {
  const json* v = Get(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    Fail(key, "a boolean");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<core::TimePoint> JsonReader::Time(const char* key) const {
  const json* v = Get(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_number()) {
    double d = v->get<double>();
    if (std::isfinite(d) && std::fabs(d) < 1e13) {
      return core::TimePoint(std::chrono::seconds(static_cast<int64_t>(std::floor(d))));
    }
  } else if (v->is_string()) {
    auto t = core::ParseIso8601(v->get_ref<const std::string&>());
    if (t.ok()) return *t;
  }
  Fail(key, "a timestamp (epoch seconds)");
  return std::nullopt;
}

std::vector<std::string> JsonReader::StrList(const char* key) const {
  std::vector<std::string> out;
  const json* v = Get(key);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    Fail(key, "an array of strings");
    return out;
  }
  for (const json& item : *v) {
    if (!item.is_string()) {
      Fail(key, "an array of strings");
      return {};
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<JsonReader> JsonReader::List(const char* key) const {
  std::vector<JsonReader> out;
  const json* v = Get(key);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    Fail(key, "an array");
    return out;
  }
  for (const json& item : *v) {
    if (!item.is_object()) {
      Fail(key, "an array of objects");
      return {};
    }
    out.emplace_back(&item, error_);
  }
  return out;
}

std::map<std::string, std::string> JsonReader::StrMap(const char* key) const {
  std::map<std::string, std::string> out;
  const json* v = Get(key);
  if (v == nullptr) return out;
  if (!v->is_object()) {
    Fail(key, "an object of strings");
    return out;
  }
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_string()) {
      Fail(key, "an object of strings");
      return {};
    }
    out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

std::string SanitizeErrorCode(std::string_view raw) {
  raw = core::TrimAsciiWhitespace(raw);
  size_t colon = raw.find(':');
  if (colon != std::string_view::npos) raw = raw.substr(0, colon);
  size_t hash = raw.rfind('#');
  if (hash != std::string_view::npos) raw = raw.substr(hash + 1);
  return std::string(raw);
}

namespace {

struct BodyError {
  std::string type;  // __type
  std::string code;  // code / Code
  std::string message;
};

BodyError ReadBodyError(std::string_view body) {
  BodyError out;
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return out;
  auto str = [&](const char* key) -> std::string {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  out.type = str("__type");
  out.code = str("code");
  if (out.code.empty()) out.code = str("Code");
  out.message = str("message");
  if (out.message.empty()) out.message = str("Message");
  if (out.message.empty()) out.message = str("errorMessage");
  return out;
}

AwsErrorInfo Finish(const HttpResponse& response, std::string code, std::string message) {
  AwsErrorInfo info;
  info.http_status = response.status;
  info.code = SanitizeErrorCode(code);
  if (info.code.empty()) info.code = "Http" + std::to_string(response.status);
  info.message = std::move(message);
  info.request_id = RequestIdHeader(response);
  return info;
}

}  // namespace

AwsErrorInfo ParseJsonError(const HttpResponse& response) {
  BodyError body = ReadBodyError(response.body);
  std::string code = body.type;
  if (code.empty()) code = body.code;
  if (code.empty()) {
    if (auto h = response.Header("x-amzn-ErrorType")) code = std::string(*h);
  }
  return Finish(response, std::move(code), std::move(body.message));
}

AwsErrorInfo ParseRestJsonError(const HttpResponse& response) {
  BodyError body = ReadBodyError(response.body);
  std::string code;
  if (auto h = response.Header("x-amzn-ErrorType")) code = std::string(*h);
  if (SanitizeErrorCode(code).empty()) code = body.code;
  if (code.empty()) code = body.type;
  return Finish(response, std::move(code), std::move(body.message));
}

}  // namespace cpa::awsapi::json
