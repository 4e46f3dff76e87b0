// The two text steps both HTTP readers of the harness need (the relay's
// responses in relay_process.cpp, the upgrade response in ws_test_client.cpp):
// header names compared in lower case, values without the blanks around them.
#pragma once

#include <string>
#include <string_view>

namespace hubchat::test {

// ASCII lower case: header names are case-insensitive (RFC 9110).
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Without leading blanks and trailing blanks or the CR of a CRLF line.
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace hubchat::test
