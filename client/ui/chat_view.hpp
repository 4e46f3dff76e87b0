// ChatView: the Dear ImGui view over a ChatSession / ChatModel, shared by the
// desktop and the browser client. One full-window ImGui window in one of two
// layouts, chosen by the window's width in CSS (logical) pixels:
//  - wide (600 and more): connect panel and status line on top, a sidebar
//    with the rooms (unread counts, a field to join another) and the member
//    list (the relay's count, the nicks known so far), the log beside it;
//  - narrow (phones, narrow windows): the log takes the whole width; once
//    connected the connect panel folds into a one-line status bar (room,
//    member count, state) that unfolds it on a tap; rooms and members sit in
//    a drawer behind the "Rooms" button, which shows the unread total.
// Both: the message log (LogView: quiet presence, drag scrolling, jump to
// latest) and a multi-line input where Enter sends and Shift+Enter breaks the
// line. Trust and moderation: the user's verified state next to the status,
// a refusal (a refused join, mute, kick, ban, an expired sign-in) in words
// with a Connect again button where that makes sense, the verified mark on
// messages, and the moderator's context menu on messages and members
// (ModerationMenu). What was drawn where goes into a UiProbe (the page's
// text-field rectangles, the tests' hook). It owns no sockets and no
// platform code.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <imgui.h>

#include "client/session/chat_session.hpp"
#include "client/ui/log_view.hpp"
#include "client/ui/moderation_menu.hpp"
#include "client/ui/ui_probe.hpp"

namespace hubchat::ui {

// Below this width (CSS / logical pixels) the narrow layout is used.
inline constexpr float kNarrowBelow = 600.0f;

class ChatView {
 public:
  struct Settings {
    std::string server;  // initial contents of the connect panel
    std::string nick;
    std::string room = "lobby";
    // Activate the input line by itself once joined. Off on touch screens,
    // where that would pop up the keyboard unasked (and a phone only shows it
    // for a field focused in the user's own tap anyway).
    bool focus_on_join = true;
    // The signed identity (JWT) to connect with; "" = a guest.
    std::string token;
    // Where a fresh token comes from when connecting (the desktop re-reads
    // its --token file, so a renewed token is used without a restart);
    // empty: `token` as it is.
    std::function<std::string()> token_source;
  };

  ChatView(client::ChatSession& session, Settings settings);

  // Draws the whole UI for this frame (call between ImGui::NewFrame and Render).
  void draw(client::TimePoint now);

  // Connects with what the connect panel holds (the Connect button does this).
  void connect(client::TimePoint now);

  // Canvas/framebuffer pixels per CSS (logical) pixel: the device pixel
  // ratio in the browser, the monitor's content scale on the desktop.
  void set_scale(float scale) { scale_ = scale > 0 ? scale : 1.0f; }

  // The token the Connect button uses from now on (the page's setToken).
  void set_token(std::string token) { settings_.token = std::move(token); }

  // IME text being composed (not yet committed), shown at the input; "" when none.
  void set_composition(std::string text) { composition_ = std::move(text); }
  const std::string& composition() const { return composition_; }

  // The text in the input line, not yet sent.
  const std::string& draft() const { return draft_; }

  // Messages sent from the input line since start.
  std::uint64_t sent_count() const { return sent_count_; }

  // What the last frame drew (rectangles in canvas pixels).
  const UiProbe& probe() const { return probe_; }

 private:
  void draw_wide(client::TimePoint now);
  void draw_narrow(client::TimePoint now);
  void draw_status_bar();
  void draw_connect_panel(client::TimePoint now);
  void draw_status(client::TimePoint now);
  void draw_identity();
  void draw_refusal(client::TimePoint now);
  void draw_rooms();
  void draw_members();
  void draw_log_and_input(bool narrow);
  void draw_input(bool narrow);
  void draw_composition();
  void send_draft();
  void choose_room(const std::string& name);
  float input_height(bool narrow) const;
  static int input_callback(ImGuiInputTextCallbackData* data);

  client::ChatSession& session_;
  Settings settings_;
  float scale_ = 1.0f;
  std::string join_field_;
  std::string draft_;
  std::string pending_send_;  // taken out of the input by the callback
  std::string composition_;
  bool send_requested_ = false;  // Enter seen by the input's char filter
  bool can_send_ = false;
  bool focus_input_ = false;
  bool was_joined_ = false;
  bool panel_open_ = false;   // narrow: the connect panel unfolded while connected
  bool drawer_open_ = false;  // narrow: rooms and members shown instead of the log

  client::Refusal seen_refusal_;  // the last refusal draw() acted on
  LogView log_;
  ModerationMenu menu_;
  UiProbe probe_;
  std::uint64_t sent_count_ = 0;
};

}  // namespace hubchat::ui
