// The epoll side of one client socket, shared by the load generator's
// workers and the storm driver's pool: the non-blocking connect watched to its
// end, then bytes to the socket now or waiting in the client's SendBuffer,
// with EPOLLOUT registered exactly while some wait (a level-triggered EPOLLOUT
// left on would wake the loop for nothing). A client is any type with `fd`
// (UniqueFd), `out` (SendBuffer), `epollout` and `closing`; `tag` is its epoll
// data (how the loop finds it again).
#pragma once

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cstdint>
#include <string_view>

#include "tests/bench/loadgen/send_buffer.hpp"

namespace hubchat::bench {

// Registers a socket whose non-blocking connect() is under way: its end
// shows as writable, so EPOLLOUT is on from the start. False: not registered.
template <class Client>
bool watch_connecting(int epoll_fd, Client& c, std::uint32_t tag) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u32 = tag;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c.fd.get(), &ev) != 0) return false;
  c.epollout = true;
  return true;
}

// Whether the connect() under way on `fd`, now writable, succeeded.
inline bool connect_succeeded(int fd) {
  int error = 0;
  socklen_t len = sizeof error;
  return getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
}

template <class Client>
void set_epollout(int epoll_fd, Client& c, std::uint32_t tag, bool on) {
  if (c.epollout == on || !c.fd.valid()) return;
  epoll_event ev{};
  ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
  ev.data.u32 = tag;
  epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd.get(), &ev);
  c.epollout = on;
}

// After a send or a flush: a broken socket marks the client closing (its
// owner drops it after the current event); bytes left waiting ask for EPOLLOUT.
template <class Client>
void after_send(int epoll_fd, Client& c, std::uint32_t tag, SendBuffer::Result result) {
  if (result == SendBuffer::Result::failed) c.closing = true;
  set_epollout(epoll_fd, c, tag, result == SendBuffer::Result::pending);
}

// Sends `bytes` after whatever waits.
template <class Client>
void send_bytes(int epoll_fd, Client& c, std::uint32_t tag, std::string_view bytes) {
  after_send(epoll_fd, c, tag, c.out.send(c.fd.get(), bytes));
}

// Sends what waits (the socket became writable).
template <class Client>
void flush_bytes(int epoll_fd, Client& c, std::uint32_t tag) {
  after_send(epoll_fd, c, tag, c.out.flush(c.fd.get()));
}

}  // namespace hubchat::bench
