// ModerationMenu implementation (see moderation_menu.hpp).
#include "client/ui/moderation_menu.hpp"

#include "client/ui/draw_text.hpp"

namespace hubchat::ui {
namespace {

constexpr const char* kPopup = "moderation";

// What the user may do to `target`, as the model knows it.
struct Allowed {
  bool remove = false;    // delete the message
  bool moderate = false;  // kick, mute, ban its sender / the member
  bool any() const { return remove || moderate; }
};

Allowed allowed(const client::ChatModel& model, const MenuTarget& target) {
  Allowed a;
  if (target.seq != 0) {
    if (const client::Room* room = model.find_room(model.joined_room())) {
      for (const client::Line& line : room->lines()) {
        if (line.kind == client::LineKind::message && line.seq == target.seq)
          a.remove = model.may_delete(line);
      }
    }
  }
  a.moderate = model.moderator() && !target.nick.empty() && target.nick != model.nick();
  return a;
}

}  // namespace

bool context_requested(const ImVec2& min, const ImVec2& max) {
  if (!ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) ||
      !ImGui::IsMouseHoveringRect(min, max))
    return false;
  const ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsMouseReleased(ImGuiMouseButton_Right)) return true;
  // A finger held still: fires once, in the frame it crosses the threshold.
  const float slop = ImGui::GetFontSize() * 0.6f;
  return io.MouseDown[0] && io.MouseDownDurationPrev[0] < kLongPressSeconds &&
         io.MouseDownDuration[0] >= kLongPressSeconds &&
         io.MouseDragMaxDistanceSqr[0] <= slop * slop;
}

void verified_mark() {
  const float h = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float r = h * 0.38f;
  const ImVec2 c(p.x + r, p.y + h * 0.5f);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddCircleFilled(c, r, ImGui::GetColorU32(ImVec4{0.25f, 0.60f, 0.95f, 1.0f}));
  const ImVec2 check[3] = {ImVec2(c.x - r * 0.50f, c.y + r * 0.02f),
                           ImVec2(c.x - r * 0.12f, c.y + r * 0.42f),
                           ImVec2(c.x + r * 0.52f, c.y - r * 0.38f)};
  draw->AddPolyline(check, 3, IM_COL32_WHITE, ImDrawFlags_None, std::max(1.0f, r * 0.28f));
  ImGui::Dummy(ImVec2(r * 2.0f, h));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("verified");
}

void ModerationMenu::draw(client::ChatSession& session, UiProbe& probe) {
  if (requested_) {
    if (allowed(session.model(), *requested_).any()) {
      target_ = std::move(*requested_);
      ImGui::OpenPopup(kPopup);
    }
    requested_.reset();
  }
  // At the press, so a finger lifted there rests on the menu's header, not
  // on an item (an item under a released pointer is chosen).
  ImGui::SetNextWindowPos(target_.at, ImGuiCond_Appearing);
  open_ = ImGui::BeginPopup(kPopup);
  if (!open_) return;
  const Allowed may = allowed(session.model(), target_);
  text_colored(kDim, target_.seq != 0 ? "message from " + target_.nick : target_.nick);
  ImGui::Separator();
  auto item = [&](const char* label, const char* name) {
    const bool chosen = ImGui::Selectable(label);
    probe.last_item(name);
    return chosen;
  };
  if (may.remove && item("Delete", "menu:delete")) session.delete_message(target_.seq);
  if (may.moderate) {
    if (item("Kick", "menu:kick")) session.kick(target_.nick);
    if (item("Mute 10 min", "menu:mute")) session.mute(target_.nick, client::kMuteSeconds);
    if (item("Ban 1 day", "menu:ban")) session.ban(target_.nick, client::kBanSeconds);
  }
  probe.rect("menu", {ImGui::GetWindowPos().x, ImGui::GetWindowPos().y,
                      ImGui::GetWindowPos().x + ImGui::GetWindowSize().x,
                      ImGui::GetWindowPos().y + ImGui::GetWindowSize().y});
  ImGui::EndPopup();
}

}  // namespace hubchat::ui
