// Drawing helpers (see draw_text.hpp).
#include "client/ui/draw_text.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace hubchat::ui {

ImVec4 nick_color(std::string_view nick) {
  static const std::array<ImVec4, 8> palette{{
      {0.47f, 0.74f, 1.00f, 1.0f},
      {0.55f, 0.88f, 0.55f, 1.0f},
      {1.00f, 0.66f, 0.42f, 1.0f},
      {0.86f, 0.60f, 1.00f, 1.0f},
      {0.42f, 0.90f, 0.86f, 1.0f},
      {1.00f, 0.56f, 0.66f, 1.0f},
      {0.93f, 0.86f, 0.45f, 1.0f},
      {0.68f, 0.76f, 1.00f, 1.0f},
  }};
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : nick) h = (h ^ c) * 16777619u;
  return palette[h % palette.size()];
}

std::string clock_text(std::int64_t ts_ms) {
  if (ts_ms <= 0) return {};
  const std::time_t secs = static_cast<std::time_t>(ts_ms / 1000);
  std::tm tm{};
  if (localtime_r(&secs, &tm) == nullptr) return {};
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", tm.tm_hour, tm.tm_min);
  return buf;
}

void text(std::string_view s) {
  ImGui::TextUnformatted(s.data(), s.data() + s.size());
}

void text_colored(const ImVec4& color, std::string_view s) {
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  text(s);
  ImGui::PopStyleColor();
}

void text_wrapped(const ImVec4& color, std::string_view s) {
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::PushTextWrapPos(0.0f);
  text(s);
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

}  // namespace hubchat::ui
