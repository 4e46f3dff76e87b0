// PointerQueue implementation (see pointer_queue.hpp).
#include "client/ui/pointer_queue.hpp"

namespace hubchat::ui {

bool PointerQueue::ends_at(float x, float y) const {
  for (auto it = queue_.rbegin(); it != queue_.rend(); ++it) {
    if (it->kind == Kind::leave) return false;
    return it->x == x && it->y == y;
  }
  return state_.present && state_.x == x && state_.y == y;
}

void PointerQueue::push(Kind kind, float x, float y, int button) {
  if ((kind == Kind::down || kind == Kind::up) && (button < 0 || button > 2)) return;
  switch (kind) {
    case Kind::move:
      // Only the latest position of a run of moves matters.
      if (!queue_.empty() && queue_.back().kind == Kind::move) {
        queue_.back().x = x;
        queue_.back().y = y;
        return;
      }
      if (queue_.empty() && state_.present && state_.x == x && state_.y == y) return;
      break;
    case Kind::down:
    case Kind::up:
      // ImGui must see the pointer where it is pressed or released a frame
      // before (the hover of that widget).
      if (!ends_at(x, y)) push(Kind::move, x, y);
      break;
    case Kind::leave:
      if (!queue_.empty() && queue_.back().kind == Kind::leave) return;
      if (queue_.empty() && !state_.present) return;
      break;
  }
  queue_.push_back(Event{kind, x, y, button});
}

const PointerQueue::State& PointerQueue::step() {
  if (queue_.empty()) return state_;
  const Event e = queue_.front();
  queue_.pop_front();
  switch (e.kind) {
    case Kind::move:
      state_.x = e.x;
      state_.y = e.y;
      state_.present = true;
      break;
    case Kind::down:
    case Kind::up:
      state_.x = e.x;
      state_.y = e.y;
      state_.present = true;
      state_.down[static_cast<std::size_t>(e.button)] = e.kind == Kind::down;
      break;
    case Kind::leave:
      state_ = State{};  // not present, nothing held
      break;
  }
  return state_;
}

}  // namespace hubchat::ui
