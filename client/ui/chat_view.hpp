// ChatView: the Dear ImGui view over a ChatSession / ChatModel, shared by the
// desktop and the browser client. One full-window ImGui window with a connect
// panel and status line, a room switcher (rooms with unread counts, a field to
// join another), the member list of the current room (the relay's count, the
// nicks known so far, and what is still loading), the message log
// (time, sender, multi-line bodies; auto-scrolls only while scrolled to the
// bottom) and a multi-line input where Enter sends and Shift+Enter breaks the
// line. It owns no sockets and no platform code.
#pragma once

#include <cstdint>
#include <string>

#include <imgui.h>

#include "client/session/chat_session.hpp"

namespace hubchat::ui {

class ChatView {
 public:
  struct Settings {
    std::string server;  // initial contents of the connect panel
    std::string nick;
    std::string room = "lobby";
  };

  ChatView(client::ChatSession& session, Settings settings);

  // Draws the whole UI for this frame (call between ImGui::NewFrame and Render).
  void draw(client::TimePoint now);

  // Connects with what the connect panel holds (the Connect button does this).
  void connect(client::TimePoint now);

  // IME text being composed (not yet committed), shown at the input; "" when none.
  void set_composition(std::string text) { composition_ = std::move(text); }
  const std::string& composition() const { return composition_; }

  // The text in the input line, not yet sent.
  const std::string& draft() const { return draft_; }

  // Messages sent from the input line since start.
  std::uint64_t sent_count() const { return sent_count_; }

 private:
  void draw_connect_panel(client::TimePoint now);
  void draw_status(client::TimePoint now);
  void draw_sidebar();
  void draw_members();
  void draw_log();
  void draw_input();
  void draw_composition();
  void send_draft();
  static int input_callback(ImGuiInputTextCallbackData* data);

  client::ChatSession& session_;
  Settings settings_;
  std::string join_field_;
  std::string draft_;
  std::string pending_send_;  // taken out of the input by the callback
  std::string composition_;
  bool send_requested_ = false;  // Enter seen by the input's char filter
  bool can_send_ = false;
  bool focus_input_ = false;
  bool was_joined_ = false;

  // Auto-scroll bookkeeping for the log.
  std::string log_room_;
  std::uint64_t log_version_ = 0;
  bool follow_log_ = true;
  std::uint64_t sent_count_ = 0;
};

}  // namespace hubchat::ui
