// Hostile soak clients. See soak_hostiles.hpp.
#include "tests/soak/soak_hostiles.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <iterator>
#include <optional>

#include "shared/enum_names.hpp"
#include "shared/lossless_codec.hpp"
#include "tests/soak/soak_peers.hpp"
#include "tests/support/lossless_client.hpp"
#include "tests/support/ws_test_client.hpp"

namespace hubchat::test::soak {
namespace {

using namespace std::chrono_literals;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string fmt_s(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs", s);
  return buf;
}

// Lossless events in one relay frame (undecodable lines are skipped: the
// well-behaved peers are the ones that police the relay's JSON).
std::vector<Event> decode_frame(const std::string& frame) {
  std::vector<Event> out;
  for (std::string_view line : lossless::split_batch(frame)) {
    Event e;
    lossless::DecodeError error;
    if (lossless::decode(line, e, error)) out.push_back(std::move(e));
  }
  return out;
}

// Opens a WebSocket in `room`: lossless (join sent, welcome awaited) or
// legacy (?room=&nick=). Counts the upgrade. Empty string on success, else
// what failed.
std::string open_ws(WsClient& ws, std::uint16_t port, bool lossless, const std::string& room,
                    const std::string& nick, HostileOutcome& outcome, ConnectOptions o = {},
                    bool await_replay = true) {
  if (lossless) {
    o.subprotocol = std::string(lossless::kSubprotocol);
    o.path = "/ws";
  } else {
    o.subprotocol.reset();
    o.path = "/ws?room=" + url_encode(room) + "&nick=" + url_encode(nick);
  }
  const HandshakeResult h = ws.connect(port, o);
  if (!h.upgraded()) return "handshake failed: " + h.response_head;
  ++upgrades();
  ++outcome.upgrades;
  if (!lossless) return "";
  Event join;
  join.type = EventType::join;
  join.room = room;
  join.nick = nick;
  if (!ws.send_text(lossless::encode(join))) return "cannot send join";
  // Welcome, then the history replay, then our own join (presence comes
  // after the replay): the abuse starts once the client is at the live end
  // of the room, like a
  // client that has been chatting for a while. (Misbehaving during the
  // replay is covered by RelaySoak.CloseCodeSurvivesDataInFlight.) Slow consumers skip
  // this: through their tiny window a firehose replay would take minutes.
  const Deadline deadline = deadline_in(10s);
  std::string granted;  // our nick, once welcomed
  for (;;) {
    Received r = ws.receive(deadline);
    if (!r.is_data()) return (granted.empty() ? "no welcome: " : "no replay: ") + r.describe();
    for (const Event& e : decode_frame(r.data)) {
      if (e.type == EventType::welcome) {
        if (!await_replay) return "";
        granted = e.nick;
      }
      if (!granted.empty() && e.type == EventType::join && e.nick == granted) return "";
    }
  }
}

std::string describe_end(const Received& r) {
  if (r.kind == Received::Kind::close)
    return "close " + std::to_string(r.close_code) + " \"" + r.close_reason + "\"";
  return r.describe();
}

// An actor on one WebSocket. Most of them wait for the relay to end the
// connection: read_to_end() reads what is ready and records how it ended.
class WsActor : public HostileActor {
 public:
  int poll_fd() const override { return outcome_.done ? -1 : ws_.fd(); }
  void shutdown() override { ws_.disconnect(); }

 protected:
  // The frame (close or drop) that ended the connection, with its time and
  // kind recorded in outcome_; nullopt while it is still open. Frames read
  // before it are counted in frames_.
  std::optional<Received> read_to_end() {
    for (;;) {
      Received r = ws_.receive(Clock::now());
      if (r.kind == Received::Kind::timeout) return std::nullopt;
      if (!r.ended()) {
        ++frames_;  // room traffic that was already in flight
        continue;
      }
      outcome_.seconds = seconds_since(t0_);
      outcome_.close_code = r.kind == Received::Kind::close ? r.close_code : 0;
      outcome_.dropped = r.kind != Received::Kind::close;
      return r;
    }
  }

  WsClient ws_;
  Clock::time_point t0_ = Clock::now();
  std::size_t frames_ = 0;
};

// --------------------------------------------------------------- bad frames

// One forbidden message, then it waits for the relay's close.
class BadFrame final : public WsActor {
 public:
  BadFrame(HostileKind kind, std::string variant, int expected_code)
      : expected_code_(expected_code) {
    outcome_.kind = kind;
    outcome_.variant = std::move(variant);
  }

  void start(std::uint16_t port, const Limits& limits, const std::string& room, int wave) {
    const bool lossless = outcome_.variant.find("legacy") == std::string::npos;
    const std::string nick =
        std::string(to_string(outcome_.kind)) + "-" + outcome_.variant + "-" + std::to_string(wave);
    if (std::string err = open_ws(ws_, port, lossless, room, nick, outcome_); !err.empty())
      return finish(false, err);
    const std::string& v = outcome_.variant;
    bool sent = false;
    switch (outcome_.kind) {
      case HostileKind::oversize:
        if (v.find("fragmented") != std::string::npos) {
          // Each fragment is well under the limit; the message is not, by 2
          // bytes, at its last fragment. (Data following the violation is
          // covered by RelaySoak.CloseCodeSurvivesDataInFlight.)
          const std::size_t part = limits.max_message_bytes / 3 + 1;
          sent = ws_.send_fragmented_text(
              {std::string(part, 'f'), std::string(part, 'f'), std::string(part, 'f')});
        } else {
          sent = ws_.send_text(std::string(limits.max_message_bytes + 1, 'o'));
        }
        break;
      case HostileKind::bad_utf8:
        if (v == "lossless") {
          sent = ws_.send_raw_text("{\"type\":\"msg\",\"body\":\"caf\xC3\x28\"}");
        } else if (v == "legacy") {
          sent = ws_.send_raw_text("overlong \xC0\xAF slash");
        } else {
          // A code point cut at the end of a fragmented message.
          sent = ws_.send_fragmented_text({"안녕", std::string("하세", 5)});
        }
        break;
      case HostileKind::binary:
        sent = ws_.send_binary(std::string("\x00\x01\x02\xFF binary", 11));
        break;
      default:
        break;
    }
    if (!sent) return finish(false, "could not send the bad message");
    t0_ = Clock::now();
  }

  void on_readable(Clock::time_point) override {
    const std::optional<Received> end = read_to_end();
    if (!end) return;
    finish(outcome_.close_code == expected_code_, describe_end(*end) + " after " +
                                                      fmt_s(outcome_.seconds) + " (want " +
                                                      std::to_string(expected_code_) + ")");
  }
  void on_tick(Clock::time_point now) override {
    if (now - t0_ > 10s) finish(false, "no close within 10 s");
  }

 private:
  int expected_code_;
};

// ----------------------------------------------------------- slow consumers

// Joins the firehose room with a tiny receive window and stops reading for
// a while. "heartbeat" keeps sending unsolicited pongs (RFC 6455 5.5.3
// allows them) so the relay's keepalive stays satisfied and only the ring
// can catch it: it must get 4001. "silent" sends nothing either, so the pong
// timeout may drop it first; both outcomes are documented.
class SlowConsumer final : public WsActor {
 public:
  explicit SlowConsumer(std::string variant) {
    outcome_.kind = HostileKind::slow_consumer;
    outcome_.variant = std::move(variant);
  }

  void start(std::uint16_t port, const std::string& room, int wave,
             std::chrono::milliseconds pause) {
    ConnectOptions o;
    o.rcvbuf = 4096;
    o.max_segment = 536;
    if (std::string err =
            open_ws(ws_, port, true, room, "slow-" + outcome_.variant + "-" + std::to_string(wave),
                    outcome_, o, /*await_replay=*/false);
        !err.empty())
      return finish(false, err);
    t0_ = Clock::now();
    resume_at_ = t0_ + pause;
    next_beat_ = t0_;
  }

  int poll_fd() const override {
    if (outcome_.done || Clock::now() < resume_at_) return -1;
    return ws_.fd();
  }
  void on_readable(Clock::time_point) override {
    const std::optional<Received> end = read_to_end();
    if (!end) return;
    const bool ok =
        outcome_.close_code == 4001 || (outcome_.variant == "silent" && outcome_.dropped);
    finish(ok, describe_end(*end) + " after " + std::to_string(frames_) + " frames (" +
                   std::to_string(ws_.bytes_received()) + " bytes), " + fmt_s(outcome_.seconds) +
                   " after it stopped reading");
  }
  void on_tick(Clock::time_point now) override {
    if (outcome_.variant == "heartbeat" && now < resume_at_ && now >= next_beat_) {
      ws_.send_frame(Opcode::pong, "still here", true);
      next_beat_ = now + 500ms;
    }
    if (now - resume_at_ > 20s) finish(false, "still open 20 s after reading again");
  }

 private:
  Clock::time_point resume_at_, next_beat_;
};

// ------------------------------------------------------------- ping ignorer

class PingIgnorer final : public WsActor {
 public:
  PingIgnorer(std::string variant, const Limits& limits) : limits_(limits) {
    outcome_.kind = HostileKind::ping_ignorer;
    outcome_.variant = std::move(variant);
  }

  void start(std::uint16_t port, const std::string& room, int wave) {
    if (std::string err =
            open_ws(ws_, port, outcome_.variant == "lossless", room,
                    "mute-" + outcome_.variant + "-" + std::to_string(wave), outcome_);
        !err.empty())
      return finish(false, err);
    ws_.set_auto_pong(false);
    t0_ = Clock::now();
  }

  void on_readable(Clock::time_point) override {
    const std::optional<Received> end = read_to_end();  // reads (and discards) everything
    if (!end) return;
    // Not before the pong timeout (1 s of timer granularity allowed), and
    // not much after it.
    const bool in_time = outcome_.seconds >= limits_.pong_timeout_s - 1.0 &&
                         outcome_.seconds <= limits_.pong_timeout_s + 4.0;
    finish(in_time && ws_.pings_received() >= 1,
           describe_end(*end) + " after " + fmt_s(outcome_.seconds) + ", " +
               std::to_string(ws_.pings_received()) + " pings unanswered");
  }
  void on_tick(Clock::time_point now) override {
    if (now - t0_ > 15s) finish(false, "still connected after 15 s without a pong");
  }

 private:
  Limits limits_;
};

// ---------------------------------------------------------------- vanishers

// Connects and disappears at some point of the handshake; nothing to wait
// for (the relay's health afterwards is what the soak checks).
class Vanisher final : public HostileActor {
 public:
  explicit Vanisher(std::string variant) {
    outcome_.kind = HostileKind::vanish;
    outcome_.variant = std::move(variant);
  }

  void start(std::uint16_t port, const std::string& room, int wave) {
    const std::string& v = outcome_.variant;
    const std::string nick = "vanish-" + std::to_string(wave);
    if (v == "tcp-only") {
      UniqueFd fd = connect_tcp(port);
      return finish(fd.valid(), fd.valid() ? "connected and closed" : "connect failed");
    }
    if (v == "mid-request") {
      UniqueFd fd = connect_tcp(port);
      const bool ok =
          fd.valid() && write_all(fd.get(), "GET /ws HTTP/1.1\r\nHost: 127.0", deadline_in(2s));
      return finish(ok, "closed in the middle of the request line's headers");
    }
    WsClient ws;
    if (std::string err = open_ws(ws, port, v != "after-upgrade-legacy", room, nick, outcome_);
        !err.empty())
      return finish(false, err);
    if (v == "mid-frame") {
      // Half a frame header (FIN text, masked, 16-bit length of which only
      // the first byte comes), then nothing.
      const bool ok = write_all(ws.fd(), std::string("\x81\xFE\x03", 3), deadline_in(2s));
      ws.disconnect();
      return finish(ok, "closed inside a frame");
    }
    ws.disconnect();
    finish(true,
           "closed right after " + std::string(v == "after-join" ? "the welcome" : "the upgrade"));
  }

  int poll_fd() const override { return -1; }
  void on_readable(Clock::time_point) override {}
  void on_tick(Clock::time_point) override {}
};

// ---------------------------------------------------- handshake stallers

// Sends part of an upgrade request and stalls ("partial"), or keeps
// trickling one header byte every 300 ms ("trickle", slowloris proper).
class Staller final : public HostileActor {
 public:
  Staller(std::string variant, const Limits& limits) : limits_(limits) {
    outcome_.kind = HostileKind::handshake_stall;
    outcome_.variant = std::move(variant);
  }

  void start(std::uint16_t port) {
    fd_ = connect_tcp(port);
    if (!fd_.valid()) return finish(false, "connect failed");
    std::string head =
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    if (outcome_.variant == "trickle") head += "X-Slow: ";
    if (!write_all(fd_.get(), head, deadline_in(2s))) return finish(false, "write failed");
    t0_ = Clock::now();
    next_byte_ = t0_ + 300ms;
  }

  int poll_fd() const override { return outcome_.done ? -1 : fd_.get(); }
  void on_readable(Clock::time_point) override {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
      if (n > 0) {
        reply_.append(buf, static_cast<std::size_t>(std::min<ssize_t>(n, 200)));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      return dropped(n == 0 ? "EOF" : "reset");
    }
  }
  void on_tick(Clock::time_point now) override {
    if (outcome_.variant == "trickle" && now >= next_byte_) {
      if (::send(fd_.get(), "a", 1, MSG_NOSIGNAL) != 1 && errno != EAGAIN)
        return dropped("send failed");
      ++trickled_;
      next_byte_ = now + 300ms;
    }
    if (now - t0_ > 15s)
      finish(false, "still open after 15 s (" + outcome_.variant + ", " +
                        std::to_string(trickled_) + " bytes trickled)");
  }
  void shutdown() override { fd_.reset(); }

 private:
  void dropped(const char* how) {
    outcome_.seconds = seconds_since(t0_);
    outcome_.dropped = true;
    std::string first_line = reply_.substr(0, reply_.find('\r'));
    finish(outcome_.seconds <= limits_.handshake_timeout_s + 3.0,
           std::string(how) + " after " + fmt_s(outcome_.seconds) +
               (first_line.empty() ? "" : " (reply: " + first_line + ")"));
  }

  Limits limits_;
  UniqueFd fd_;
  Clock::time_point t0_ = Clock::now(), next_byte_;
  std::string reply_;
  int trickled_ = 0;
};

// ------------------------------------------------------------------ floods

// A lossless peer in a flood room that records every message of `flooder`
// until the flooder's leave, after which nothing more of it can come.
class FloodObserver final : public WsActor {
 public:
  explicit FloodObserver(std::string flooder) : flooder_(std::move(flooder)) {
    outcome_.kind = HostileKind::observer;
    outcome_.variant = "observer";
  }

  void start(std::uint16_t port, const std::string& room, int wave) {
    if (std::string err =
            open_ws(ws_, port, true, room, "observer-" + std::to_string(wave), outcome_);
        !err.empty())
      return finish(false, err);
    t0_ = Clock::now();
  }

  void on_readable(Clock::time_point) override {
    for (;;) {
      Received r = ws_.receive(Clock::now());
      if (r.kind == Received::Kind::timeout) return;
      if (r.ended()) return finish(false, "observer closed: " + describe_end(r));
      for (const Event& e : decode_frame(r.data)) {
        if (e.type == EventType::msg && e.from == flooder_) bodies_.push_back(e.body);
        if (e.type == EventType::leave && e.nick == flooder_)
          return finish(true, std::to_string(bodies_.size()) + " flood messages observed");
      }
    }
  }
  void on_tick(Clock::time_point now) override {
    if (now - t0_ > 25s) finish(false, "the flooder's leave never came");
  }

  const std::vector<std::string>& bodies() const { return bodies_; }

 private:
  std::string flooder_;
  std::vector<std::string> bodies_;
};

constexpr int kLosslessFlood = 250;
constexpr int kLegacyFlood = 180;

class LosslessFlooder final : public WsActor {
 public:
  LosslessFlooder(FloodObserver& observer, const Limits& limits)
      : observer_(observer), limits_(limits) {
    outcome_.kind = HostileKind::flood_lossless;
    outcome_.variant = "lossless";
  }

  void start(std::uint16_t port, const std::string& room, const std::string& nick, int wave) {
    nick_ = nick;
    if (std::string err = open_ws(ws_, port, true, room, nick, outcome_); !err.empty())
      return finish(false, err);
    t0_ = Clock::now();
    for (int i = 0; i < kLosslessFlood; ++i) {
      Event m;
      m.type = EventType::msg;
      m.body = "F" + std::to_string(wave) + ":" + std::to_string(i);
      if (!ws_.send_text(lossless::encode(m))) return finish(false, "flood send failed");
    }
  }

  void on_readable(Clock::time_point) override {
    for (;;) {
      Received r = ws_.receive(Clock::now());
      if (r.kind == Received::Kind::timeout) return;
      if (r.ended()) return finish(false, "flooder was closed: " + describe_end(r));
      for (const Event& e : decode_frame(r.data)) {
        if (e.type == EventType::msg && e.from == nick_) echoed_.push_back(e.body);
        if (e.type == EventType::error) (e.code == "rate_limited" ? limited_ : other_errors_)++;
      }
      if (static_cast<int>(echoed_.size()) + limited_ + other_errors_ >= kLosslessFlood) {
        // Every message is answered: accepted (echoed) or refused. Leaving
        // now lets the observer know it has seen all there is.
        outcome_.seconds = seconds_since(t0_);
        outcome_.accepted = echoed_.size();
        ws_.send_close(1000, "flood over");
        ws_.disconnect();
        return finish(limited_ > 0 && other_errors_ == 0 &&
                          static_cast<int>(echoed_.size()) >= limits_.rate_burst,
                      std::to_string(echoed_.size()) + " accepted, " + std::to_string(limited_) +
                          " rate_limited, " + std::to_string(other_errors_) + " other errors");
      }
    }
  }
  void on_tick(Clock::time_point now) override {
    if (now - t0_ > 20s)
      finish(false, "answers to only " + std::to_string(echoed_.size() + limited_) + " of " +
                        std::to_string(kLosslessFlood) + " flood messages");
  }

  void settle() {
    if (observer_.bodies() != echoed_) {
      outcome_.ok = false;
      outcome_.detail += "; the room got " + std::to_string(observer_.bodies().size()) +
                         " messages, not the " + std::to_string(echoed_.size()) + " accepted";
    }
  }

 private:
  FloodObserver& observer_;
  Limits limits_;
  std::string nick_;
  std::vector<std::string> echoed_;
  int limited_ = 0, other_errors_ = 0;
};

class LegacyFlooder final : public WsActor {
 public:
  LegacyFlooder(FloodObserver& observer, const Limits& limits)
      : observer_(observer), limits_(limits) {
    outcome_.kind = HostileKind::flood_legacy;
    outcome_.variant = "legacy";
  }

  void start(std::uint16_t port, const std::string& room, const std::string& nick, int wave) {
    wave_ = wave;
    if (std::string err = open_ws(ws_, port, false, room, nick, outcome_); !err.empty())
      return finish(false, err);
    t0_ = Clock::now();
    for (int i = 0; i < kLegacyFlood; ++i) {
      // The relay closes us part way: later sends may fail, which is fine.
      if (!ws_.send_text("G" + std::to_string(wave) + ":" + std::to_string(i))) break;
    }
  }

  void on_readable(Clock::time_point) override {
    const std::optional<Received> end = read_to_end();
    if (!end) return;
    finish(outcome_.close_code == 1008 && end->close_reason == "rate limit exceeded",
           describe_end(*end) + " after " + fmt_s(outcome_.seconds));
  }
  void on_tick(Clock::time_point now) override {
    if (now - t0_ > 10s) finish(false, "flooding legacy client not closed within 10 s");
  }

  // What reached the room must be exactly the first k messages, k at least
  // the burst and fewer than were sent.
  void settle() {
    const auto& got = observer_.bodies();
    outcome_.accepted = got.size();
    bool prefix = true;
    for (std::size_t i = 0; i < got.size(); ++i)
      prefix = prefix && got[i] == "G" + std::to_string(wave_) + ":" + std::to_string(i);
    const bool ok = prefix && static_cast<int>(got.size()) >= limits_.rate_burst &&
                    static_cast<int>(got.size()) < kLegacyFlood;
    if (!ok) outcome_.ok = false;
    outcome_.detail += "; " + std::to_string(got.size()) + " reached the room" +
                       (prefix ? " (in order)" : " (NOT the sent prefix)");
  }

 private:
  FloodObserver& observer_;
  Limits limits_;
  int wave_ = 0;
};

}  // namespace

constexpr EnumName<HostileKind> kHostileKindNames[] = {
    {HostileKind::oversize, "oversize"},
    {HostileKind::bad_utf8, "bad_utf8"},
    {HostileKind::binary, "binary"},
    {HostileKind::slow_consumer, "slow_consumer"},
    {HostileKind::ping_ignorer, "ping_ignorer"},
    {HostileKind::vanish, "vanish"},
    {HostileKind::handshake_stall, "handshake_stall"},
    {HostileKind::flood_lossless, "flood_lossless"},
    {HostileKind::flood_legacy, "flood_legacy"},
    {HostileKind::observer, "observer"}};
static_assert(std::size(kHostileKindNames) == static_cast<std::size_t>(HostileKind::count_));

const char* to_string(HostileKind kind) {
  return name_in(kHostileKindNames, kind, "?");
}

void HostileActor::finish(bool ok, std::string detail) {
  if (outcome_.done) return;
  outcome_.done = true;
  outcome_.ok = ok;
  outcome_.detail = std::move(detail);
}

std::vector<std::unique_ptr<HostileActor>> make_wave(std::uint16_t port, const Limits& limits,
                                                     const WaveRooms& rooms, int wave) {
  std::vector<std::unique_ptr<HostileActor>> out;
  auto add = [&](auto actor) -> auto& {
    auto& ref = *actor;
    out.push_back(std::move(actor));
    return ref;
  };

  // Slow consumers first: their pause runs while the others are set up.
  for (const char* v : {"silent", "heartbeat"})
    add(std::make_unique<SlowConsumer>(v)).start(port, rooms.firehose, wave, 6s);

  auto room_for = [&](const std::string& variant) {
    return variant.find("legacy") != std::string::npos ? rooms.main : rooms.quiet;
  };
  const struct {
    HostileKind kind;
    const char* variant;
    int code;
  } bad_frames[] = {
      {HostileKind::oversize, "lossless", 1009},
      {HostileKind::oversize, "legacy", 1009},
      {HostileKind::oversize, "lossless-fragmented", 1009},
      {HostileKind::bad_utf8, "lossless", 1007},
      {HostileKind::bad_utf8, "legacy", 1007},
      {HostileKind::bad_utf8, "legacy-fragmented", 1007},
      {HostileKind::binary, "lossless", 1003},
      {HostileKind::binary, "legacy", 1003},
  };
  for (const auto& b : bad_frames)
    add(std::make_unique<BadFrame>(b.kind, b.variant, b.code))
        .start(port, limits, room_for(b.variant), wave);

  for (const char* v : {"lossless", "legacy"})
    add(std::make_unique<PingIgnorer>(v, limits)).start(port, room_for(v), wave);

  for (const char* v :
       {"tcp-only", "mid-request", "after-upgrade-legacy", "after-join", "mid-frame"})
    add(std::make_unique<Vanisher>(v)).start(port, room_for(v), wave);

  for (const char* v : {"partial", "trickle"})
    add(std::make_unique<Staller>(v, limits)).start(port);

  {
    const std::string room = rooms.flood + "-lossless";
    const std::string nick = "flooder-" + std::to_string(wave);
    auto& observer = add(std::make_unique<FloodObserver>(nick));
    observer.start(port, room, wave);
    add(std::make_unique<LosslessFlooder>(observer, limits)).start(port, room, nick, wave);
  }
  {
    const std::string room = rooms.flood + "-legacy";
    const std::string nick = "gflooder-" + std::to_string(wave);
    auto& observer = add(std::make_unique<FloodObserver>(nick));
    observer.start(port, room, wave);
    add(std::make_unique<LegacyFlooder>(observer, limits)).start(port, room, nick, wave);
  }
  return out;
}

void settle_wave(std::vector<std::unique_ptr<HostileActor>>& wave) {
  for (auto& actor : wave) {
    if (auto* f = dynamic_cast<LosslessFlooder*>(actor.get())) f->settle();
    if (auto* f = dynamic_cast<LegacyFlooder*>(actor.get())) f->settle();
  }
  for (auto& actor : wave) actor->shutdown();
}

}  // namespace hubchat::test::soak
