// --reuse-port: the relay's listening socket, made by us with SO_REUSEPORT
// (lws 4.1 has no option for it), so several relays on one host share a
// port and the kernel spreads new connections over them. Accepted sockets
// are handed to lws (lws_adopt_descriptor_vhost), which serves them exactly
// as connections it accepted itself.
#pragma once

#include <memory>
#include <string>

#include "relay/transport/event_loop.hpp"

struct lws_vhost;

namespace hubchat::relay {

class ReusePortListener {
 public:
  // Binds host:port (host empty: every address) with SO_REUSEPORT and
  // listens; ok() says whether that worked.
  ReusePortListener(EventLoop& loop, const std::string& host, int port, bool tls);
  ~ReusePortListener();
  ReusePortListener(const ReusePortListener&) = delete;
  ReusePortListener& operator=(const ReusePortListener&) = delete;

  bool ok() const { return fd_ >= 0; }
  // Where accepted connections go; none are accepted before this is set.
  void serve(lws_vhost* vhost);

 private:
  void accept_all();

  int fd_ = -1;
  bool tls_ = false;
  lws_vhost* vhost_ = nullptr;
  EventLoop& loop_;
  std::unique_ptr<EventLoop::Readable> readable_;
};

}  // namespace hubchat::relay
