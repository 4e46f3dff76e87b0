#include "shared/legacy_codec.hpp"

namespace hubchat::legacy {
namespace {

// Go's bytes.TrimSpace trims Unicode white space; for the ASCII set gorilla
// clients send that is exactly these bytes.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

std::string normalize_incoming(std::string_view message) {
  std::size_t begin = 0, end = message.size();
  while (begin < end && is_space(message[begin])) ++begin;
  while (end > begin && is_space(message[end - 1])) --end;
  return encode_body(message.substr(begin, end - begin));
}

std::string encode_body(std::string_view body) {
  std::string out(body);
  for (char& c : out)
    if (c == '\n') c = ' ';
  return out;
}

std::vector<std::string_view> split_frame(std::string_view frame) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t nl = frame.find('\n', start);
    if (nl == std::string_view::npos) {
      parts.push_back(frame.substr(start));
      return parts;
    }
    parts.push_back(frame.substr(start, nl - start));
    start = nl + 1;
  }
}

}  // namespace hubchat::legacy
