// The chat UI's look: ImGui's dark theme with rounder, roomier widgets, scaled
// for high-DPI framebuffers (the browser client renders at devicePixelRatio).
#pragma once

namespace hubchat::ui {

// Resets ImGui's style to the chat theme, scaled by `scale` (1 = 96 dpi).
void apply_chat_style(float scale);

// Base font size in pixels at scale 1.
inline constexpr float kBaseFontPixels = 16.0f;

}  // namespace hubchat::ui
