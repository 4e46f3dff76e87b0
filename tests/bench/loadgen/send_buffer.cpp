#include "tests/bench/loadgen/send_buffer.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace hubchat::bench {
namespace {

bool would_block() {
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

}  // namespace

SendBuffer::Result SendBuffer::send(int fd, std::string_view bytes) {
  if (!empty()) {
    out_.append(bytes);
    return Result::pending;
  }
  ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n < 0) {
    if (!would_block()) return Result::failed;
    n = 0;
  }
  if (static_cast<std::size_t>(n) == bytes.size()) return Result::done;
  out_.assign(bytes.substr(static_cast<std::size_t>(n)));
  sent_ = 0;
  return Result::pending;
}

SendBuffer::Result SendBuffer::flush(int fd) {
  while (!empty()) {
    const ssize_t n =
        ::send(fd, out_.data() + sent_, out_.size() - sent_, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) return would_block() ? Result::pending : Result::failed;
    sent_ += static_cast<std::size_t>(n);
  }
  clear();
  return Result::done;
}

void SendBuffer::clear() {
  out_.clear();
  sent_ = 0;
}

}  // namespace hubchat::bench
