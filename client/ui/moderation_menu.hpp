// ModerationMenu: the context menu on a message or a member, part of ChatView
// (docs/client.md, "Moderation"). A right click, or a long press on a touch
// screen, on a message row (LogView) or a member (the member list) asks for it;
// it offers what the user's role allows (ChatModel::may_delete, moderator()):
// Delete on a message, Kick, Mute 10 min and Ban 1 day on someone else, and
// sends the request through the session. The relay has the last word: a
// refusal comes back as an error. Also the verified mark drawn after a
// verified sender's nick. What it drew goes into the UiProbe ("menu",
// "menu:delete", "menu:kick", ...).
#pragma once

#include <imgui.h>

#include <optional>
#include <string>

#include "client/session/chat_session.hpp"
#include "client/ui/ui_probe.hpp"

namespace hubchat::ui {

// What a context menu is about: a message (seq != 0) or a member.
struct MenuTarget {
  Seq seq = 0;
  std::string nick;  // the sender or the member
  std::string uid;   // a message's verified sender
  ImVec2 at{};       // where it was asked for (the menu opens there)
};

// True when the user asked for a context menu on the rectangle this frame: a
// right click released over it, or a left press held still over it for
// kLongPressSeconds (a finger's long press). Call inside the window drawn.
bool context_requested(const ImVec2& min, const ImVec2& max);
inline constexpr float kLongPressSeconds = 0.5f;

// The verified mark after a nick: a small filled disc with a check drawn in
// it (lines, no font glyph), one text line high.
void verified_mark();

class ModerationMenu {
 public:
  // Asks for the menu on `target` (shown from the next draw(), if the user
  // may do anything to it).
  void request(MenuTarget target) { requested_ = std::move(target); }

  // Opens the requested menu and draws the open one; call once per frame in
  // the top-level window, after the parts that request it.
  void draw(client::ChatSession& session, UiProbe& probe);

  bool open() const { return open_; }

 private:
  std::optional<MenuTarget> requested_;
  MenuTarget target_;
  bool open_ = false;
};

}  // namespace hubchat::ui
