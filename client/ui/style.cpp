// Chat theme (see style.hpp).
#include "client/ui/style.hpp"

#include <imgui.h>

namespace hubchat::ui {

void apply_chat_style(float scale) {
  ImGuiStyle style;
  ImGui::StyleColorsDark(&style);
  style.WindowPadding = ImVec2(10, 10);
  style.FramePadding = ImVec2(6, 4);
  style.ItemSpacing = ImVec2(8, 6);
  style.CellPadding = ImVec2(6, 3);
  style.FrameRounding = 4.0f;
  style.ChildRounding = 4.0f;
  style.ScrollbarRounding = 6.0f;
  style.GrabRounding = 4.0f;
  style.WindowBorderSize = 0.0f;
  ImVec4* c = style.Colors;
  c[ImGuiCol_WindowBg] = ImVec4(0.106f, 0.114f, 0.137f, 1.0f);
  c[ImGuiCol_ChildBg] = ImVec4(0.086f, 0.094f, 0.114f, 1.0f);
  c[ImGuiCol_FrameBg] = ImVec4(0.16f, 0.17f, 0.21f, 1.0f);
  c[ImGuiCol_Header] = ImVec4(0.22f, 0.32f, 0.52f, 0.8f);
  c[ImGuiCol_Button] = ImVec4(0.22f, 0.36f, 0.62f, 0.9f);
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

}  // namespace hubchat::ui
