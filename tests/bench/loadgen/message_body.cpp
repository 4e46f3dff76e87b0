// Body stamping and parsing (see message_body.hpp).
#include "tests/bench/loadgen/message_body.hpp"

#include <charconv>

namespace hubchat::bench {
namespace {

void append_number(std::string& out, std::uint64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  (void)ec;
  out.append(digits, static_cast<std::size_t>(end - digits));
  out.push_back('.');
}

// Parses digits up to the next '.', advancing `p`. False on anything else.
bool take_number(const char*& p, const char* end, std::uint64_t& value) {
  std::uint64_t v = 0;
  const char* start = p;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + static_cast<unsigned>(*p++ - '0');
  if (p == start || p == end || *p != '.' || p - start > 19) return false;
  ++p;
  value = v;
  return true;
}

}  // namespace

void append_body(std::string& out, std::string_view tag, const BodyStamp& stamp, std::size_t size) {
  const std::size_t start = out.size();
  out.append(tag);
  out.push_back('.');
  append_number(out, stamp.sender);
  append_number(out, stamp.seq);
  append_number(out, stamp.sent_ns);
  const std::size_t written = out.size() - start;
  if (written < size) out.append(size - written, 'x');
}

bool parse_body(std::string_view body, std::string_view tag, BodyStamp& stamp) {
  if (body.size() <= tag.size() || body.compare(0, tag.size(), tag) != 0 || body[tag.size()] != '.')
    return false;
  const char* p = body.data() + tag.size() + 1;
  const char* const end = body.data() + body.size();
  std::uint64_t sender, seq, ns;
  if (!take_number(p, end, sender) || !take_number(p, end, seq) || !take_number(p, end, ns))
    return false;
  if (sender > UINT32_MAX || seq > UINT32_MAX) return false;
  stamp.sender = static_cast<std::uint32_t>(sender);
  stamp.seq = static_cast<std::uint32_t>(seq);
  stamp.sent_ns = ns;
  return true;
}

void append_message_payload(std::string& out, Dialect dialect, std::string_view tag,
                            const BodyStamp& stamp, std::size_t size) {
  if (dialect == Dialect::legacy) {
    append_body(out, tag, stamp, size);
    return;
  }
  out.append("{\"type\":\"msg\",\"body\":\"");
  append_body(out, tag, stamp, size);
  out.append("\"}");
}

}  // namespace hubchat::bench
