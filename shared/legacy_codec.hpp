// The legacy dialect: what the gorilla/websocket chat example speaks.
// Client frame = one message; relay frame = message bodies joined by '\n'.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hubchat::legacy {

// What the relay does to an incoming legacy message (gorilla's
// TrimSpace(Replace(msg, "\n", " "))). May return an empty string.
std::string normalize_incoming(std::string_view message);

// A body as a legacy client receives it: every '\n' becomes a space so that
// '\n' can separate messages in a frame.
std::string encode_body(std::string_view body);

// Splits a relay frame into its messages.
std::vector<std::string_view> split_frame(std::string_view frame);

}  // namespace hubchat::legacy
