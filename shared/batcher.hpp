// Bounded, lossless coalescing: packs already-encoded events into one frame of
// at most `frame_limit` bytes, joined by '\n'. An event is never split. An
// event larger than the limit is accepted only into an empty frame, where it
// goes out alone (so nothing is ever dropped, and the only frames over the
// limit are single oversize events).
//
// The buffer keeps `headroom` spare bytes before the frame so a transport that
// needs room in front (lws_write wants LWS_PRE) can write without a copy. It is
// reused across frames: no allocation once it has grown to the largest frame.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace hubchat {

class FrameBatcher {
 public:
  FrameBatcher(std::size_t frame_limit, std::size_t headroom = 0);

  void clear();
  // Appends `event` if it fits; the first event of a frame always fits.
  bool add(std::string_view event);
  // Would `event` be accepted by add() now?
  bool fits(std::string_view event) const;

  bool empty() const { return events_ == 0; }
  std::size_t events() const { return events_; }
  std::size_t frame_limit() const { return frame_limit_; }
  std::string_view frame() const { return {buffer_.data() + headroom_, size_}; }
  // The frame's first byte; `headroom` writable bytes precede it.
  char* frame_data() { return buffer_.data() + headroom_; }

 private:
  std::size_t frame_limit_;
  std::size_t headroom_;
  std::vector<char> buffer_;
  std::size_t size_ = 0;
  std::size_t events_ = 0;
};

}  // namespace hubchat
