#include "shared/json.hpp"

#include <cctype>
#include <charconv>

namespace hubchat::json {
namespace {

constexpr int kMaxDepth = 32;
constexpr std::uint64_t kMaxSafeInteger = (std::uint64_t{1} << 53) - 1;

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool object(std::vector<Field>& fields) {
    skip_ws();
    if (!consume('{')) return fail("expected '{'");
    skip_ws();
    if (consume('}')) return finish();
    for (;;) {
      Field field;
      skip_ws();
      if (!string(field.key)) return false;
      skip_ws();
      if (!consume(':')) return fail("expected ':'");
      skip_ws();
      if (!field_value(field)) return false;
      fields.push_back(std::move(field));
      skip_ws();
      if (consume(',')) continue;
      if (consume('}')) return finish();
      return fail("expected ',' or '}'");
    }
  }

  const std::string& error() const { return error_; }

 private:
  bool finish() {
    skip_ws();
    return pos_ == text_.size() || fail("unexpected data after the object");
  }

  bool fail(const char* message) {
    if (error_.empty()) error_ = std::string(message) + " at offset " + std::to_string(pos_);
    return false;
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool consume(char c) {
    if (peek() != c || at_end()) return false;
    ++pos_;
    return true;
  }
  void skip_ws() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r' ||
                         text_[pos_] == '\n'))
      ++pos_;
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool field_value(Field& field) {
    switch (peek()) {
      case '"':
        field.kind = Kind::string;
        return string(field.text);
      case 't':
        field.kind = Kind::boolean;
        field.flag = true;
        return literal("true");
      case 'f':
        field.kind = Kind::boolean;
        return literal("false");
      case 'n':
        field.kind = Kind::null;
        return literal("null");
      case '[':
        return array(field);
      case '{':
        field.kind = Kind::other;
        return skip_value(0);
      default:
        return number(field);
    }
  }

  // An array of strings becomes Kind::string_array; any other array is skipped.
  bool array(Field& field) {
    std::size_t start = pos_;
    ++pos_;
    skip_ws();
    field.kind = Kind::string_array;
    if (consume(']')) return true;
    for (;;) {
      skip_ws();
      if (peek() != '"') {
        pos_ = start;
        field.kind = Kind::other;
        field.items.clear();
        return skip_value(0);
      }
      std::string item;
      if (!string(item)) return false;
      field.items.push_back(std::move(item));
      skip_ws();
      if (consume(',')) continue;
      if (consume(']')) return true;
      return fail("expected ',' or ']'");
    }
  }

  bool number(Field& field) {
    std::size_t start = pos_;
    bool negative = consume('-');
    if (!std::isdigit(static_cast<unsigned char>(peek()))) return fail("invalid value");
    if (peek() == '0') {
      ++pos_;
    } else {
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
    }
    bool integral = true;
    if (consume('.')) {
      integral = false;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) return fail("invalid number");
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) return fail("invalid number");
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
    }
    field.kind = Kind::other;
    if (integral && !negative) {
      std::uint64_t value = 0;
      auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, value);
      if (ec == std::errc() && end == text_.data() + pos_ && value <= kMaxSafeInteger) {
        field.kind = Kind::uint;
        field.number = value;
      }
    }
    return true;
  }

  bool hex4(std::uint32_t& out) {
    if (pos_ + 4 > text_.size()) return fail("truncated \\u escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      out <<= 4;
      if (c >= '0' && c <= '9')
        out |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        out |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        out |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        return fail("invalid \\u escape");
    }
    return true;
  }

  bool string(std::string& out) {
    if (!consume('"')) return fail("expected a string");
    for (;;) {
      if (at_end()) return fail("unterminated string");
      // Copy the run of plain bytes in one go.
      std::size_t run = pos_;
      while (run < text_.size() && text_[run] != '"' && text_[run] != '\\' &&
             static_cast<unsigned char>(text_[run]) >= 0x20)
        ++run;
      out.append(text_.data() + pos_, run - pos_);
      pos_ = run;
      if (at_end()) return fail("unterminated string");
      char c = text_[pos_++];
      if (c == '"') return true;
      if (c != '\\') return fail("control character in string");
      if (at_end()) return fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            if (!consume('\\') || !consume('u') || !hex4(low) || low < 0xDC00 || low > 0xDFFF)
              return fail("lone high surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          return fail("invalid escape");
      }
    }
  }

  // Validates and skips any JSON value (used for fields we do not read).
  bool skip_value(int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    skip_ws();
    char c = peek();
    if (c == '"') {
      std::string ignored;
      return string(ignored);
    }
    if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      ++pos_;
      skip_ws();
      if (consume(close)) return true;
      for (;;) {
        skip_ws();
        if (c == '{') {
          std::string key;
          if (!string(key)) return false;
          skip_ws();
          if (!consume(':')) return fail("expected ':'");
        }
        if (!skip_value(depth + 1)) return false;
        skip_ws();
        if (consume(',')) continue;
        if (consume(close)) return true;
        return fail("expected ',' or a closing bracket");
      }
    }
    Field scratch;
    if (c == 't') return literal("true");
    if (c == 'f') return literal("false");
    if (c == 'n') return literal("null");
    return number(scratch);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace

void append_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t plain = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out.push_back('"');
}

void append_uint(std::string& out, std::uint64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

void append_int(std::string& out, std::int64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

bool parse_object(std::string_view text, std::vector<Field>& fields, std::string& error) {
  Parser parser(text);
  if (parser.object(fields)) return true;
  error = parser.error();
  return false;
}

}  // namespace hubchat::json
