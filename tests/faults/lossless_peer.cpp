// The outbox-keeping lossless peer of the fault run (see lossless_peer.hpp).
#include "tests/faults/lossless_peer.hpp"

#include "shared/lossless_codec.hpp"

namespace hubchat::faults {
namespace {

using namespace std::chrono_literals;

}  // namespace

LosslessPeer::LosslessPeer(int index, int home_relay, std::string room, Record& record,
                           bool echo_acks)
    : index_(index),
      home_relay_(home_relay),
      nick_("p" + std::to_string(index)),
      key_("key-" + std::to_string(index) + "-secret"),
      room_(std::move(room)),
      record_(record),
      echo_acks_(echo_acks) {}

JoinView* LosslessPeer::view() {
  return view_ >= 0 ? &record_.joins[static_cast<std::size_t>(view_)] : nullptr;
}

bool LosslessPeer::joined_in(const std::string& room) const {
  return state_ == State::joined && view_ >= 0 &&
         record_.joins[static_cast<std::size_t>(view_)].room == room;
}

bool LosslessPeer::settled() const {
  if (state_ != State::joined || pending_room_ != room_) return false;
  for (const auto& [room, entries] : outbox_)
    if (!entries.empty()) return false;
  return true;
}

bool LosslessPeer::saw(const std::string& body) const {
  if (view_ < 0) return false;
  for (const SeenMsg& m : record_.joins[static_cast<std::size_t>(view_)].msgs)
    if (m.body == body) return true;
  return false;
}

void LosslessPeer::post(TimePoint now) {
  const std::string id = std::to_string(++counter_);
  const std::string body = nick_ + "/" + id + "@" + room_;
  outbox_[room_].push_back(Entry{id, body, now, now});
  sent_[id] = Sent{room_, body, now};
  if (state_ != State::joined || pending_room_ != room_) return;  // sent after the welcome
  Event e;
  e.type = EventType::msg;
  e.body = body;
  e.id = id;
  client_.send_event(e);
}

void LosslessPeer::switch_room(const std::string& room) {
  if (room == room_) return;
  room_ = room;
  if (state_ != State::offline) send_join(Clock::now());
}

void LosslessPeer::drop(TimePoint now) {
  if (state_ == State::offline) return;
  client_.ws().disconnect();
  closed(now, 0, "dropped by the harness");
}

void LosslessPeer::connect(TimePoint now, Cluster& cluster) {
  // Its home relay, or the next one up (a client configured with several).
  for (int k = 0; k < cluster.relay_count(); ++k) {
    const int relay = (home_relay_ + k) % cluster.relay_count();
    const auto port = cluster.port_of(relay);
    if (!port) continue;
    test::ConnectOptions options;
    options.timeout = 1s;
    if (!client_.connect(*port, options).upgraded()) continue;
    relay_ = relay;
    state_ = State::joining;
    send_join(now);
    return;
  }
  reconnect_at_ = now + 200ms;
}

void LosslessPeer::send_join(TimePoint now) {
  (void)now;
  Event e;
  e.type = EventType::join;
  e.room = room_;
  e.nick = nick_;
  e.key = key_;
  if (auto it = rooms_.find(room_); it != rooms_.end()) {
    e.has_since = true;
    e.since = it->second.last;
    e.epoch = it->second.epoch;
  }
  pending_room_ = room_;
  if (state_ == State::joined) state_ = State::joining;
  if (!client_.send_event(e)) return;  // the end of the connection shows up in pump()
}

void LosslessPeer::pump(TimePoint now, Cluster& cluster) {
  if (state_ == State::offline) {
    if (now >= reconnect_at_) connect(now, cluster);
    if (state_ == State::offline) return;
  }
  while (auto e = client_.next(Clock::now())) handle(*e, now);
  if (client_.end().ended()) {
    closed(now, client_.end().kind == test::Received::Kind::close ? client_.end().close_code : 0,
           client_.end().close_reason);
    return;
  }
  if (state_ != State::joined) return;
  if (resend_due_ && now >= resend_at_) {
    resend_due_ = false;
    resend(now, false);
  }
  if (final_) {
    // Nothing new is posted now: anything still unacknowledged is sent
    // again (same id: posted once) until acknowledged.
    if (now - last_stale_resend_ > 3s) {
      last_stale_resend_ = now;
      resend(now, true);
    }
    if (outbox_[pending_room_].empty())
      for (const auto& [room, entries] : outbox_)
        if (!entries.empty()) {
          switch_room(room);
          break;
        }
  }
}

void LosslessPeer::handle(const Event& e, TimePoint now) {
  switch (e.type) {
    case EventType::welcome:
      on_welcome(e, now);
      break;
    case EventType::msg: {
      JoinView* v = view();
      if (!v || !v->open || v->room != e.room) break;  // a room it is leaving or not in yet
      v->msgs.push_back(SeenMsg{e.seq, e.body, e.id, e.from});
      RoomState& rs = rooms_[v->room];
      rs.last = std::max(rs.last, e.seq);  // as a client keeps its resume point
      if (echo_acks_ && e.from == granted_nick_ && !e.id.empty())
        on_ack(e.room, e.id, e.seq, true, now);
      break;
    }
    case EventType::missed:
      if (JoinView* v = view(); v && v->open && v->room == e.room)
        v->missed.push_back(MissedRange{e.reason, e.missed_from, e.missed_to, v->msgs.size()});
      if (e.reason == "restart") rooms_[e.room].last = 0;  // its seqs mean nothing now
      break;
    case EventType::ack:
      on_ack(e.room, e.id, e.seq, false, now);
      break;
    case EventType::error:
      if (e.code == "unavailable") {
        resend_due_ = true;
        resend_at_ = now + 300ms;
      } else {
        record_.errors.push_back(nick_ + ": " + e.code + " " + e.message);
      }
      break;
    default:
      break;  // presence and member pages are not checked here
  }
}

void LosslessPeer::on_welcome(const Event& e, TimePoint now) {
  if (e.room != pending_room_) return;  // the answer to a join it has since replaced
  end_view(now, 0, {});
  JoinView v;
  v.peer = index_;
  v.relay = relay_;
  v.room = e.room;
  if (auto it = rooms_.find(e.room); it != rooms_.end()) {
    v.has_since = true;
    v.since = it->second.last;
    v.asked_epoch = it->second.epoch;
  }
  v.epoch = e.epoch;
  v.first = e.first;
  v.next = e.seq;
  v.welcomed = now;
  record_.joins.push_back(std::move(v));
  view_ = static_cast<int>(record_.joins.size()) - 1;
  RoomState& rs = rooms_[e.room];
  if (rs.epoch != e.epoch) rs.last = 0;
  rs.epoch = e.epoch;
  granted_nick_ = e.nick;
  state_ = State::joined;
  resend(now, false);
}

void LosslessPeer::on_ack(const std::string& room_named, const std::string& id, Seq seq,
                          bool by_echo, TimePoint now) {
  auto sent = sent_.find(id);
  if (sent == sent_.end()) {
    record_.errors.push_back(nick_ + ": ack for an id it never sent: " + id);
    return;
  }
  AckSeen a;
  a.peer = index_;
  a.room_sent = sent->second.room;
  a.room_named = room_named;
  a.id = id;
  a.body = sent->second.body;
  a.seq = seq;
  if (JoinView* v = view(); v && v->room == room_named) a.epoch = v->epoch;
  a.first_sent = sent->second.first_sent;
  a.acked = now;
  a.by_echo = by_echo;
  record_.acks.push_back(std::move(a));
  auto& entries = outbox_[sent->second.room];
  for (auto it = entries.begin(); it != entries.end(); ++it)
    if (it->id == id) {
      entries.erase(it);
      break;
    }
}

void LosslessPeer::resend(TimePoint now, bool stale_only) {
  for (Entry& entry : outbox_[pending_room_]) {
    if (stale_only && now - entry.last_sent < 3s) continue;
    Event e;
    e.type = EventType::msg;
    e.body = entry.body;
    e.id = entry.id;
    entry.last_sent = now;
    if (!client_.send_event(e)) return;
  }
}

void LosslessPeer::end_view(TimePoint now, int code, const std::string& reason) {
  JoinView* v = view();
  if (!v || !v->open) return;
  v->open = false;
  v->ended = now;
  v->close_code = code;
  v->close_reason = reason;
}

void LosslessPeer::closed(TimePoint now, int code, const std::string& reason) {
  end_view(now, code, reason);
  state_ = State::offline;
  resend_due_ = false;
  // Spread the reconnects a little, as clients' backoff does.
  reconnect_at_ = now + std::chrono::milliseconds(100 + 37 * (index_ % 7));
}

void LosslessPeer::finish(TimePoint now) {
  if (JoinView* v = view(); v && v->open) v->at_end = true;
  end_view(now, 0, "end of run");
  for (const auto& [room, entries] : outbox_)
    for (const Entry& entry : entries)
      record_.unacked.push_back(nick_ + " room " + room + " id " + entry.id + " '" + entry.body +
                                "'");
}

}  // namespace hubchat::faults
