// Small drawing helpers shared by the view's parts (chat_view, log_view): the
// chat's colours, a stable colour per nick, "HH:MM" from a relay timestamp,
// and text in a colour, optionally wrapped at the right edge.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace hubchat::ui {

inline const ImVec4 kDim{0.55f, 0.58f, 0.64f, 1.0f};
inline const ImVec4 kNotice{0.95f, 0.75f, 0.35f, 1.0f};
inline const ImVec4 kBody{0.90f, 0.91f, 0.94f, 1.0f};
inline const ImVec4 kReplayed{0.78f, 0.79f, 0.83f, 1.0f};

// A stable, readable colour per nick.
ImVec4 nick_color(std::string_view nick);

// "HH:MM" in local time from a relay timestamp (ms since the Unix epoch); "" if unknown.
std::string clock_text(std::int64_t ts_ms);

void text(std::string_view s);
void text_colored(const ImVec4& color, std::string_view s);
void text_wrapped(const ImVec4& color, std::string_view s);

}  // namespace hubchat::ui
