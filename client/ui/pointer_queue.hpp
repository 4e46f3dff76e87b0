// PointerQueue: the browser client's pointer input, fed to ImGui one change
// per frame. A touch tap delivers its down and up (and the mouse events the
// browser makes from it) within one frame, before ImGui 1.86 has seen the
// pointer over anything: ImGui then misses the press, or the hover it needs
// first. The page forwards every pointer event at once (web/hubchat.js ->
// hubchat_pointer), this queue keeps them, and each frame hands ImGui the
// next one only: a press is preceded by a move to where it happens (the
// hover), and down, up and leave each get a frame of their own; consecutive
// moves are merged (only the latest position matters). This is what ImGui
// 1.87's input queue does. No ImGui in here: unit-tested natively.
#pragma once

#include <array>
#include <cstddef>
#include <deque>

namespace hubchat::ui {

class PointerQueue {
 public:
  enum class Kind { move, down, up, leave };

  // What ImGui should see this frame: the pointer's position (canvas
  // pixels) when `present`, and which buttons (0 left, 1 right, 2 middle) are held.
  struct State {
    float x = 0, y = 0;
    bool present = false;
    std::array<bool, 3> down{};
    bool operator==(const State&) const = default;
  };

  // Queues one event. `button` matters for down/up only (0..2; others are
  // ignored). `leave`: the pointer is gone (a finger lifted): no hover.
  void push(Kind kind, float x, float y, int button = 0);

  // Applies the next queued event, if any, and returns the state for this frame.
  const State& step();

  const State& state() const { return state_; }
  std::size_t pending() const { return queue_.size(); }

 private:
  struct Event {
    Kind kind;
    float x, y;
    int button;
  };
  // Where the pointer will be once everything queued is applied.
  bool ends_at(float x, float y) const;

  std::deque<Event> queue_;
  State state_;
};

}  // namespace hubchat::ui
