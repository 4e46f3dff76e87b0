#include "relay/transport/reuse_port_listener.hpp"

#include <libwebsockets.h>

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace hubchat::relay {

ReusePortListener::ReusePortListener(EventLoop& loop, const std::string& host, int port, bool tls)
    : tls_(tls), loop_(loop) {
  addrinfo hints{};
  hints.ai_family = host.empty() ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found) != 0)
    return;
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, &freeaddrinfo);
  for (const addrinfo* a = addresses.get(); a && fd_ < 0; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    const int on = 1, off = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    if (a->ai_family == AF_INET6 && host.empty())
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);  // IPv4 too
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
      fd_ = fd;
    else
      close(fd);
  }
}

ReusePortListener::~ReusePortListener() {
  readable_.reset();
  if (fd_ >= 0) close(fd_);
}

void ReusePortListener::serve(lws_vhost* vhost) {
  vhost_ = vhost;
  if (fd_ >= 0 && vhost_)
    readable_ = std::make_unique<EventLoop::Readable>(loop_, fd_, [this] { accept_all(); });
}

void ReusePortListener::accept_all() {
  for (;;) {
    const int fd = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: all taken; anything else: try at the next wake-up
    lws_sock_file_fd_type descriptor;
    descriptor.sockfd = fd;
    const int type = LWS_ADOPT_SOCKET | LWS_ADOPT_HTTP | (tls_ ? LWS_ADOPT_ALLOW_SSL : 0);
    // On failure lws has closed the socket itself.
    lws_adopt_descriptor_vhost(vhost_, static_cast<lws_adoption_type>(type), descriptor, nullptr,
                               nullptr);
  }
}

}  // namespace hubchat::relay
