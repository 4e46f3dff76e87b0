#include "shared/batcher.hpp"

#include <cstring>

namespace hubchat {

FrameBatcher::FrameBatcher(std::size_t frame_limit, std::size_t headroom)
    : frame_limit_(frame_limit), headroom_(headroom), buffer_(headroom + frame_limit) {}

void FrameBatcher::clear() {
  size_ = 0;
  events_ = 0;
}

bool FrameBatcher::fits(std::string_view event) const {
  return events_ == 0 || size_ + 1 + event.size() <= frame_limit_;
}

bool FrameBatcher::add(std::string_view event) {
  if (!fits(event)) return false;
  std::size_t needed = headroom_ + size_ + (events_ ? 1 : 0) + event.size();
  if (needed > buffer_.size()) buffer_.resize(needed);  // only for an oversize event
  char* out = buffer_.data() + headroom_ + size_;
  if (events_) *out++ = '\n';
  std::memcpy(out, event.data(), event.size());
  size_ = needed - headroom_;
  ++events_;
  return true;
}

}  // namespace hubchat
