// Rules for nicknames and room names: non-empty, bounded, valid UTF-8, no
// control characters (C0, DEL, C1) and no bidi overrides/isolates, which
// could make a name display as someone else's or reorder the text around it.
#pragma once

#include <cstddef>
#include <string_view>

namespace hubchat {

bool is_valid_name(std::string_view name, std::size_t max_bytes);

}  // namespace hubchat
