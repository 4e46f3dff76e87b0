// Lossless and legacy test peers on top of WsClient. See lossless_client.hpp.
#include "tests/support/lossless_client.hpp"

#include "shared/legacy_codec.hpp"
#include "shared/lossless_codec.hpp"

namespace hubchat::test {

void FrameStats::add(const Received& r) {
  ++messages;
  frames += r.fragments.size();
  bytes += r.data.size();
  max_message_bytes = std::max(max_message_bytes, r.data.size());
  for (std::size_t f : r.fragments) max_frame_bytes = std::max(max_frame_bytes, f);
}

HandshakeResult LosslessClient::connect(std::uint16_t port, ConnectOptions options) {
  options.subprotocol = std::string(lossless::kSubprotocol);
  *this = LosslessClient();
  return ws_.connect(port, options);
}

bool LosslessClient::send_event(const Event& event) {
  return ws_.send_text(lossless::encode(event));
}

bool LosslessClient::send_join(const std::string& room, const std::string& nick,
                               std::optional<Seq> since, std::optional<std::uint64_t> epoch) {
  Event e;
  e.type = EventType::join;
  e.room = room;
  e.nick = nick;
  if (since) e.has_since = true, e.since = *since;
  if (epoch) e.epoch = *epoch;
  return send_event(e);
}

bool LosslessClient::send_msg(std::string_view body) {
  Event e;
  e.type = EventType::msg;
  e.body = std::string(body);
  return send_event(e);
}

std::optional<Event> LosslessClient::connect_and_join(std::uint16_t port, const std::string& room,
                                                      const std::string& nick, Deadline deadline,
                                                      std::optional<Seq> since,
                                                      std::optional<std::uint64_t> epoch) {
  if (!connect(port).upgraded()) return std::nullopt;
  if (!send_join(room, nick, since, epoch)) return std::nullopt;
  return wait_for([](const Event& e) { return e.type == EventType::welcome; }, deadline);
}

bool LosslessClient::read_more(Deadline deadline) {
  if (end_.ended()) return false;
  for (;;) {
    Received r = ws_.receive(deadline);
    if (r.kind == Received::Kind::timeout) return false;
    if (r.ended()) {
      end_ = std::move(r);
      return false;
    }
    stats_.add(r);
    if (r.kind == Received::Kind::binary) {
      decode_errors_.push_back("binary frame from the relay");
      continue;
    }
    for (std::string_view line : lossless::split_batch(r.data)) {
      Event e;
      lossless::DecodeError err;
      if (lossless::decode(line, e, err)) {
        pending_.push_back(std::move(e));
      } else {
        decode_errors_.push_back(std::string(line) + " (" + err.message + ")");
      }
    }
    if (!pending_.empty()) return true;
  }
}

std::optional<Event> LosslessClient::next(Deadline deadline) {
  if (pending_.empty() && !read_more(deadline)) return std::nullopt;
  Event e = std::move(pending_.front());
  pending_.pop_front();
  if (e.type == EventType::msg) ++msg_count_;
  history_.push_back(e);
  return e;
}

std::optional<Event> LosslessClient::wait_for(const std::function<bool(const Event&)>& pred,
                                              Deadline deadline) {
  while (auto e = next(deadline)) {
    if (pred(*e)) return e;
  }
  return std::nullopt;
}

bool LosslessClient::collect_until(const std::function<bool(const std::vector<Event>&)>& pred,
                                   Deadline deadline) {
  while (!pred(history_)) {
    if (!next(deadline)) return false;
  }
  return true;
}

void LosslessClient::drain() {
  // A deadline already passed still lets poll() report what is readable now.
  while (next(Clock::now())) {
  }
}

std::vector<Event> LosslessClient::msgs(const std::string& room) const {
  std::vector<Event> out;
  for (const Event& e : history_)
    if (e.type == EventType::msg && (room.empty() || e.room == room)) out.push_back(e);
  return out;
}

HandshakeResult LegacyClient::connect(std::uint16_t port, const std::string& room,
                                      const std::string& nick, ConnectOptions options) {
  *this = LegacyClient();
  options.subprotocol.reset();
  std::string query;
  if (!room.empty()) query += "room=" + url_encode(room);
  if (!nick.empty()) query += (query.empty() ? "" : "&") + std::string("nick=") + url_encode(nick);
  options.path = "/ws" + (query.empty() ? std::string() : "?" + query);
  return ws_.connect(port, options);
}

std::optional<std::string> LegacyClient::next(Deadline deadline) {
  while (pending_.empty()) {
    if (end_.ended()) return std::nullopt;
    Received r = ws_.receive(deadline);
    if (r.kind == Received::Kind::timeout) return std::nullopt;
    if (r.ended()) {
      end_ = std::move(r);
      return std::nullopt;
    }
    stats_.add(r);
    for (std::string_view body : legacy::split_frame(r.data)) pending_.emplace_back(body);
  }
  std::string body = std::move(pending_.front());
  pending_.pop_front();
  history_.push_back(body);
  return body;
}

bool LegacyClient::wait_for(std::string_view body, Deadline deadline) {
  while (auto b = next(deadline)) {
    if (*b == body) return true;
  }
  return false;
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string describe(const Event& e) {
  std::string out(to_string(e.type));
  if (e.seq) out += "#" + std::to_string(e.seq);
  if (!e.room.empty()) out += "[" + e.room + "]";
  switch (e.type) {
    case EventType::msg:
      out += " " + e.from + ":'" + e.body.substr(0, 40) + "'";
      break;
    case EventType::welcome:
      out += " nick=" + e.nick + " epoch=" + std::to_string(e.epoch) +
             " first=" + std::to_string(e.first);
      break;
    case EventType::missed:
      out +=
          " " + e.reason + " " + std::to_string(e.missed_from) + ".." + std::to_string(e.missed_to);
      break;
    case EventType::error:
      out += " " + e.code + ": " + e.message;
      break;
    default:
      out += " " + e.nick;
  }
  return out;
}

std::string describe(const std::vector<Event>& events, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < events.size() && i < max; ++i) out += describe(events[i]) + "\n";
  if (events.size() > max) out += "... (" + std::to_string(events.size() - max) + " more)\n";
  return out;
}

}  // namespace hubchat::test
