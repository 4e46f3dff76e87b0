// The test WebSocket client: handshake, masked frame writer, frame parser with
// fragment reassembly, ping/pong and close handling. See ws_test_client.hpp.
#include "tests/support/ws_test_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>

#include "tests/support/http_text.hpp"

namespace hubchat::test {
namespace {

// Milliseconds left until `deadline`, clamped to [0, INT_MAX] for poll().
int remaining_ms(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return 0;
  if (left.count() > 1'000'000'000) return 1'000'000'000;
  // Round up so a poll never returns a hair before the deadline and spins.
  return static_cast<int>(left.count()) + 1;
}

// Minimal SHA-1 (FIPS 180-1), only to check Sec-WebSocket-Accept.
std::array<std::uint8_t, 20> sha1(std::string_view input) {
  std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  std::string msg(input);
  const std::uint64_t bit_len = static_cast<std::uint64_t>(input.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back('\0');
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<char>((bit_len >> (i * 8)) & 0xFF));
  auto rol = [](std::uint32_t v, int n) { return (v << n) | (v >> (32 - n)); };
  for (std::size_t off = 0; off < msg.size(); off += 64) {
    std::uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(msg.data() + off + i * 4);
      w[i] = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
             (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
    }
    for (int i = 16; i < 80; ++i) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      std::uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d), k = 0x5A827999u;
      } else if (i < 40) {
        f = b ^ c ^ d, k = 0x6ED9EBA1u;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDCu;
      } else {
        f = b ^ c ^ d, k = 0xCA62C1D6u;
      }
      std::uint32_t t = rol(a, 5) + f + e + k + w[i];
      e = d, d = c, c = rol(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  std::array<std::uint8_t, 20> out{};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j) out[i * 4 + j] = static_cast<std::uint8_t>(h[i] >> (24 - 8 * j));
  return out;
}

std::string base64(const std::uint8_t* data, std::size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < n; i += 3) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (i + 1 < n) v |= std::uint32_t{data[i + 1]} << 8;
    if (i + 2 < n) v |= data[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back(i + 2 < n ? kAlphabet[v & 63] : '=');
  }
  return out;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

int UniqueFd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

UniqueFd connect_tcp(std::uint16_t port, int rcvbuf, int max_segment,
                     const std::string& source_address) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return {};
  if (rcvbuf > 0) ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (max_segment > 0)
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_MAXSEG, &max_segment, sizeof max_segment);
  // Small test frames should leave at once rather than wait for Nagle.
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!source_address.empty()) {
    sockaddr_in source{};
    source.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source_address.c_str(), &source.sin_addr) != 1 ||
        ::bind(fd.get(), reinterpret_cast<sockaddr*>(&source), sizeof source) != 0)
      return {};
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return {};
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
  return fd;
}

bool write_all(int fd, std::string_view data, Deadline deadline) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      int r = ::poll(&p, 1, remaining_ms(deadline));
      if (r == 0) return false;  // deadline passed
      if (r < 0 && errno != EINTR) return false;
      continue;
    }
    return false;
  }
  return true;
}

std::string websocket_accept(std::string_view key) {
  auto digest = sha1(std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  return base64(digest.data(), digest.size());
}

std::string Received::describe() const {
  switch (kind) {
    case Kind::text:
      return "text message (" + std::to_string(data.size()) + " bytes): " + data.substr(0, 200);
    case Kind::binary:
      return "binary message (" + std::to_string(data.size()) + " bytes)";
    case Kind::close:
      return "close " + std::to_string(close_code) + " \"" + close_reason + "\"";
    case Kind::eof:
      return "EOF (TCP closed without a close frame)";
    case Kind::timeout:
      return "timeout";
    case Kind::error:
      return "error: " + error;
  }
  return "?";
}

HandshakeResult WsClient::connect(std::uint16_t port, const ConnectOptions& options) {
  HandshakeResult result;
  const Deadline deadline = deadline_in(options.timeout);
  *this = WsClient();
  fd_ = connect_tcp(port, options.rcvbuf, options.max_segment, options.source_address);
  if (!fd_.valid()) return result;
  result.tcp_connected = true;

  std::random_device rd;
  std::uint8_t nonce[16];
  for (auto& b : nonce) b = static_cast<std::uint8_t>(rd());
  mask_state_ = rd() | 1u;
  const std::string key = base64(nonce, sizeof nonce);

  std::string request = "GET " + options.path +
                        " HTTP/1.1\r\n"
                        "Host: 127.0.0.1:" +
                        std::to_string(port) +
                        "\r\n"
                        "Upgrade: websocket\r\n"
                        "Connection: Upgrade\r\n"
                        "Sec-WebSocket-Key: " +
                        key +
                        "\r\n"
                        "Sec-WebSocket-Version: 13\r\n";
  if (options.subprotocol) request += "Sec-WebSocket-Protocol: " + *options.subprotocol + "\r\n";
  if (options.origin) request += "Origin: " + *options.origin + "\r\n";
  for (const std::string& header : options.extra_headers) request += header + "\r\n";
  request += "\r\n";
  if (!write_all(fd_.get(), request, deadline)) return result;

  // Read the response head; whatever follows it already belongs to frames.
  std::size_t head_end;
  while ((head_end = rx_.find("\r\n\r\n")) == std::string::npos) {
    std::string error;
    if (fill(deadline, error) != Fill::data) {
      result.response_head = rx_;
      fd_.reset();
      return result;
    }
  }
  const std::string head = rx_.substr(0, head_end);
  rx_.erase(0, head_end + 4);
  result.response_head = head;

  std::size_t line_end = head.find("\r\n");
  std::string_view status_line = std::string_view(head).substr(0, line_end);
  if (status_line.size() >= 12 && status_line.substr(0, 5) == "HTTP/") {
    result.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  }
  std::string accept;
  while (line_end != std::string::npos) {
    std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    std::string_view line = std::string_view(head).substr(
        start, line_end == std::string::npos ? std::string::npos : line_end - start);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = lower(trim(line.substr(0, colon)));
    const std::string_view value = trim(line.substr(colon + 1));
    if (name == "sec-websocket-accept") accept = value;
    if (name == "sec-websocket-protocol") result.subprotocol = value;
  }
  result.accept_ok = accept == websocket_accept(key);
  if (!result.upgraded()) fd_.reset();
  return result;
}

bool WsClient::send_frame(Opcode opcode, std::string_view payload, bool fin) {
  if (!fd_.valid()) return false;
  std::string frame;
  frame.reserve(payload.size() + 14);
  frame.push_back(static_cast<char>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(opcode)));
  const std::uint64_t n = payload.size();
  if (n < 126) {
    frame.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(n >> 8));
    frame.push_back(static_cast<char>(n & 0xFF));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) frame.push_back(static_cast<char>((n >> (i * 8)) & 0xFF));
  }
  // xorshift: masks only need to be unpredictable-looking, not secure, here.
  mask_state_ ^= mask_state_ << 13;
  mask_state_ ^= mask_state_ >> 17;
  mask_state_ ^= mask_state_ << 5;
  char mask[4];
  for (int i = 0; i < 4; ++i) mask[i] = static_cast<char>((mask_state_ >> (i * 8)) & 0xFF);
  frame.append(mask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) frame.push_back(payload[i] ^ mask[i % 4]);
  return write_all(fd_.get(), frame, deadline_in(std::chrono::seconds(10)));
}

bool WsClient::send_fragmented_text(const std::vector<std::string>& parts) {
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Opcode op = i == 0 ? Opcode::text : Opcode::continuation;
    if (!send_frame(op, parts[i], i + 1 == parts.size())) return false;
  }
  return true;
}

bool WsClient::send_close(int code, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>((code >> 8) & 0xFF));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  close_sent_ = true;
  return send_frame(Opcode::close, payload, true);
}

WsClient::Fill WsClient::fill(Deadline deadline, std::string& error) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n > 0) {
      rx_.append(buf, static_cast<std::size_t>(n));
      bytes_received_ += static_cast<std::size_t>(n);
      return Fill::data;
    }
    if (n == 0) return Fill::eof;
    if (errno == EINTR) continue;
    if (errno == ECONNRESET) return Fill::eof;  // the peer is gone either way
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      error = std::string("recv: ") + std::strerror(errno);
      return Fill::error;
    }
    pollfd p{fd_.get(), POLLIN, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r == 0) return Fill::timeout;
    if (r < 0 && errno != EINTR) {
      error = std::string("poll: ") + std::strerror(errno);
      return Fill::error;
    }
  }
}

bool WsClient::parse_frame(Frame& frame, std::string& error) {
  // A bound far above anything the relay sends: only an absurd length fails.
  constexpr std::size_t kMaxPayload = std::size_t{256} << 20;
  const ParsedFrame parsed = parse_server_frame(rx_, kMaxPayload);
  if (parsed.status == ParseStatus::error) error = parsed.error;
  if (parsed.status != ParseStatus::frame) return false;
  frame.fin = parsed.fin;
  frame.opcode = parsed.opcode;
  frame.payload = std::string{parsed.payload};
  rx_.erase(0, parsed.consumed);
  return true;
}

HandshakeResult handshake(std::uint16_t port, std::optional<std::string> origin,
                          std::optional<std::string> subprotocol) {
  WsClient ws;
  ConnectOptions o;
  o.origin = std::move(origin);
  o.subprotocol = std::move(subprotocol);
  return ws.connect(port, o);
}

Received WsClient::receive(Deadline deadline) {
  Received out;
  if (!fd_.valid()) {
    out.kind = Received::Kind::error;
    out.error = "not connected";
    return out;
  }
  for (;;) {
    Frame frame;
    std::string error;
    while (!parse_frame(frame, error)) {
      if (!error.empty()) {
        out.kind = Received::Kind::error;
        out.error = error;
        return out;
      }
      switch (fill(deadline, error)) {
        case Fill::data:
          continue;
        case Fill::eof:
          out.kind = Received::Kind::eof;
          fd_.reset();
          return out;
        case Fill::timeout:
          out.kind = Received::Kind::timeout;
          return out;
        case Fill::error:
          out.kind = Received::Kind::error;
          out.error = error;
          return out;
      }
    }
    switch (frame.opcode) {
      case Opcode::ping:
        ++pings_received_;
        if (auto_pong_) send_frame(Opcode::pong, frame.payload, true);
        continue;
      case Opcode::pong:
        ++pongs_received_;
        continue;
      case Opcode::close: {
        out.kind = Received::Kind::close;
        out.close_code = 1005;  // RFC 6455 7.1.5: no status code present
        if (frame.payload.size() >= 2) {
          const auto* q = reinterpret_cast<const unsigned char*>(frame.payload.data());
          out.close_code = (q[0] << 8) | q[1];
          out.close_reason = frame.payload.substr(2);
        }
        if (!close_sent_) {
          // Echo the code back, as RFC 6455 5.5.1 asks, so the relay can
          // finish its closing handshake instead of timing out.
          std::string echo = frame.payload.substr(0, 2);
          close_sent_ = true;
          send_frame(Opcode::close, echo, true);
        }
        return out;
      }
      case Opcode::text:
      case Opcode::binary:
        if (partial_opcode_) {
          out.kind = Received::Kind::error;
          out.error = "new data frame while a fragmented message is open";
          return out;
        }
        if (frame.fin) {
          out.kind = frame.opcode == Opcode::text ? Received::Kind::text : Received::Kind::binary;
          out.fragments = {frame.payload.size()};
          out.data = std::move(frame.payload);
          return out;
        }
        partial_opcode_ = frame.opcode;
        partial_ = std::move(frame.payload);
        partial_fragments_ = {partial_.size()};
        continue;
      case Opcode::continuation:
        if (!partial_opcode_) {
          out.kind = Received::Kind::error;
          out.error = "continuation frame without a message to continue";
          return out;
        }
        partial_ += frame.payload;
        partial_fragments_.push_back(frame.payload.size());
        if (!frame.fin) continue;
        out.kind = *partial_opcode_ == Opcode::text ? Received::Kind::text : Received::Kind::binary;
        out.data = std::move(partial_);
        out.fragments = std::move(partial_fragments_);
        partial_opcode_.reset();
        partial_.clear();
        partial_fragments_.clear();
        return out;
      default:
        out.kind = Received::Kind::error;
        out.error = "unknown opcode " + std::to_string(static_cast<int>(frame.opcode));
        return out;
    }
  }
}

Received WsClient::wait_closed(Deadline deadline, std::size_t* data_messages) {
  for (;;) {
    Received r = receive(deadline);
    if (!r.is_data()) return r;
    if (data_messages) ++*data_messages;
  }
}

}  // namespace hubchat::test
