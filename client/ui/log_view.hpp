// LogView: the message log of the current room, part of ChatView. It shows
// the room's rows (client/model/log_rows: runs of joins and leaves collapsed
// into one line that expands on a click or tap), follows new lines only while
// scrolled to the bottom, scrolls by dragging (a finger on a touch screen, or
// the mouse) with momentum after the release, and while scrolled up shows a
// "Jump to latest (N new)" bar under the log that returns to the bottom.
// What it drew goes into the UiProbe (rect "log", "jump", "msg:SEQ" per
// message row; values log.*, log.last: time, sender and body of the last
// message row as shown, log.shown: "sender: body" of the last rows as shown,
// log.verified: the senders drawn with the verified mark).
// A verified sender (the message carries a uid) gets the verified mark; a
// deleted message shows as "message deleted". A right click or a long press
// on a message row asks for its context menu (take_context()).
// A legacy server names no senders: the user's own lines show as "you", the
// others as "?", each with the time this client received it.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "client/model/chat_model.hpp"
#include "client/ui/moderation_menu.hpp"
#include "client/ui/ui_probe.hpp"

namespace hubchat::ui {

class LogView {
 public:
  // Draws the log of `room` (null: a hint to connect) in a child window the
  // width of the region, down to `footer` pixels above its bottom, and the
  // jump bar while scrolled up. `narrow`: no time column.
  void draw(const client::Room* room, float footer, bool narrow, UiProbe& probe);

  // The message whose context menu was asked for in the last draw, once.
  std::optional<MenuTarget> take_context() { return std::exchange(context_, std::nullopt); }

 private:
  using LineKey = std::tuple<std::uint32_t, Seq, std::uint64_t>;

  void draw_rows(const client::Room& room, bool narrow, UiProbe& probe);
  void draw_line(const client::Line& line, bool narrow);
  // Drag to scroll and the momentum after it; call inside the log's child.
  void touch_scroll();
  // Messages after `seen_` (what was at the bottom when the view left it).
  int unseen(const client::Room& room) const;

  std::string room_;
  std::uint64_t version_ = 0;
  bool follow_ = true;     // at the bottom: new lines scroll into view
  bool jump_ = false;      // the jump bar was pressed: back to the bottom next frame
  LineKey seen_{};         // the last line while following
  bool dragging_ = false;  // a press in the log, not yet released
  float velocity_ = 0;     // scroll speed (px/s) from the drag, decaying after it
  std::set<std::pair<std::uint32_t, std::uint64_t>> expanded_;  // runs shown line by line
  int drawn_ = 0;                          // table rows drawn this frame (a run's header counts)
  std::vector<std::string> last_message_;  // [time, from, body] as last drawn
  std::deque<std::string> shown_;          // "from: body" of the last message rows drawn
  std::vector<std::string> verified_;      // senders drawn with the mark this frame
  std::optional<MenuTarget> context_;
  UiProbe* probe_ = nullptr;  // this frame's, while drawing rows
};

}  // namespace hubchat::ui
