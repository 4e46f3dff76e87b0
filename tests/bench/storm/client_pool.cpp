// The storm driver's connection loop (see client_pool.hpp).
#include "tests/bench/storm/client_pool.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "shared/lossless_codec.hpp"
#include "tests/bench/loadgen/clock.hpp"
#include "tests/bench/loadgen/epoll_write.hpp"
#include "tests/bench/loadgen/ws_client_frame.hpp"

namespace hubchat::bench {
namespace {

constexpr std::size_t kReadBuffer = 512 * 1024;
constexpr std::size_t kMaxHandshakeBytes = 16 * 1024;
constexpr int kLoopWaitMs = 5;  // step() runs at least this often
constexpr std::int64_t kExpiryCheckNs = 100'000'000;

}  // namespace

std::uint64_t PoolStats::closes_total() const {
  std::uint64_t n = 0;
  for (const auto& [code, count] : closes) n += count;
  return n;
}

struct ClientPool::Sink {
  ClientPool& pool;
  StormClient& client;
  void on_message(std::string_view payload) { pool.on_frame(client, payload); }
  void on_ping(std::string_view payload) {
    ++pool.stats_.pings;
    std::string pong;
    append_client_frame(pong, WsOpcode::pong, payload, pool.next_mask());
    pool.queue(client, pong);
  }
  void on_close(std::uint16_t code) {
    ++pool.stats_.closes[code];
    client.last_close = code;
    client.close_seen = true;
    client.closing = true;
  }
};

ClientPool::ClientPool(PoolConfig config, PoolObserver& observer)
    : config_(std::move(config)),
      observer_(observer),
      epoll_(epoll_create1(EPOLL_CLOEXEC)),
      read_buf_(kReadBuffer),
      random_(std::random_device{}()),
      mask_state_(random_() | 1) {
  upgrade_ = upgrade_request(config_.host + ":" + std::to_string(config_.port), config_.path,
                             lossless::kSubprotocol);
}

std::uint32_t ClientPool::next_mask() {
  mask_state_ ^= mask_state_ << 13;
  mask_state_ ^= mask_state_ >> 7;
  mask_state_ ^= mask_state_ << 17;
  return static_cast<std::uint32_t>(mask_state_);
}

StormClient& ClientPool::add(std::string room, std::string nick) {
  StormClient& c = clients_.emplace_back();
  c.index = static_cast<std::uint32_t>(clients_.size() - 1);
  c.room = std::move(room);
  c.nick = std::move(nick);
  return c;
}

void ClientPool::connect(StormClient& c, std::int64_t at_ns) {
  if (c.open() || c.phase == Phase::waiting) return;
  c.phase = Phase::waiting;
  c.due_ns = at_ns;
  due_.emplace(at_ns, c.index);
}

void ClientPool::drop(StormClient& c) {
  if (c.in_handshake()) --handshakes_;
  c.reconnect = false;
  reset_wire(c);
}

void ClientPool::reset_wire(StormClient& c) {
  c.fd.reset();  // also leaves the epoll set
  c.epollout = false;
  c.close_seen = false;
  c.closing = false;
  c.out.clear();
  std::string().swap(c.handshake);
  c.rx = WsReceiver{};
  c.phase = Phase::gone;
}

bool ClientPool::run_until(std::int64_t deadline_ns,
                           const std::function<bool(std::int64_t)>& step) {
  epoll_event events[256];
  for (;;) {
    const std::int64_t now = now_ns();
    if (step(now)) return true;
    if (now >= deadline_ns || !epoll_.valid()) return false;
    open_due(now);
    if (now >= next_expiry_check_ns_) {
      expire_handshakes(now);
      next_expiry_check_ns_ = now + kExpiryCheckNs;
    }
    const int n = epoll_wait(epoll_.get(), events, 256, kLoopWaitMs);
    if (n < 0 && errno != EINTR) return false;
    for (int i = 0; i < n; ++i) {
      StormClient& c = clients_[events[i].data.u32];
      if (c.open()) handle_event(c, events[i].events);
    }
  }
}

void ClientPool::open_due(std::int64_t now) {
  while (!due_.empty() && handshakes_ < config_.max_handshakes && due_.top().first <= now) {
    const auto [at, index] = due_.top();
    due_.pop();
    StormClient& c = clients_[index];
    if (c.phase == Phase::waiting && c.due_ns == at) open(c, now);
  }
}

void ClientPool::open(StormClient& c, std::int64_t now) {
  ++stats_.attempts;
  c.began_ns = now;
  c.last_close = 0;
  c.phase = Phase::connecting;
  ++handshakes_;
  c.fd.reset(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!c.fd.valid()) return end(c);
  int one = 1;
  setsockopt(c.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (config_.source_ips > 1) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(0x7F000001u + c.index % config_.source_ips);
    if (bind(c.fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return end(c);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(config_.port));
  if (inet_pton(AF_INET, config_.host.c_str(), &addr.sin_addr) != 1) return end(c);
  if (::connect(c.fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS)
    return end(c);
  if (!watch_connecting(epoll_.get(), c, c.index)) return end(c);
}

void ClientPool::handle_event(StormClient& c, std::uint32_t events) {
  if (c.phase == Phase::connecting) {
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) finish_connect(c);
    return;
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) read_from(c);
  if (c.open() && (events & EPOLLOUT)) {
    flush(c);
    if (c.closing) end(c);
  }
}

void ClientPool::finish_connect(StormClient& c) {
  if (!connect_succeeded(c.fd.get())) return end(c);
  c.phase = Phase::upgrading;
  set_epollout(epoll_.get(), c, c.index, false);
  queue(c, upgrade_);
  if (c.closing) end(c);
}

void ClientPool::read_from(StormClient& c) {
  const ssize_t n = recv(c.fd.get(), read_buf_.data(), read_buf_.size(), 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) return end(c);
  last_rx_ns_ = now_ns();
  stats_.bytes_in += static_cast<std::uint64_t>(n);
  const std::string_view data(read_buf_.data(), static_cast<std::size_t>(n));
  if (c.phase == Phase::upgrading)
    on_upgrade_bytes(c, data);
  else
    receive(c, data);
  if (c.closing && c.open()) end(c);
}

void ClientPool::receive(StormClient& c, std::string_view data) {
  Sink sink{*this, c};
  if (!c.rx.receive(data, sink)) {
    ++stats_.protocol_errors;
    c.closing = true;
  }
}

void ClientPool::on_upgrade_bytes(StormClient& c, std::string_view data) {
  c.handshake.append(data);
  const UpgradeResponse r = parse_upgrade_response(c.handshake);
  if (r.status == UpgradeStatus::incomplete) {
    if (c.handshake.size() > kMaxHandshakeBytes) c.closing = true;
    return;
  }
  if (r.status == UpgradeStatus::refused) {
    c.closing = true;
    return;
  }
  const std::string rest = c.handshake.substr(r.header_bytes);
  std::string().swap(c.handshake);
  send_join(c);
  if (!rest.empty() && !c.closing) receive(c, rest);
}

void ClientPool::send_join(StormClient& c) {
  Event join;
  join.type = EventType::join;
  join.room = c.room;
  join.nick = c.nick;
  if (c.resume && c.epoch != 0) {
    join.has_since = true;
    join.since = c.last_seq;
    join.epoch = c.epoch;
  }
  c.phase = Phase::joining;
  send_events(c, {join});
}

void ClientPool::on_frame(StormClient& c, std::string_view payload) {
  ++stats_.frames;
  stats_.largest_frame = std::max<std::uint64_t>(stats_.largest_frame, payload.size());
  Event event;
  lossless::DecodeError error;
  for (std::string_view line : lossless::split_batch(payload)) {
    if (c.closing) return;
    if (!lossless::decode(line, event, error)) {
      ++stats_.decode_errors;
      continue;
    }
    if (event.type == EventType::welcome) {
      const bool same_run = c.resume && c.epoch == event.epoch && c.epoch != 0;
      // A new run (or a join without since) starts the client's history at
      // what the relay still holds; a resume keeps its own position.
      if (!same_run) c.last_seq = event.first > 0 ? event.first - 1 : 0;
      c.epoch = event.epoch;
      c.nick = event.nick;
      if (c.phase == Phase::joining) --handshakes_;
      c.phase = Phase::joined;
      c.attempts = 0;
      ++c.welcomes;
      ++stats_.welcomes;
      observer_.on_welcome(c, event, line.size(), payload.size());
      continue;
    }
    if (event.type == EventType::missed && event.reason == "evicted") c.last_seq = event.missed_to;
    if (event.seq > c.last_seq) c.last_seq = event.seq;
    observer_.on_event(c, event);
  }
}

void ClientPool::end(StormClient& c) {
  if (c.in_handshake()) {
    --handshakes_;
    ++stats_.connect_failures;
  } else if (c.phase == Phase::joined && !c.close_seen) {
    ++stats_.hangups;
  }
  reset_wire(c);
  observer_.on_ended(c);
  if (!c.reconnect) return;
  if (c.attempts >= config_.backoff.max_attempts) {
    ++stats_.gave_up;
    return;
  }
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  connect(c, now_ns() + backoff_delay_ns(config_.backoff, c.attempts++, unit(random_)));
}

void ClientPool::expire_handshakes(std::int64_t now) {
  const std::int64_t limit = seconds_to_ns(config_.handshake_timeout_s);
  for (StormClient& c : clients_)
    if (c.in_handshake() && now - c.began_ns > limit) end(c);
}

void ClientPool::send_events(StormClient& c, const std::vector<Event>& events) {
  payload_scratch_.clear();
  for (const Event& e : events) {
    if (!payload_scratch_.empty()) payload_scratch_.push_back('\n');
    lossless::encode_to(e, payload_scratch_);
  }
  frame_scratch_.clear();
  append_client_frame(frame_scratch_, WsOpcode::text, payload_scratch_, next_mask());
  queue(c, frame_scratch_);
}

void ClientPool::queue(StormClient& c, std::string_view bytes) {
  if (!c.fd.valid() || c.closing) return;
  send_bytes(epoll_.get(), c, c.index, bytes);
}

void ClientPool::flush(StormClient& c) {
  flush_bytes(epoll_.get(), c, c.index);
}

}  // namespace hubchat::bench
