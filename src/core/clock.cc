#include "core/clock.h"

#include <cstdio>

namespace cpa::core {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::year_month_day;

struct Civil {
  int year, month, day, hour, minute, second;
};

Civil ToCivil(TimePoint t) {
  auto dp = floor<days>(t);
  year_month_day ymd(dp);
  std::chrono::hh_mm_ss hms(t - dp);
  return {static_cast<int>(ymd.year()),
          static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())),
          static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count()),
          static_cast<int>(hms.seconds().count())};
}

// Parses exactly n digits at s[pos]; -1 on failure.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

Result<TimePoint> FromCivil(int y, int mo, int d, int h, int mi, int se, std::string_view text) {
  year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                     std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) {
    return Status(ErrorCode::kInvalidArgument, "invalid date or time '" + std::string(text) + "'");
  }
  return TimePoint(std::chrono::sys_days(ymd)) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(se == 60 ? 59 : se);
}

}  // namespace

const Clock& DefaultClock() {
  static SystemClock clock;
  return clock;
}

std::string FormatAmzDate(TimePoint t) {
  Civil c = ToCivil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

std::string FormatScopeDate(TimePoint t) { return FormatAmzDate(t).substr(0, 8); }

Result<TimePoint> ParseAmzDate(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') {
    return Status(ErrorCode::kInvalidArgument,
                  "invalid X-Amz-Date '" + std::string(s) + "': expected YYYYMMDD'T'HHMMSS'Z'");
  }
  int y = Digits(s, 0, 4), mo = Digits(s, 4, 2), d = Digits(s, 6, 2);
  int h = Digits(s, 9, 2), mi = Digits(s, 11, 2), se = Digits(s, 13, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) {
    return Status(ErrorCode::kInvalidArgument, "invalid X-Amz-Date '" + std::string(s) + "'");
  }
  return FromCivil(y, mo, d, h, mi, se, s);
}

std::string FormatIso8601(TimePoint t) {
  Civil c = ToCivil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

Result<TimePoint> ParseIso8601(std::string_view s) {
  auto bad = [&] {
    return Status(ErrorCode::kInvalidArgument,
                  "invalid ISO 8601 time '" + std::string(s) + "': expected YYYY-MM-DDTHH:MM:SSZ");
  };
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return bad();
  }
  int y = Digits(s, 0, 4), mo = Digits(s, 5, 2), d = Digits(s, 8, 2);
  int h = Digits(s, 11, 2), mi = Digits(s, 14, 2), se = Digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return bad();
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return bad();
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
    // UTC
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    int oh = Digits(s, pos + 1, 2), om = Digits(s, pos + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return bad();
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
  } else {
    return bad();
  }
  CPA_ASSIGN_OR_RETURN(TimePoint t, FromCivil(y, mo, d, h, mi, se, s));
  return t - std::chrono::minutes(offset_minutes);
}

}  // namespace cpa::core
