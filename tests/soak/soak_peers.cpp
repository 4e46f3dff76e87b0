// Well-behaved soak peers. See soak_peers.hpp.
#include "tests/soak/soak_peers.hpp"

#include <charconv>

#include "shared/legacy_codec.hpp"

namespace hubchat::test::soak {
namespace {

constexpr std::size_t kKeptProblems = 8;

// Parses the "S<sid>:<n>|" prefix every soak body starts with.
bool parse_prefix(std::string_view body, int& sid, std::uint32_t& n) {
  if (body.size() < 5 || body[0] != 'S') return false;
  const char* p = body.data() + 1;
  const char* end = body.data() + body.size();
  auto r = std::from_chars(p, end, sid);
  if (r.ec != std::errc() || r.ptr == end || *r.ptr != ':') return false;
  auto r2 = std::from_chars(r.ptr + 1, end, n);
  return r2.ec == std::errc() && r2.ptr != end && *r2.ptr == '|';
}

}  // namespace

std::atomic<std::size_t>& upgrades() {
  static std::atomic<std::size_t> count{0};
  return count;
}

std::string sent_body(const SenderInfo& s, std::uint32_t n) {
  const std::string head = "S" + std::to_string(s.sid) + ":" + std::to_string(n) + "|";
  // Varying lengths, multi-byte UTF-8 and (lossless) a newline in every body;
  // legacy bodies get surrounding blanks and a newline the relay normalises.
  const std::string pad(s.pad + (n * 37u) % 97u, static_cast<char>('a' + n % 26));
  if (s.legacy) return "  " + head + "레거시 " + std::to_string(n) + "\n끝 " + pad + " \n";
  return head + "안녕 " + std::to_string(n) + " 🙂\n둘째 줄 " + pad;
}

std::string stored_body(const SenderInfo& s, std::uint32_t n) {
  return s.legacy ? legacy::normalize_incoming(sent_body(s, n)) : sent_body(s, n);
}

std::optional<Clock::time_point> Schedule::start_time() const {
  const Clock::rep ticks = start.load();
  if (ticks == 0) return std::nullopt;
  return Clock::time_point(Clock::duration(ticks));
}

ChatPeer::ChatPeer(std::string room, std::string nick, bool legacy,
                   std::vector<SenderInfo*> senders, SenderInfo* own, const Schedule& schedule)
    : room_(std::move(room)),
      nick_(std::move(nick)),
      legacy_(legacy),
      senders_(std::move(senders)),
      own_(own),
      schedule_(schedule),
      last_n_(senders_.size(), -1) {}

bool ChatPeer::connect(std::uint16_t port) {
  if (legacy_) {
    ConnectOptions o;
    o.path = "/ws?room=" + url_encode(room_) + "&nick=" + url_encode(nick_);
    const HandshakeResult h = ws_.connect(port, o);
    if (!h.upgraded()) {
      problem("legacy handshake failed: " + h.response_head);
      return false;
    }
    ++upgrades();
    return true;
  }
  if (!lossless_.connect(port).upgraded()) {
    problem("lossless handshake failed");
    return false;
  }
  ++upgrades();
  if (!lossless_.send_join(room_, nick_)) {
    problem("cannot send join");
    return false;
  }
  auto welcome = lossless_.wait_for([](const Event& e) { return e.type == EventType::welcome; },
                                    deadline_in(std::chrono::seconds(10)));
  if (!welcome) {
    problem("no welcome: " + lossless_.end().describe());
    return false;
  }
  if (welcome->nick != nick_) problem("granted nick " + welcome->nick + " instead of " + nick_);
  welcome_first_ = welcome->first;
  for (const Event& e : lossless_.history()) handle_event(e);
  lossless_.clear_history();
  return true;
}

void ChatPeer::close() {
  if (closed_) return;
  closed_ = true;
  WsClient& ws = legacy_ ? ws_ : lossless_.ws();
  ws.send_close(1000, "soak over");
  ws.disconnect();
}

int ChatPeer::poll_fd() const {
  if (closed_) return -1;
  return legacy_ ? ws_.fd() : const_cast<LosslessClient&>(lossless_).ws().fd();
}

std::size_t ChatPeer::pings_answered() const {
  return static_cast<std::size_t>(
      legacy_ ? ws_.pings_received()
              : const_cast<LosslessClient&>(lossless_).ws().pings_received());
}

void ChatPeer::on_readable(Clock::time_point) {
  if (closed_) return;
  if (legacy_) {
    for (;;) {
      Received r = ws_.receive(Clock::now());  // a passed deadline: never waits
      if (r.kind == Received::Kind::timeout) return;
      if (r.ended()) {
        problem("connection ended: " + r.describe());
        closed_ = true;
        return;
      }
      if (r.kind != Received::Kind::text) {
        problem("unexpected " + r.describe());
        continue;
      }
      for (std::string_view body : legacy::split_frame(r.data)) handle_message(body, nullptr);
    }
  }
  lossless_.drain();
  for (const Event& e : lossless_.history()) handle_event(e);
  lossless_.clear_history();
  for (const std::string& bad : lossless_.decode_errors()) problem("undecodable: " + bad);
  if (lossless_.end().ended()) {
    problem("connection ended: " + lossless_.end().describe());
    closed_ = true;
  }
}

void ChatPeer::handle_event(const Event& e) {
  switch (e.type) {
    case EventType::welcome:
      return;
    case EventType::error:
      problem("error event " + e.code + ": " + e.message);
      return;
    case EventType::missed:
      problem("missed event: " + describe(e));
      return;
    case EventType::msg:
      break;
    default:  // presence: no seq, not history
      if (e.room != room_) problem("event of another room: " + describe(e));
      return;
  }
  // Messages: seqs step by exactly one, from the oldest the welcome announced.
  const Seq expected = last_seq_ == 0 ? welcome_first_ : last_seq_ + 1;
  if (e.seq != expected)
    problem("seq " + std::to_string(e.seq) + " where " + std::to_string(expected) +
            " was due: " + describe(e));
  last_seq_ = e.seq;
  if (e.room != room_) problem("event of another room: " + describe(e));
  if (e.type == EventType::msg) handle_message(e.body, &e.from);
}

void ChatPeer::handle_message(std::string_view body, const std::string* from) {
  int sid = -1;
  std::uint32_t n = 0;
  if (!parse_prefix(body, sid, n)) {
    problem("message nobody sent: '" + std::string(body.substr(0, 60)) + "'");
    return;
  }
  std::size_t i = 0;
  while (i < senders_.size() && senders_[i]->sid != sid) ++i;
  if (i == senders_.size()) {
    problem("message of sender " + std::to_string(sid) + ", not of this room");
    return;
  }
  const SenderInfo& s = *senders_[i];
  const std::int64_t due = last_n_[i] + 1;
  if (n != due) {
    problem((static_cast<std::int64_t>(n) < due ? "duplicate/reordered" : "gap:") +
            std::string(" message ") + std::to_string(n) + " of sender " + std::to_string(sid) +
            " where " + std::to_string(due) + " was due");
  }
  const std::string stored = stored_body(s, n);
  if (body != (legacy_ ? legacy::encode_body(stored) : stored))
    problem("body of S" + std::to_string(sid) + ":" + std::to_string(n) + " altered: '" +
            std::string(body.substr(0, 80)) + "'");
  if (from && *from != s.nick) problem("message of " + s.nick + " arrived from '" + *from + "'");
  last_n_[i] = n;
  order_.push_back((static_cast<std::uint64_t>(sid) << 32) | n);
}

void ChatPeer::on_tick(Clock::time_point now) {
  if (closed_ || !own_ || own_->done.load()) return;
  const auto start = schedule_.start_time();
  if (!start || now < *start) return;
  if (now >= *start + schedule_.duration) {
    own_->done.store(true);
    return;
  }
  // Message k is due at start + k/rate: catch up if this thread lagged (a few
  // messages at most, far inside --rate-burst).
  const auto period = std::chrono::duration<double>(1.0 / own_->rate_hz);
  while (own_->sent.load() * period < now - *start) send_next();
}

void ChatPeer::send_next() {
  const std::uint32_t n = own_->sent.load();
  const std::string body = sent_body(*own_, n);
  const bool ok = legacy_ ? ws_.send_text(body) : lossless_.send_msg(body);
  if (!ok) problem("send of message " + std::to_string(n) + " failed");
  own_->sent.store(n + 1);
}

bool ChatPeer::caught_up() const {
  for (std::size_t i = 0; i < senders_.size(); ++i) {
    if (!senders_[i]->done.load()) return false;
    if (last_n_[i] + 1 != static_cast<std::int64_t>(senders_[i]->sent.load())) return false;
  }
  return true;
}

void ChatPeer::problem(std::string what) {
  ++problem_count_;
  if (problems_.size() < kKeptProblems) problems_.push_back(room_ + "/" + nick_ + ": " + what);
}

}  // namespace hubchat::test::soak
