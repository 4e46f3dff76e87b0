// The worker thread's epoll loop (see worker.hpp).
#include "tests/bench/loadgen/worker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "shared/lossless_codec.hpp"
#include "tests/bench/loadgen/client_tokens.hpp"
#include "tests/bench/loadgen/clock.hpp"
#include "tests/bench/loadgen/epoll_write.hpp"
#include "tests/bench/loadgen/message_body.hpp"
#include "tests/bench/loadgen/ws_client_frame.hpp"

namespace hubchat::bench {
namespace {

constexpr std::size_t kReadBuffer = 512 * 1024;
constexpr std::int64_t kIdleTick = 10'000'000;        // ns between checks when nothing is due
constexpr std::int64_t kQuietAfterEnd = 500'000'000;  // ns without data that ends the drain
constexpr std::size_t kMaxHandshakeBytes = 16 * 1024;

}  // namespace

Worker::Worker(RunControl& control, unsigned index)
    : control_(control),
      options_(control.options),
      index_(index),
      epoll_(epoll_create1(EPOLL_CLOEXEC)),
      read_buf_(kReadBuffer),
      mask_state_(0x9E3779B97F4A7C15ull ^ (index + 1) * 0xD1B54A32D192ED03ull) {
  const std::size_t threads = options_.threads;
  std::size_t local = 0;
  for (std::size_t i = index; i < options_.clients; i += threads) ++local;
  conns_.resize(local);
  const bool fanout = options_.mode == Mode::fanout;
  for (std::size_t k = 0; k < local; ++k) {
    Connection& c = conns_[k];
    c.id = static_cast<std::uint32_t>(index + k * threads);
    if (fanout) {
      c.last_seq.assign(options_.senders, 0);
      if (c.id < options_.senders) {
        c.sender_id = c.id;
        senders_.push_back(static_cast<std::uint32_t>(k));
      }
    }
  }
  std::string path = options_.path;
  if (options_.dialect == Dialect::legacy)
    path += (path.find('?') == std::string::npos ? "?room=" : "&room=") + options_.room;
  // A legacy client's token rides in its URL, so each has its own request;
  // it is made at connect time (one at a time) rather than held for all.
  legacy_token_path_ = options_.dialect == Dialect::legacy && !control_.tokens.empty();
  for (int port : options_.ports) {
    const std::string host = options_.host + ":" + std::to_string(port);
    if (legacy_token_path_) {
      hosts_.push_back(host);
      upgrades_.push_back(path + "&token=");
      continue;
    }
    upgrades_.push_back(upgrade_request(host, path,
                                        options_.dialect == Dialect::lossless
                                            ? std::string_view(lossless::kSubprotocol)
                                            : std::string_view()));
  }
}

const std::string& Worker::upgrade_for(const Connection& c) {
  const std::size_t port = c.id % upgrades_.size();
  if (!legacy_token_path_) return upgrades_[port];
  upgrade_scratch_ =
      upgrade_request(hosts_[port], upgrades_[port] + control_.tokens[c.id], std::string_view());
  return upgrade_scratch_;
}

std::uint32_t Worker::next_mask() {
  mask_state_ ^= mask_state_ << 13;
  mask_state_ ^= mask_state_ >> 7;
  mask_state_ ^= mask_state_ << 17;
  return static_cast<std::uint32_t>(mask_state_);
}

void Worker::run() {
  if (!epoll_.valid()) {
    stats_.connect_failures += conns_.size();
    control_.failed += conns_.size();
    return;
  }
  const std::int64_t connect_deadline = now_ns() + seconds_to_ns(options_.connect_timeout_s);
  bool timeline_seen = false;
  const bool paced = options_.rate > 0;
  const double interval = paced ? 1e9 / options_.rate : 0;
  epoll_event events[256];
  while (!control_.stop.load(std::memory_order_relaxed)) {
    std::int64_t now = now_ns();
    if (!timeline_seen && control_.started.load(std::memory_order_acquire)) {
      timeline_seen = true;
      const Timeline& t = control_.timeline;
      for (std::uint32_t k : senders_) {
        Connection& c = conns_[k];
        c.next_due_ns =
            t.start_ns + static_cast<std::int64_t>(interval * c.sender_id /
                                                   static_cast<double>(options_.senders));
      }
    }
    if (!timeline_seen) {
      open_more();
      if (now > connect_deadline) {
        for (Connection& c : conns_)
          if (c.state == ConnState::idle || c.in_handshake()) fail(c);
      }
    } else if (options_.mode == Mode::fanout) {
      const Timeline& t = control_.timeline;
      if (now >= t.drain_end_ns) break;
      if (now >= t.measure_end_ns + kQuietAfterEnd && now - last_rx_ns_ >= kQuietAfterEnd) break;
      send_due(now);
    }
    const std::int64_t wait = timeline_seen ? wait_timeout_ns(now) : kIdleTick;
    timespec timeout{static_cast<time_t>(wait / 1'000'000'000),
                     static_cast<long>(wait % 1'000'000'000)};
    const int n = epoll_pwait2(epoll_.get(), events, 256, &timeout, nullptr);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      Connection& c = conns_[events[i].data.u32];
      if (c.state != ConnState::closed) handle_event(c, events[i].events);
    }
    if (timeline_seen && options_.mode == Mode::fanout && !paced) send_due(now_ns());
  }
  for (Connection& c : conns_) c.fd.reset();
}

std::int64_t Worker::wait_timeout_ns(std::int64_t now) const {
  std::int64_t wait = kIdleTick;
  if (options_.mode != Mode::fanout || options_.rate <= 0) return wait;
  const std::int64_t end = control_.timeline.measure_end_ns;
  for (std::uint32_t k : senders_) {
    const Connection& c = conns_[k];
    if (c.state != ConnState::ready || c.next_due_ns >= end) continue;
    wait = std::min(wait, c.next_due_ns - now);
  }
  return std::max<std::int64_t>(wait, 0);
}

void Worker::send_due(std::int64_t now) {
  const Timeline& t = control_.timeline;
  if (now < t.start_ns || now >= t.measure_end_ns) return;
  const bool paced = options_.rate > 0;
  for (std::uint32_t k : senders_) {
    Connection& c = conns_[k];
    if (c.state != ConnState::ready || c.closing) continue;
    if (paced) {
      const double interval = 1e9 / options_.rate;
      std::size_t due = 0;
      for (std::int64_t at = c.next_due_ns; at <= now && at < t.measure_end_ns;
           at = c.next_due_ns + static_cast<std::int64_t>(interval * static_cast<double>(due)))
        ++due;
      if (due) send_messages(c, due, now, true);
    } else if (c.outstanding < options_.window) {
      send_messages(c, options_.window - c.outstanding, now, false);
    }
  }
}

void Worker::send_messages(Connection& c, std::size_t count, std::int64_t now, bool paced) {
  const Timeline& t = control_.timeline;
  const double interval = paced ? 1e9 / options_.rate : 0;
  frame_scratch_.clear();
  for (std::size_t i = 0; i < count; ++i) {
    BodyStamp stamp;
    stamp.sender = c.sender_id;
    stamp.seq = c.next_seq++;
    if (paced) {
      // Stamp the scheduled time: lateness of the generator counts as latency
      // (no coordinated omission).
      const std::int64_t due =
          c.next_due_ns + static_cast<std::int64_t>(interval * static_cast<double>(i));
      stamp.sent_ns = static_cast<std::uint64_t>(due);
      stats_.max_send_lag_ns =
          std::max<std::uint64_t>(stats_.max_send_lag_ns, static_cast<std::uint64_t>(now - due));
    } else {
      stamp.sent_ns = static_cast<std::uint64_t>(now);
      ++c.outstanding;
    }
    payload_scratch_.clear();
    append_message_payload(payload_scratch_, options_.dialect, control_.tag, stamp,
                           options_.message_bytes);
    append_client_frame(frame_scratch_, WsOpcode::text, payload_scratch_, next_mask());
    ++stats_.sent;
    if (t.measuring(static_cast<std::int64_t>(stamp.sent_ns))) ++stats_.sent_in_window;
  }
  if (paced) c.next_due_ns += static_cast<std::int64_t>(interval * static_cast<double>(count));
  queue(c, frame_scratch_);
  if (c.closing) drop(c);
}

void Worker::open_more() {
  while (handshakes_ < options_.max_handshakes && next_to_open_ < conns_.size())
    open(conns_[next_to_open_++]);
}

void Worker::open(Connection& c) {
  c.fd.reset(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  c.state = ConnState::connecting;
  ++handshakes_;
  if (!c.fd.valid()) return fail(c);
  int one = 1;
  setsockopt(c.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (options_.rcvbuf > 0)
    setsockopt(c.fd.get(), SOL_SOCKET, SO_RCVBUF, &options_.rcvbuf, sizeof options_.rcvbuf);
  if (options_.source_ips > 1 || options_.source_base != 0x7F000001u) {
    // The port is chosen at connect(), not at bind(): a bound port would
    // otherwise be reserved toward every destination, not just this one.
    setsockopt(c.fd.get(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(options_.source_base + c.id % options_.source_ips);
    if (bind(c.fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return fail(c);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(options_.ports[c.id % options_.ports.size()]));
  if (inet_pton(AF_INET, options_.host.c_str(), &addr.sin_addr) != 1) return fail(c);
  if (connect(c.fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS)
    return fail(c);
  if (!watch_connecting(epoll_.get(), c, tag(c))) return fail(c);
}

void Worker::handle_event(Connection& c, std::uint32_t events) {
  if (c.state == ConnState::connecting) {
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) finish_connect(c);
    return;
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) read_from(c);
  if (c.state != ConnState::closed && (events & EPOLLOUT)) {
    flush(c);
    if (c.closing) drop(c);
  }
}

void Worker::finish_connect(Connection& c) {
  if (!connect_succeeded(c.fd.get())) return fail(c);
  c.state = ConnState::upgrading;
  set_epollout(epoll_.get(), c, tag(c), false);
  queue(c, upgrade_for(c));
  if (c.closing) fail(c);
}

void Worker::read_from(Connection& c) {
  const ssize_t n = recv(c.fd.get(), read_buf_.data(), read_buf_.size(), 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
  }
  if (n <= 0) {
    if (c.state == ConnState::ready && !c.close_seen) ++stats_.hangups;
    return drop(c);
  }
  read_time_ = now_ns();
  last_rx_ns_ = read_time_;
  stats_.bytes += static_cast<std::uint64_t>(n);
  const std::string_view data(read_buf_.data(), static_cast<std::size_t>(n));
  if (c.state == ConnState::upgrading) {
    on_upgrade_bytes(c, data);
  } else {
    current_ = &c;
    const std::size_t before = c.rx.frames();
    if (!c.rx.receive(data, *this)) {
      ++stats_.protocol_errors;
      c.closing = true;
    }
    const std::size_t frames = c.rx.frames() - before;
    stats_.frames += frames;
    if (c.rx.largest_frame() > stats_.largest_frame) stats_.largest_frame = c.rx.largest_frame();
    if (control_.started.load(std::memory_order_relaxed) && control_.timeline.measuring(read_time_))
      stats_.frames_in_window += frames;
    current_ = nullptr;
  }
  if (c.closing) drop(c);
}

void Worker::on_upgrade_bytes(Connection& c, std::string_view data) {
  c.handshake.append(data);
  const UpgradeResponse r = parse_upgrade_response(c.handshake);
  if (r.status == UpgradeStatus::incomplete) {
    if (c.handshake.size() > kMaxHandshakeBytes) fail(c);
    return;
  }
  if (r.status == UpgradeStatus::refused) return fail(c);
  std::string rest = c.handshake.substr(r.header_bytes);
  std::string().swap(c.handshake);
  if (options_.dialect == Dialect::lossless) {
    Event join;
    join.type = EventType::join;
    join.room = options_.room;
    join.nick = client_nick(c.id);
    if (!control_.tokens.empty()) join.token = control_.tokens[c.id];
    payload_scratch_ = lossless::encode(join);
    frame_scratch_.clear();
    append_client_frame(frame_scratch_, WsOpcode::text, payload_scratch_, next_mask());
    c.state = ConnState::joining;
    queue(c, frame_scratch_);
  } else {
    became_ready(c);
  }
  if (!rest.empty() && !c.closing) {
    current_ = &c;
    if (!c.rx.receive(rest, *this)) {
      ++stats_.protocol_errors;
      c.closing = true;
    }
    current_ = nullptr;
  }
}

void Worker::on_message(std::string_view payload) {
  Connection& c = *current_;
  if (c.closing) return;
  if (c.state == ConnState::joining) return on_welcome_frame(c, payload);
  on_bodies(c, payload);
}

void Worker::on_welcome_frame(Connection& c, std::string_view payload) {
  const std::size_t nl = payload.find('\n');
  const std::string_view first = payload.substr(0, nl);
  Event event;
  lossless::DecodeError error;
  if (!lossless::decode(first, event, error)) {
    ++stats_.protocol_errors;
    c.closing = true;
    return;
  }
  if (event.type == EventType::error) {
    c.closing = true;  // e.g. bad_name: counted as a connect failure by drop()
    return;
  }
  if (event.type != EventType::welcome) {
    ++stats_.other_events;
  } else {
    became_ready(c);
  }
  if (nl != std::string_view::npos) on_bodies(c, payload.substr(nl + 1));
}

void Worker::on_bodies(Connection& c, std::string_view payload) {
  const Timeline& t = control_.timeline;
  const bool started = control_.started.load(std::memory_order_relaxed);
  const std::int64_t now = read_time_;
  const bool received_in_window = started && t.measuring(now);
  const std::string_view tag = control_.tag;
  const std::size_t senders = c.last_seq.size();
  stats_.other_events += for_each_body(options_.dialect, payload, [&](std::string_view body) {
    BodyStamp s;
    if (!parse_body(body, tag, s) || s.sender >= senders) {
      ++stats_.foreign;
      return;
    }
    ++stats_.delivered;
    if (received_in_window) ++stats_.received_in_window;
    const auto sent = static_cast<std::int64_t>(s.sent_ns);
    if (started && t.measuring(sent)) {
      ++stats_.delivered_in_window;
      stats_.latency.record(static_cast<std::uint64_t>(std::max<std::int64_t>(now - sent, 0)));
    }
    std::uint32_t& last = c.last_seq[s.sender];
    if (s.seq == last + 1) {
      last = s.seq;
    } else if (s.seq > last) {
      ++stats_.gaps;
      stats_.missing += s.seq - last - 1;
      last = s.seq;
    } else if (s.seq == last) {
      ++stats_.duplicates;
    } else {
      ++stats_.out_of_order;
    }
    if (s.sender == c.sender_id && c.outstanding) --c.outstanding;
  });
}

void Worker::on_ping(std::string_view payload) {
  Connection& c = *current_;
  ++stats_.pings;
  pong_scratch_.clear();
  append_client_frame(pong_scratch_, WsOpcode::pong, payload, next_mask());
  queue(c, pong_scratch_);
}

void Worker::on_close(std::uint16_t code) {
  Connection& c = *current_;
  ++stats_.closes[code];
  c.close_seen = true;
  c.closing = true;
}

void Worker::became_ready(Connection& c) {
  c.state = ConnState::ready;
  --handshakes_;
  ++stats_.connected;
  control_.ready.fetch_add(1, std::memory_order_relaxed);
}

void Worker::fail(Connection& c) {
  if (c.in_handshake()) --handshakes_;
  if (c.state != ConnState::closed) {
    ++stats_.connect_failures;
    control_.failed.fetch_add(1, std::memory_order_relaxed);
  }
  c.state = ConnState::closed;
  c.fd.reset();  // also removes it from the epoll set
}

void Worker::drop(Connection& c) {
  if (c.state != ConnState::ready) return fail(c);
  c.state = ConnState::closed;
  c.fd.reset();
}

void Worker::queue(Connection& c, std::string_view bytes) {
  if (c.state == ConnState::closed || !c.fd.valid()) return;
  send_bytes(epoll_.get(), c, tag(c), bytes);
}

void Worker::flush(Connection& c) {
  flush_bytes(epoll_.get(), c, tag(c));
}

std::uint32_t Worker::tag(const Connection& c) const {
  return static_cast<std::uint32_t>(c.id / options_.threads);
}

}  // namespace hubchat::bench
