// ChatView implementation (see chat_view.hpp): ImGui widgets only; all chat
// state is read from the session's model and all actions go through the session.
#include "client/ui/chat_view.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // PlatformImePos: where the input's caret is drawn
#include <imgui_stdlib.h>

#include <algorithm>
#include <string_view>

#include "client/ui/draw_text.hpp"

namespace hubchat::ui {
namespace {

using client::ConnectionState;

ImVec4 state_color(ConnectionState state, bool joined) {
  switch (state) {
    case ConnectionState::connected:
      return joined ? ImVec4{0.40f, 0.85f, 0.45f, 1.0f} : ImVec4{0.85f, 0.85f, 0.40f, 1.0f};
    case ConnectionState::connecting:
      return {0.90f, 0.80f, 0.35f, 1.0f};
    case ConnectionState::reconnecting:
      return {0.95f, 0.55f, 0.30f, 1.0f};
    case ConnectionState::disconnected:
      break;
  }
  return {0.60f, 0.60f, 0.65f, 1.0f};
}

// A filled dot in `color`, one text line high, before what follows on the line.
void state_dot(const ImVec4& color) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float r = ImGui::GetFontSize() * 0.3f;
  const float y = p.y + ImGui::GetStyle().FramePadding.y + ImGui::GetTextLineHeight() * 0.5f;
  ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(p.x + r, y), r, ImGui::GetColorU32(color));
  ImGui::Dummy(ImVec2(r * 2.5f, ImGui::GetFrameHeight()));
  ImGui::SameLine();
}

}  // namespace

ChatView::ChatView(client::ChatSession& session, Settings settings)
    : session_(session), settings_(std::move(settings)) {}

void ChatView::connect(client::TimePoint now) {
  client::ConnectParams params;
  params.url = settings_.server;
  params.nick = settings_.nick;
  params.room = settings_.room.empty() ? "lobby" : settings_.room;
  if (settings_.token_source) settings_.token = settings_.token_source();
  params.token = settings_.token;
  session_.connect(params, now);
}

void ChatView::draw(client::TimePoint now) {
  const auto& conn = session_.model().connection();
  const bool joined = conn.state == ConnectionState::connected && conn.joined;
  if (joined && !was_joined_ && settings_.focus_on_join) focus_input_ = true;  // type right away
  was_joined_ = joined;
  // A refused join: the connect panel's Room goes back to where we still are.
  const client::Refusal& refusal = session_.model().refusal();
  if (refusal != seen_refusal_) {
    if (refusal.kind == client::RefusalKind::join && settings_.room == refusal.room)
      settings_.room = session_.params().room;
    seen_refusal_ = refusal;
  }

  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  probe_.begin_frame(viewport->WorkSize.x, viewport->WorkSize.y);
  const bool narrow = viewport->WorkSize.x / scale_ < kNarrowBelow;
  probe_.flag("narrow", narrow);

  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  constexpr ImGuiWindowFlags kFlags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings |
                                      ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
  ImGui::Begin("hubchat", nullptr, kFlags);
  ImGui::PopStyleVar();
  if (narrow) {
    draw_narrow(now);
  } else {
    drawer_open_ = panel_open_ = false;
    draw_wide(now);
  }
  if (auto target = log_.take_context()) menu_.request(std::move(*target));
  menu_.draw(session_, probe_);
  probe_.flag("menu_open", menu_.open());
  ImGui::End();

  const client::Room* room = session_.model().find_room(session_.model().active_room());
  probe_.number("members", room != nullptr ? static_cast<double>(room->member_count()) : 0);
  probe_.flag("drawer_open", drawer_open_);
  probe_.flag("panel_open", panel_open_);
}

void ChatView::draw_wide(client::TimePoint now) {
  draw_connect_panel(now);
  draw_status(now);
  ImGui::Separator();

  const float em = ImGui::GetFontSize();
  const float sidebar_width = std::min(13.0f * em, ImGui::GetContentRegionAvail().x * 0.3f);
  ImGui::BeginChild("sidebar", ImVec2(sidebar_width, 0), true);
  draw_rooms();
  ImGui::Spacing();
  ImGui::Separator();
  draw_members();
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginGroup();
  draw_log_and_input(false);
  ImGui::EndGroup();
}

// Disconnected: the connect panel as in the wide layout. Connected: the status
// bar (drawer button, a tap on the rest unfolds the panel), then the drawer or
// the log and the input, full width.
void ChatView::draw_narrow(client::TimePoint now) {
  if (session_.state() == ConnectionState::disconnected) {
    drawer_open_ = panel_open_ = false;
    draw_connect_panel(now);
    draw_status(now);
    ImGui::Separator();
    draw_log_and_input(true);
    return;
  }
  draw_status_bar();
  if (panel_open_) {
    draw_connect_panel(now);
    draw_status(now);
  } else {
    draw_refusal(now);  // a refusal is news even with the panel folded
  }
  ImGui::Separator();
  if (drawer_open_) {
    ImGui::BeginChild("drawer", ImVec2(0, 0), true);
    draw_rooms();
    ImGui::Spacing();
    ImGui::Separator();
    draw_members();
    ImGui::EndChild();
    probe_.last_item("drawer_panel");
  } else {
    draw_log_and_input(true);
  }
}

void ChatView::draw_status_bar() {
  const auto& model = session_.model();
  const auto& conn = model.connection();
  int unread = 0;
  for (const auto& [name, room] : model.rooms()) {
    if (name != model.active_room()) unread += room.unread();
  }
  std::string drawer = drawer_open_ ? "Close" : "Rooms";
  if (!drawer_open_ && unread > 0) drawer += " (" + std::to_string(unread) + ")";
  if (ImGui::Button((drawer + "##drawer").c_str())) drawer_open_ = !drawer_open_;
  probe_.last_item("drawer");
  probe_.number("unread_total", unread);
  ImGui::SameLine();

  // "lobby \u00b7 12 members" when joined, else the state; a tap (un)folds the panel.
  state_dot(state_color(conn.state, conn.joined));
  const client::Room* room = model.find_room(model.active_room());
  std::string status = model.active_room().empty() ? "" : model.active_room() + "  \u00b7  ";
  if (room != nullptr && room->member_count() > 0) {
    status +=
        std::to_string(room->member_count()) + (room->member_count() == 1 ? " member" : " members");
  }
  const bool joined = conn.state == ConnectionState::connected && conn.joined;
  if (!joined || conn.legacy) {
    status += std::string(status.empty() || status.ends_with("  ") ? "" : "  \u00b7  ") +
              (conn.legacy && joined ? "legacy server" : to_string(conn.state));
  }
  ImGui::AlignTextToFramePadding();
  if (ImGui::Selectable((status + "##status").c_str(), panel_open_, 0,
                        ImVec2(0, ImGui::GetFrameHeight()))) {
    panel_open_ = !panel_open_;
  }
  probe_.last_item("status");
}

void ChatView::draw_connect_panel(client::TimePoint now) {
  const float em = ImGui::GetFontSize();
  const ImGuiStyle& style = ImGui::GetStyle();
  const float right = ImGui::GetWindowContentRegionMax().x + ImGui::GetWindowPos().x;
  // Keeps the next `width` pixels on this line if they fit, else wraps.
  auto next = [&](float width) {
    if (ImGui::GetItemRectMax().x + style.ItemSpacing.x + width <= right) ImGui::SameLine();
  };
  auto label_width = [&](const char* label) {
    return ImGui::CalcTextSize(label).x + style.ItemSpacing.x;
  };
  auto field = [&](const char* label, const char* id, std::string* value, float width, bool first) {
    if (!first) next(label_width(label) + width);
    ImGui::AlignTextToFramePadding();
    text(label);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(std::min(width, right - ImGui::GetCursorScreenPos().x));
    const bool enter = ImGui::InputText(id, value, ImGuiInputTextFlags_EnterReturnsTrue);
    probe_.last_item(id + 2, /*text_field=*/true);  // "##server" -> "server"
    return enter;
  };
  const bool idle = session_.state() == ConnectionState::disconnected;
  const bool enter1 = field("Server", "##server", &settings_.server, 18.0f * em, true);
  const bool enter2 = field("Nick", "##nick", &settings_.nick, 8.0f * em, false);
  const bool enter3 = field("Room", "##room", &settings_.room, 8.0f * em, false);
  if (idle) {
    next(ImGui::CalcTextSize("Connect").x + style.FramePadding.x * 2);
    if (ImGui::Button("Connect") || enter1 || enter2 || enter3) connect(now);
    probe_.last_item("connect");
  } else {
    next(ImGui::CalcTextSize("Disconnect").x + style.FramePadding.x * 2);
    if (ImGui::Button("Disconnect")) session_.disconnect();
    probe_.last_item("disconnect");
    const std::string& granted = session_.model().nick();
    if (!settings_.nick.empty() && settings_.nick != granted && !granted.empty()) {
      next(ImGui::CalcTextSize("Rename").x + style.FramePadding.x * 2);
      if (ImGui::Button("Rename") || enter2) session_.rename(settings_.nick);
    }
    if (enter3 && !settings_.room.empty()) session_.switch_room(settings_.room);
  }
}

void ChatView::draw_status(client::TimePoint now) {
  const auto& model = session_.model();
  const auto& conn = model.connection();
  const ImVec4 color = state_color(conn.state, conn.joined);
  // A dot and the state word, then the model's one-line explanation.
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float r = ImGui::GetFontSize() * 0.3f;
  ImGui::GetWindowDrawList()->AddCircleFilled(
      ImVec2(p.x + r, p.y + ImGui::GetTextLineHeight() * 0.5f), r, ImGui::GetColorU32(color));
  ImGui::Dummy(ImVec2(r * 2.5f, ImGui::GetTextLineHeight()));
  ImGui::SameLine();
  text_colored(color, to_string(conn.state));
  if (conn.state == ConnectionState::connected && conn.legacy) {
    // Plain text only, no history or members: worth a word next to the state.
    ImGui::SameLine();
    text_colored(kNotice, "(legacy server)");
  }
  draw_identity();
  ImGui::SameLine();
  text_colored(kDim, "|");
  ImGui::SameLine();
  const std::string status = model.status_text(now);
  text_wrapped(kBody, status);
  probe_.text("status.text", status);
  draw_refusal(now);
}

// Joined with a token: the mark and "verified" (and a moderator's role).
void ChatView::draw_identity() {
  const auto& model = session_.model();
  const auto& conn = model.connection();
  const bool joined = conn.state == ConnectionState::connected && conn.joined;
  const std::string identity = !joined || !model.verified() ? "guest"
                               : model.role().empty() || model.role() == "member"
                                   ? "verified"
                                   : "verified " + model.role();
  probe_.text("status.identity", identity);
  if (!joined || !model.verified()) return;
  ImGui::SameLine();
  verified_mark();
  probe_.last_item("verified_mark");
  ImGui::SameLine();
  text_colored(kBody, identity);
}

// The last refusal in words, and what the user can do about it.
void ChatView::draw_refusal(client::TimePoint now) {
  const client::Refusal& refusal = session_.model().refusal();
  probe_.text("status.refusal", refusal.text);
  if (refusal.kind == client::RefusalKind::none) return;
  text_colored(kNotice, "Refused: " + refusal.text);
  probe_.last_item("refusal");
  // Kicked, or signed in again (the desktop re-reads its token file): the
  // user may come back, by hand. A ban stays until it expires.
  const bool may_retry = session_.state() == ConnectionState::disconnected &&
                         refusal.kind != client::RefusalKind::banned;
  if (may_retry) {
    ImGui::SameLine();
    if (ImGui::SmallButton("Connect again")) connect(now);
    probe_.last_item("reconnect");
  }
}

void ChatView::choose_room(const std::string& name) {
  session_.switch_room(name);
  drawer_open_ = false;  // narrow: back to the log of the room just chosen
  focus_input_ = settings_.focus_on_join;
}

void ChatView::draw_rooms() {
  auto& model = session_.model();
  text_colored(kDim, "Rooms");
  std::string chosen;
  for (const auto& [name, room] : model.rooms()) {
    const bool active = name == model.active_room();
    std::string label = name;
    if (room.unread() > 0) label += "  (" + std::to_string(room.unread()) + ")";
    label += "##room-" + name;
    if (ImGui::Selectable(label.c_str(), active) && !active) chosen = name;
    probe_.last_item("room:" + name);
  }
  if (!chosen.empty()) choose_room(chosen);  // not while iterating the rooms
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 3.2f);
  const bool enter = ImGui::InputTextWithHint("##join", "room", &join_field_,
                                              ImGuiInputTextFlags_EnterReturnsTrue);
  probe_.last_item("join", /*text_field=*/true);
  ImGui::SameLine();
  const bool join = ImGui::Button("Join");
  probe_.last_item("join_button");
  if ((join || enter) && !join_field_.empty()) {
    settings_.room = join_field_;
    choose_room(join_field_);
    join_field_.clear();
  }
}

void ChatView::draw_members() {
  const auto& model = session_.model();
  const client::Room* room = model.find_room(model.active_room());
  // The relay's count, not the length of what we hold: in a large room the
  // list arrives in pages, and after a burst of presence it is refetched.
  const std::uint64_t count = room != nullptr ? room->member_count() : 0;
  // A legacy server has no member list at all: say so rather than "(0)".
  const std::string heading =
      session_.legacy() ? "Members: not listed" : "Members (" + std::to_string(count) + ")";
  text_colored(kDim, heading);
  probe_.text("members.heading", heading);
  if (room == nullptr) return;
  if (session_.legacy()) {
    const char* why = "This server does not list members.";
    text_wrapped(kDim, why);
    probe_.text("members.note", why);
    return;
  }

  // A child of its own so the clipper only lays out the visible rows: a
  // 10,000-member room costs a screenful of Text calls per frame, not 10,000.
  ImGui::BeginChild("members");
  const auto& members = room->members();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(members.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const std::string& member = members[static_cast<std::size_t>(i)];
      const bool me = member == model.nick();
      text_colored(nick_color(member), me ? member + " (you)" : member);
      const ImVec2 min(ImGui::GetWindowPos().x, ImGui::GetItemRectMin().y);
      const ImVec2 max(min.x + ImGui::GetWindowWidth(), ImGui::GetItemRectMax().y);
      probe_.rect("member:" + member, {min.x, min.y, max.x, max.y});
      if (context_requested(min, max)) {
        const ImGuiIO& io = ImGui::GetIO();
        const ImVec2 at =
            ImGui::IsMouseReleased(ImGuiMouseButton_Right) ? io.MousePos : io.MouseClickedPos[0];
        menu_.request({0, member, {}, at});
      }
    }
  }
  if (!room->members_complete()) {
    if (count > members.size()) {
      text_colored(kDim, "\u2026and " + std::to_string(count - members.size()) + " more");
    }
    // Only the joined room's list is being fetched; another room's stays as it was.
    const bool fetching =
        session_.state() == ConnectionState::connected && room->name() == model.joined_room();
    if (fetching) text_colored(kDim, "loading\u2026");
  }
  ImGui::EndChild();
}

float ChatView::input_height(bool narrow) const {
  return ImGui::GetTextLineHeight() * (narrow ? 2.2f : 3.2f) + ImGui::GetStyle().FramePadding.y * 2;
}

void ChatView::draw_log_and_input(bool narrow) {
  const float footer = input_height(narrow) + ImGui::GetStyle().ItemSpacing.y * 2 +
                       ImGui::GetTextLineHeightWithSpacing();
  const auto& model = session_.model();
  log_.draw(model.find_room(model.active_room()), footer, narrow, probe_);
  draw_input(narrow);
}

int ChatView::input_callback(ImGuiInputTextCallbackData* data) {
  auto* self = static_cast<ChatView*>(data->UserData);
  if (data->EventFlag == ImGuiInputTextFlags_CallbackCharFilter) {
    // Enter without Shift sends; Shift+Enter (and line breaks inside pasted
    // text, which arrive without an Enter key press) stay in the text.
    const ImGuiIO& io = ImGui::GetIO();
    const bool enter_key = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter)) ||
                           ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter));
    if (data->EventChar == '\n' && enter_key && !io.KeyShift) {
      self->send_requested_ = true;
      return 1;  // discard the newline
    }
    return 0;
  }
  if (data->EventFlag == ImGuiInputTextFlags_CallbackAlways && self->send_requested_) {
    self->send_requested_ = false;
    if (self->can_send_ && data->BufTextLen > 0) {
      self->pending_send_.assign(data->Buf, static_cast<std::size_t>(data->BufTextLen));
      data->DeleteChars(0, data->BufTextLen);
    }
  }
  return 0;
}

void ChatView::draw_input(bool narrow) {
  const auto& conn = session_.model().connection();
  can_send_ = conn.state == ConnectionState::connected && conn.joined;

  const float em = ImGui::GetFontSize();
  const float height = input_height(narrow);
  if (focus_input_) {
    ImGui::SetKeyboardFocusHere();
    focus_input_ = false;
  }
  ImGui::InputTextMultiline(
      "##input", &draft_, ImVec2(-(narrow ? 4.0f : 5.0f) * em, height),
      ImGuiInputTextFlags_CallbackCharFilter | ImGuiInputTextFlags_CallbackAlways,
      &ChatView::input_callback, this);
  probe_.last_item("input", /*text_field=*/true);
  const bool input_active = ImGui::IsItemActive();
  if (input_active && !composition_.empty()) draw_composition();
  if (!pending_send_.empty()) {
    if (session_.send_message(pending_send_)) ++sent_count_;
    pending_send_.clear();
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(!can_send_);
  if (ImGui::Button("Send", ImVec2(-1.0f, height))) {
    send_draft();
    focus_input_ = true;
  }
  probe_.last_item("send");
  ImGui::EndDisabled();

  // Hint line: IME composition in progress, or how the keys work.
  if (!composition_.empty()) {
    text_colored(kNotice, "Composing: " + composition_);
  } else if (!can_send_) {
    text_colored(kDim, "Not joined: messages cannot be sent yet.");
  } else if (input_active) {
    text_colored(kDim, narrow ? "Enter: send" : "Enter: send   Shift+Enter: new line");
  } else {
    text_colored(kDim, narrow ? "Tap the input line to type." : "Click the input line to type.");
  }
}

// The IME's text in progress, drawn over the input at the caret, underlined
// (it is not part of the draft until the IME commits it).
void ChatView::draw_composition() {
  const ImVec2 caret = ImGui::GetCurrentContext()->PlatformImePos;  // caret top-left
  const ImVec2 size = ImGui::CalcTextSize(composition_.c_str());
  const ImVec2 pos(caret.x + 1.0f, caret.y);
  ImDrawList* draw = ImGui::GetForegroundDrawList();
  const ImVec2 end(pos.x + size.x, pos.y + size.y);
  draw->AddRectFilled(pos, end, ImGui::GetColorU32(ImGuiCol_FrameBgActive));
  draw->AddText(pos, ImGui::GetColorU32(ImGuiCol_Text), composition_.c_str());
  draw->AddLine(ImVec2(pos.x, end.y), end, ImGui::GetColorU32(kNotice), 1.0f);
}

void ChatView::send_draft() {
  if (!can_send_ || draft_.empty()) return;
  if (session_.send_message(draft_)) ++sent_count_;
  draft_.clear();
}

}  // namespace hubchat::ui
