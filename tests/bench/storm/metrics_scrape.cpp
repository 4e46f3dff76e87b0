// /metrics over a plain socket (see metrics_scrape.hpp).
#include "tests/bench/storm/metrics_scrape.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>

#include "tests/bench/loadgen/clock.hpp"
#include "tests/bench/loadgen/unique_fd.hpp"

namespace hubchat::bench {
namespace {

// Waits for `events` on fd until the deadline; false on timeout or error.
bool wait_for(int fd, short events, std::int64_t deadline) {
  for (;;) {
    const std::int64_t left = deadline - now_ns();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, static_cast<int>(left / 1'000'000) + 1);
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

}  // namespace

std::optional<std::string> http_get(const std::string& host, int port, std::string_view path,
                                    double timeout_s) {
  const std::int64_t deadline = now_ns() + seconds_to_ns(timeout_s);
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return std::nullopt;
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS)
    return std::nullopt;
  if (!wait_for(fd.get(), POLLOUT, deadline)) return std::nullopt;
  int error = 0;
  socklen_t len = sizeof error;
  if (getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0)
    return std::nullopt;
  std::string request = "GET ";
  request.append(path).append(" HTTP/1.0\r\nHost: ").append(host).append("\r\n\r\n");
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(fd.get(), POLLOUT, deadline)) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  // HTTP/1.0: the server closes the connection after the body.
  std::string response;
  char buf[16 * 1024];
  for (;;) {
    const ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
    if (n > 0) {
      response.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!wait_for(fd.get(), POLLIN, deadline)) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  const std::size_t head_end = response.find("\r\n\r\n");
  const bool ok = response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200");
  if (head_end == std::string::npos || !ok) return std::nullopt;
  return response.substr(head_end + 4);
}

std::optional<double> metric_value(std::string_view text, std::string_view name) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.size() <= name.size() || line.substr(0, name.size()) != name ||
        line[name.size()] != ' ')
      continue;
    const std::string value(line.substr(name.size() + 1));
    char* parsed_end = nullptr;
    const double v = std::strtod(value.c_str(), &parsed_end);
    if (parsed_end == value.c_str()) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

}  // namespace hubchat::bench
