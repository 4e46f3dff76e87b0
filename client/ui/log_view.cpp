// LogView implementation (see log_view.hpp).
#include "client/ui/log_view.hpp"

#include <imgui.h>

#include <cmath>
#include <vector>

#include "client/model/log_rows.hpp"
#include "client/ui/draw_text.hpp"

namespace hubchat::ui {
namespace {

using client::Line;
using client::LineKind;

auto key_of(const Line& line) {
  return std::make_tuple(line.generation, line.seq, line.order);
}

// Momentum: the speed halves about every 0.17 s and stops below this.
constexpr float kDecayPerSecond = 4.0f;
constexpr float kMinSpeed = 30.0f;  // px/s

}  // namespace

void LogView::draw(const client::Room* room, float footer, bool narrow, UiProbe& probe) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float jump_height = ImGui::GetFrameHeight() + style.ItemSpacing.y;
  const bool show_jump = room != nullptr && !follow_;
  ImGui::BeginChild("log", ImVec2(0, -(footer + (show_jump ? jump_height : 0.0f))), true);
  if (room == nullptr) {
    text_wrapped(kDim, "Not connected. Enter a server, a nick and a room, then Connect.");
    room_.clear();
    follow_ = true;
  } else {
    touch_scroll();
    draw_rows(*room, narrow, probe);
  }
  probe.number("log.scroll_y", ImGui::GetScrollY());
  probe.number("log.scroll_max", ImGui::GetScrollMaxY());
  ImGui::EndChild();
  probe.last_item("log");
  probe.flag("log.at_bottom", follow_);
  probe.flag("log.scrolling", dragging_ || velocity_ != 0.0f);
  probe.flag("log.jump", show_jump);

  if (show_jump) {
    const int fresh = unseen(*room);
    const std::string label = fresh > 0 ? "Jump to latest (" + std::to_string(fresh) + " new)"
                                        : std::string("Jump to latest");
    if (ImGui::Button((label + "##jump").c_str(), ImVec2(-1.0f, 0))) jump_ = true;
    probe.last_item("jump");
    probe.number("log.new", fresh);
  }
}

void LogView::touch_scroll() {
  ImGuiIO& io = ImGui::GetIO();
  // A press on the log itself (not on its scrollbar) starts a drag; an active
  // input line elsewhere must not hide the log's hover from us.
  const float content_right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::IsMouseClicked(0) &&
      ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
      io.MousePos.x < content_right) {
    dragging_ = true;
    velocity_ = 0;
  }
  const float dt = io.DeltaTime > 0 ? io.DeltaTime : 1.0f / 60.0f;
  if (dragging_) {
    if (!io.MouseDown[0]) {
      dragging_ = false;  // let go: keep the speed it had, if any
      if (std::fabs(velocity_) < kMinSpeed * 4) velocity_ = 0;
      return;
    }
    const float dy = io.MouseDelta.y;
    if (dy != 0) ImGui::SetScrollY(ImGui::GetScrollY() - dy);
    // Smoothed: one merged move per frame gives a noisy per-frame speed.
    velocity_ = 0.6f * (-dy / dt) + 0.4f * velocity_;
    return;
  }
  if (velocity_ == 0) return;
  const float y = ImGui::GetScrollY() + velocity_ * dt;
  ImGui::SetScrollY(y);
  velocity_ *= std::exp(-kDecayPerSecond * dt);
  if (std::fabs(velocity_) < kMinSpeed || y <= 0 || y >= ImGui::GetScrollMaxY()) velocity_ = 0;
}

int LogView::unseen(const client::Room& room) const {
  int n = 0;
  const auto& lines = room.lines();
  for (auto it = lines.rbegin(); it != lines.rend() && key_of(*it) > seen_; ++it) {
    if (it->kind == LineKind::message) ++n;
  }
  return n;
}

void LogView::draw_line(const Line& line, bool narrow) {
  ImGui::TableNextRow();
  ++drawn_;
  int column = 0;
  const std::string time = clock_text(line.ts);
  if (!narrow) {
    ImGui::TableSetColumnIndex(column++);
    text_colored(kDim, time);
  }
  ImGui::TableSetColumnIndex(column++);
  switch (line.kind) {
    case LineKind::message: {
      const float y0 = ImGui::GetCursorScreenPos().y;
      const std::string from = !line.from.empty() ? line.from : line.own ? "you" : "?";
      text_colored(nick_color(from), from);
      if (!line.uid.empty()) {
        ImGui::SameLine(0, ImGui::GetFontSize() * 0.2f);
        verified_mark();
        verified_.push_back(from);
      }
      ImGui::TableSetColumnIndex(column);
      const std::string body = client::describe(line);
      if (line.deleted) {
        text_wrapped(kDim, body);  // dim: the body is gone
      } else {
        text_wrapped(line.replayed ? kReplayed : kBody, body);
      }
      last_message_ = {narrow ? std::string{} : time, from, body};
      constexpr std::size_t kShown = 20;
      shown_.push_back(from + ": " + body);
      if (shown_.size() > kShown) shown_.pop_front();
      // The whole row, across the columns: what a right click or long press hits.
      const ImVec2 min(ImGui::GetWindowPos().x, y0);
      const ImVec2 max(ImGui::GetWindowPos().x + ImGui::GetWindowWidth(),
                       ImGui::GetItemRectMax().y);
      if (probe_ != nullptr && line.seq != 0 && !line.from.empty())
        probe_->rect("msg:" + std::to_string(line.seq), {min.x, min.y, max.x, max.y});
      if (!line.from.empty() && line.seq != 0 && context_requested(min, max)) {
        const ImGuiIO& io = ImGui::GetIO();
        const ImVec2 at =
            ImGui::IsMouseReleased(ImGuiMouseButton_Right) ? io.MousePos : io.MouseClickedPos[0];
        context_ = MenuTarget{line.seq, line.from, line.uid, at};
      }
      break;
    }
    case LineKind::system:
      text_colored(kNotice, "!");
      ImGui::TableSetColumnIndex(column);
      text_wrapped(kNotice, line.body);
      break;
    case LineKind::join:
    case LineKind::leave:
    case LineKind::nick:
      text_colored(kDim, "*");
      ImGui::TableSetColumnIndex(column);
      text_wrapped(kDim, client::describe(line));
      break;
  }
}

void LogView::draw_rows(const client::Room& room, bool narrow, UiProbe& probe) {
  const bool room_changed = room.name() != room_;
  if (room_changed) expanded_.clear();
  const bool grew = room_changed || room.version() != version_;
  const auto& lines = room.lines();
  const std::vector<client::LogRow> rows = client::group_log(lines);

  const float em = ImGui::GetFontSize();
  const ImGuiIO& io = ImGui::GetIO();
  const float tap_slop = em * 0.6f;  // a press that moved further is a drag, not a tap
  std::vector<std::string> collapsed;
  int runs = 0;
  drawn_ = 0;
  last_message_.clear();
  shown_.clear();
  verified_.clear();
  probe_ = &probe;
  constexpr ImGuiTableFlags kTable =
      ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoSavedSettings;
  if (ImGui::BeginTable(narrow ? "lines-narrow" : "lines", narrow ? 2 : 3, kTable)) {
    if (!narrow) ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthFixed, 3.0f * em);
    ImGui::TableSetupColumn("from", ImGuiTableColumnFlags_WidthFixed, (narrow ? 5.0f : 6.5f) * em);
    ImGui::TableSetupColumn("body", ImGuiTableColumnFlags_WidthStretch);
    for (const client::LogRow& row : rows) {
      if (!row.presence_run) {
        draw_line(lines[row.first], narrow);
        continue;
      }
      // A run of joins and leaves: one line, or all of them under a header.
      const auto id = std::make_pair(row.generation, row.order);
      const bool open = expanded_.contains(id);
      const Line& last = lines[row.first + row.count - 1];
      ImGui::TableNextRow();
      ++drawn_;
      int column = 0;
      if (!narrow) {
        ImGui::TableSetColumnIndex(column++);
        text_colored(kDim, clock_text(last.ts));
      }
      ImGui::TableSetColumnIndex(column++);
      text_colored(kDim, open ? "-" : "+");
      ImGui::TableSetColumnIndex(column);
      const std::string summary = client::summarize_presence(lines, row.first, row.count);
      const std::string label =
          (open ? "hide " + std::to_string(row.count) + " joins and leaves" : summary) + "##run-" +
          std::to_string(row.generation) + "-" + std::to_string(row.order);
      ImGui::PushStyleColor(ImGuiCol_Text, kDim);
      const bool clicked = ImGui::Selectable(label.c_str(), false);
      ImGui::PopStyleColor();
      probe.last_item("run:" + std::to_string(runs++));  // collapsed or open
      if (!open) collapsed.push_back(summary);
      if (clicked && io.MouseDragMaxDistanceSqr[0] <= tap_slop * tap_slop) {
        if (open) {
          expanded_.erase(id);
        } else {
          expanded_.insert(id);
        }
      }
      if (open) {
        for (std::size_t i = row.first; i < row.first + row.count; ++i) draw_line(lines[i], narrow);
      }
    }
    ImGui::EndTable();
  }
  probe.number("log.rows", static_cast<double>(rows.size()));
  probe.number("log.lines", static_cast<double>(lines.size()));
  probe.number("log.drawn", drawn_);
  probe.texts("log.collapsed", collapsed);
  probe.texts("log.last", last_message_);
  probe.texts("log.shown", std::vector<std::string>(shown_.begin(), shown_.end()));
  probe.texts("log.verified", verified_);
  probe_ = nullptr;

  // Follow new lines only while the view is at the bottom (the seed's
  // home.html: scroll if it was scrolled to the bottom before appending), and
  // never while a finger moves the log.
  const bool moving = dragging_ || velocity_ != 0.0f;
  if (room_changed || jump_ || (grew && follow_ && !moving)) {
    ImGui::SetScrollHereY(1.0f);
    follow_ = true;
    jump_ = false;
    velocity_ = 0;
  } else {
    follow_ = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 1.0f;
  }
  if (follow_ && !lines.empty()) seen_ = key_of(lines.back());
  room_ = room.name();
  version_ = room.version();
}

}  // namespace hubchat::ui
