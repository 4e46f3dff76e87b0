// Strict UTF-8 validation (RFC 3629): rejects overlong forms, surrogates, code
// points above U+10FFFF and truncated sequences.
#pragma once

#include <string_view>

namespace hubchat {

bool is_valid_utf8(std::string_view text);

// Longest prefix of `text` that ends on a code point boundary (text must be
// valid UTF-8 up to that point); used to cut display strings safely.
std::size_t utf8_prefix_length(std::string_view text, std::size_t max_bytes);

}  // namespace hubchat
