// Accept-Encoding, ETag and HTTP-date rules for static files (http_validators.hpp).
#include "relay/http/http_validators.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace hubchat::relay {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

// Calls `f(element)` for each trimmed, non-empty element of a comma list.
template <typename F>
void for_each_element(std::string_view list, F&& f) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view element = trim(list.substr(0, comma));
    if (!element.empty()) f(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// The weight of one Accept-Encoding element ("gzip;q=0.5"): false for q=0
// (any of "0", "0.", "0.000"), true otherwise, including a q we cannot read
// (the element names the coding, so it is wanted).
bool weight_above_zero(std::string_view params) {
  while (!params.empty()) {
    const std::size_t semi = params.find(';');
    const std::string_view param = trim(params.substr(0, semi));
    if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
      const std::string_view value = trim(param.substr(2));
      if (value.empty() || value[0] != '0') return true;
      return value.substr(1).find_first_not_of(".0") != std::string_view::npos;
    }
    if (semi == std::string_view::npos) break;
    params.remove_prefix(semi + 1);
  }
  return true;
}

std::string_view strip_weak(std::string_view tag) {
  return tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/' ? tag.substr(2) : tag;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  int gzip = -1, any = -1;  // -1: not named; 0: refused (q=0); 1: accepted
  for_each_element(accept_encoding, [&](std::string_view element) {
    const std::size_t semi = element.find(';');
    const std::string_view coding = trim(element.substr(0, semi));
    const bool wanted =
        semi == std::string_view::npos || weight_above_zero(element.substr(semi + 1));
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip"))
      gzip = wanted ? 1 : 0;
    else if (coding == "*")
      any = wanted ? 1 : 0;
  });
  return gzip >= 0 ? gzip == 1 : any == 1;
}

std::string make_etag(std::uint64_t size, std::int64_t mtime_ns, bool gzip) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "\"%llx-%llx%s\"", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(mtime_ns), gzip ? "-gz" : "");
  return buffer;
}

bool none_match_hits(std::string_view if_none_match, std::string_view etag) {
  if (trim(if_none_match) == "*") return true;
  bool hit = false;
  for_each_element(if_none_match, [&](std::string_view tag) {
    if (strip_weak(tag) == strip_weak(etag)) hit = true;
  });
  return hit;
}

std::string http_date(std::int64_t unix_seconds) {
  // Written out rather than strftime'd: day and month names must not follow
  // the process locale.
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return {};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[static_cast<std::size_t>(tm.tm_wday)], tm.tm_mday,
                kMonths[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buffer;
}

bool client_copy_current(std::string_view if_none_match, std::string_view if_modified_since,
                         std::string_view etag, std::string_view last_modified) {
  if (!trim(if_none_match).empty()) return none_match_hits(if_none_match, etag);
  const std::string_view since = trim(if_modified_since);
  return !since.empty() && since == last_modified;
}

}  // namespace hubchat::relay
