// ChatView implementation (see chat_view.hpp): ImGui widgets only; all chat
// state is read from the session's model and all actions go through the session.
#include "client/ui/chat_view.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // PlatformImePos: where the input's caret is drawn
#include <imgui_stdlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <string_view>

namespace hubchat::ui {
namespace {

using client::ConnectionState;
using client::Line;
using client::LineKind;

const ImVec4 kDim{0.55f, 0.58f, 0.64f, 1.0f};
const ImVec4 kNotice{0.95f, 0.75f, 0.35f, 1.0f};
const ImVec4 kBody{0.90f, 0.91f, 0.94f, 1.0f};

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

// A stable, readable color per nick.
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

// "HH:MM" in local time from a relay timestamp (ms since the Unix epoch).
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

}  // namespace

ChatView::ChatView(client::ChatSession& session, Settings settings)
    : session_(session), settings_(std::move(settings)) {}

void ChatView::connect(client::TimePoint now) {
  client::ConnectParams params;
  params.url = settings_.server;
  params.nick = settings_.nick;
  params.room = settings_.room.empty() ? "lobby" : settings_.room;
  session_.connect(params, now);
}

void ChatView::draw(client::TimePoint now) {
  const auto& conn = session_.model().connection();
  const bool joined = conn.state == ConnectionState::connected && conn.joined;
  if (joined && !was_joined_) focus_input_ = true;  // ready to type right away
  was_joined_ = joined;

  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  constexpr ImGuiWindowFlags kFlags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings |
                                      ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
  ImGui::Begin("hubchat", nullptr, kFlags);
  ImGui::PopStyleVar();

  draw_connect_panel(now);
  draw_status(now);
  ImGui::Separator();

  const float em = ImGui::GetFontSize();
  const float sidebar_width = std::min(13.0f * em, ImGui::GetContentRegionAvail().x * 0.3f);
  ImGui::BeginChild("sidebar", ImVec2(sidebar_width, 0), true);
  draw_sidebar();
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginGroup();
  const float input_height =
      ImGui::GetTextLineHeight() * 3.2f + ImGui::GetStyle().FramePadding.y * 2;
  const float footer =
      input_height + ImGui::GetStyle().ItemSpacing.y * 2 + ImGui::GetTextLineHeightWithSpacing();
  ImGui::BeginChild("log", ImVec2(0, -footer), true);
  draw_log();
  ImGui::EndChild();
  draw_input();
  ImGui::EndGroup();

  ImGui::End();
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
    ImGui::SetNextItemWidth(width);
    return ImGui::InputText(id, value, ImGuiInputTextFlags_EnterReturnsTrue);
  };
  const bool idle = session_.state() == ConnectionState::disconnected;
  const bool enter1 = field("Server", "##server", &settings_.server, 18.0f * em, true);
  const bool enter2 = field("Nick", "##nick", &settings_.nick, 8.0f * em, false);
  const bool enter3 = field("Room", "##room", &settings_.room, 8.0f * em, false);
  if (idle) {
    next(ImGui::CalcTextSize("Connect").x + style.FramePadding.x * 2);
    if (ImGui::Button("Connect") || enter1 || enter2 || enter3) connect(now);
  } else {
    next(ImGui::CalcTextSize("Disconnect").x + style.FramePadding.x * 2);
    if (ImGui::Button("Disconnect")) session_.disconnect();
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
  ImGui::SameLine();
  text_colored(kDim, "|");
  ImGui::SameLine();
  text_wrapped(kBody, model.status_text(now));
}

void ChatView::draw_sidebar() {
  auto& model = session_.model();
  text_colored(kDim, "Rooms");
  for (const auto& [name, room] : model.rooms()) {
    const bool active = name == model.active_room();
    std::string label = name;
    if (room.unread() > 0) label += "  (" + std::to_string(room.unread()) + ")";
    label += "##room-" + name;
    if (ImGui::Selectable(label.c_str(), active) && !active) {
      session_.switch_room(name);
      focus_input_ = true;
    }
  }
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 3.2f);
  const bool enter = ImGui::InputTextWithHint("##join", "room", &join_field_,
                                              ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if ((ImGui::Button("Join") || enter) && !join_field_.empty()) {
    session_.switch_room(join_field_);
    settings_.room = join_field_;
    join_field_.clear();
    focus_input_ = true;
  }

  ImGui::Spacing();
  ImGui::Separator();
  draw_members();
}

void ChatView::draw_members() {
  const auto& model = session_.model();
  const client::Room* room = model.find_room(model.active_room());
  // The relay's count, not the length of what we hold: in a large room the
  // list arrives in pages, and after a burst of presence it is refetched.
  const std::uint64_t count = room != nullptr ? room->member_count() : 0;
  text_colored(kDim, "Members (" + std::to_string(count) + ")");
  if (room == nullptr) return;
  if (session_.legacy()) {
    text_wrapped(kDim, "legacy server: no member list");
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

void ChatView::draw_log() {
  const auto& model = session_.model();
  const client::Room* room = model.find_room(model.active_room());
  if (room == nullptr) {
    text_wrapped(kDim, "Not connected. Enter a server, a nick and a room, then Connect.");
    return;
  }
  const bool room_changed = room->name() != log_room_;
  const bool grew = room_changed || room->version() != log_version_;

  const float em = ImGui::GetFontSize();
  constexpr ImGuiTableFlags kTable =
      ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoSavedSettings;
  if (ImGui::BeginTable("lines", 3, kTable)) {
    ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthFixed, 3.0f * em);
    ImGui::TableSetupColumn("from", ImGuiTableColumnFlags_WidthFixed, 6.5f * em);
    ImGui::TableSetupColumn("body", ImGuiTableColumnFlags_WidthStretch);
    for (const Line& line : room->lines()) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      text_colored(kDim, clock_text(line.ts));
      ImGui::TableSetColumnIndex(1);
      switch (line.kind) {
        case LineKind::message:
          text_colored(nick_color(line.from), line.from.empty() ? "?" : line.from);
          ImGui::TableSetColumnIndex(2);
          text_wrapped(line.replayed ? ImVec4{0.78f, 0.79f, 0.83f, 1.0f} : kBody, line.body);
          break;
        case LineKind::system:
          text_colored(kNotice, "!");
          ImGui::TableSetColumnIndex(2);
          text_wrapped(kNotice, line.body);
          break;
        case LineKind::join:
        case LineKind::leave:
        case LineKind::nick:
          text_colored(kDim, "*");
          ImGui::TableSetColumnIndex(2);
          text_wrapped(kDim, client::describe(line));
          break;
      }
    }
    ImGui::EndTable();
  }

  // Follow new lines only while the view is at the bottom (the seed's
  // home.html: scroll if it was scrolled to the bottom before appending).
  if (room_changed || (grew && follow_log_)) {
    ImGui::SetScrollHereY(1.0f);
    follow_log_ = true;
  } else {
    follow_log_ = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 1.0f;
  }
  log_room_ = room->name();
  log_version_ = room->version();
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

void ChatView::draw_input() {
  const auto& conn = session_.model().connection();
  can_send_ = conn.state == ConnectionState::connected && conn.joined;

  const float em = ImGui::GetFontSize();
  const float height = ImGui::GetTextLineHeight() * 3.2f + ImGui::GetStyle().FramePadding.y * 2;
  if (focus_input_) {
    ImGui::SetKeyboardFocusHere();
    focus_input_ = false;
  }
  ImGui::InputTextMultiline(
      "##input", &draft_, ImVec2(-5.0f * em, height),
      ImGuiInputTextFlags_CallbackCharFilter | ImGuiInputTextFlags_CallbackAlways,
      &ChatView::input_callback, this);
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
  ImGui::EndDisabled();

  // Hint line: IME composition in progress, or how the keys work.
  if (!composition_.empty()) {
    text_colored(kNotice, "Composing: " + composition_);
  } else if (!can_send_) {
    text_colored(kDim, "Not joined: messages cannot be sent yet.");
  } else if (input_active) {
    text_colored(kDim, "Enter: send   Shift+Enter: new line");
  } else {
    text_colored(kDim, "Click the input line to type.");
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
