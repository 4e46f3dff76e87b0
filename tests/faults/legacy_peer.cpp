// The legacy peer of the fault run (see legacy_peer.hpp).
#include "tests/faults/legacy_peer.hpp"

namespace hubchat::faults {
namespace {

using namespace std::chrono_literals;

}  // namespace

LegacyPeer::LegacyPeer(int index, int home_relay, std::string room, Record& record)
    : index_(index),
      home_relay_(home_relay),
      nick_("g" + std::to_string(index)),
      room_(std::move(room)),
      record_(record) {}

LegacyView* LegacyPeer::view() {
  return view_ >= 0 ? &record_.legacy[static_cast<std::size_t>(view_)] : nullptr;
}

bool LegacyPeer::in_room() const {
  return connected_ && (!final_ || hello_back_);
}

bool LegacyPeer::saw(const std::string& body) const {
  if (!connected_ || view_ < 0) return false;
  for (const std::string& b : record_.legacy[static_cast<std::size_t>(view_)].bodies)
    if (b == body) return true;
  return false;
}

void LegacyPeer::post() {
  if (!connected_) return;  // no outbox: nothing to send it with
  client_.send(nick_ + "/" + std::to_string(++counter_) + "@" + room_);
}

void LegacyPeer::switch_room(const std::string& room, TimePoint now) {
  if (room == room_) return;
  room_ = room;
  if (connected_) {
    client_.ws().send_close(1000);
    client_.ws().disconnect();
    closed(now, 1000);
    reconnect_at_ = now;  // at once: this is a room switch, not a failure
  }
}

void LegacyPeer::drop(TimePoint now) {
  if (!connected_) return;
  client_.ws().disconnect();
  closed(now, 0);
}

void LegacyPeer::pump(TimePoint now, Cluster& cluster) {
  if (!connected_) {
    if (now < reconnect_at_) return;
    for (int k = 0; k < cluster.relay_count() && !connected_; ++k) {
      const int relay = (home_relay_ + k) % cluster.relay_count();
      const auto port = cluster.port_of(relay);
      if (!port) continue;
      test::ConnectOptions options;
      options.timeout = 1s;
      if (!client_.connect(*port, room_, nick_, options).upgraded()) continue;
      connected_ = true;
      LegacyView v;
      v.peer = index_;
      v.relay = relay;
      v.room = room_;
      v.opened = now;
      record_.legacy.push_back(std::move(v));
      view_ = static_cast<int>(record_.legacy.size()) - 1;
      hello_.clear();
      hello_back_ = false;
    }
    if (!connected_) {
      reconnect_at_ = now + 200ms;
      return;
    }
  }
  while (auto body = client_.next(Clock::now())) {
    view()->bodies.push_back(*body);
    if (!hello_.empty() && *body == hello_) hello_back_ = true;
  }
  if (client_.end().ended()) {
    closed(now, client_.end().kind == test::Received::Kind::close ? client_.end().close_code : 0);
    return;
  }
  if (final_ && hello_.empty()) {
    hello_ = nick_ + "/hello" + std::to_string(++counter_) + "@" + room_;
    client_.send(hello_);
  }
}

void LegacyPeer::closed(TimePoint now, int code) {
  if (LegacyView* v = view(); v && v->open) {
    v->open = false;
    v->ended = now;
    v->close_code = code;
  }
  connected_ = false;
  reconnect_at_ = now + std::chrono::milliseconds(150 + 41 * (index_ % 5));
}

void LegacyPeer::finish(TimePoint now) {
  if (LegacyView* v = view(); v && v->open) v->at_end = true;
  closed(now, 0);
}

}  // namespace hubchat::faults
