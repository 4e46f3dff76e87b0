// ChatSession (see chat_session.hpp): connect/join/resume/reconnect logic and
// the legacy-dialect fallback (decided by DialectChooser), over the Transport
// interface.
#include "client/session/chat_session.hpp"

#include <algorithm>
#include <random>
#include <utility>

#include "client/transport/ws_url.hpp"
#include "shared/legacy_codec.hpp"
#include "shared/lossless_codec.hpp"
#include "shared/utf8.hpp"

namespace hubchat::client {
namespace {

// `length` random hex digits: the sender key and the id prefix.
std::string random_token(std::size_t length) {
  std::random_device source;
  std::string token;
  constexpr char kHex[] = "0123456789abcdef";
  while (token.size() < length) {
    unsigned value = source();
    for (int i = 0; i < 8 && token.size() < length; ++i, value >>= 4) token += kHex[value & 15];
  }
  return token;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

bool only_whitespace(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

std::string describe_close(const TransportEvent& event) {
  std::string text = "closed (" + std::to_string(event.code);
  if (!event.text.empty()) text += " " + event.text;
  return text + ")";
}

}  // namespace

std::string build_connect_url(std::string_view url, std::string_view room, std::string_view nick,
                              std::string_view token) {
  const UrlParts parts = split_url(url);
  std::string scheme = parts.scheme.empty() ? "ws" : parts.scheme;
  // People paste the page address: map it to the socket's scheme.
  if (scheme == "http") scheme = "ws";
  if (scheme == "https") scheme = "wss";
  std::string_view query = parts.query;

  std::string out = scheme + "://" + std::string{parts.authority};
  out += parts.path.empty() ? std::string_view{"/ws"} : parts.path;

  // Keep the user's own parameters, minus room/nick which we set.
  std::string params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const std::string_view name = param.substr(0, param.find('='));
    if (param.empty() || name == "room" || name == "nick") continue;
    if (name == "token" && !token.empty()) continue;  // ours replaces it
    if (!params.empty()) params += '&';
    params += param;
  }
  const auto add = [&params](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    if (!params.empty()) params += '&';
    params += name;
    params += '=';
    params += percent_encode(value);
  };
  add("room", room);
  add("nick", nick);
  add("token", token);
  if (!params.empty()) out += "?" + params;
  return out;
}

ChatSession::ChatSession(std::unique_ptr<Transport> transport)
    : ChatSession(std::move(transport), Options{}) {}

ChatSession::ChatSession(std::unique_ptr<Transport> transport, Options options,
                         Backoff::Random backoff_random,
                         std::unique_ptr<DialectMemory> dialect_memory)
    : transport_(std::move(transport)),
      options_(options),
      backoff_(options.backoff, std::move(backoff_random)),
      dialect_memory_(std::move(dialect_memory)),
      chooser_(dialect_memory_.get()),
      member_fetcher_(options.member_fetch),
      sender_key_(random_token(32)),
      id_prefix_(random_token(8)) {}

ChatSession::~ChatSession() {
  // A clean close frame tells the relay we left (it logs a leave at once
  // rather than after a pong timeout).
  if (transport_) transport_->close(1000, "client closing");
}

void ChatSession::connect(const ConnectParams& params, TimePoint now) {
  transport_->close(1000, "reconnecting");
  model_.clear_joined();
  params_ = params;
  if (params_.room.empty()) params_.room = "lobby";
  model_.set_active_room(params_.room);
  model_.set_nick(params_.nick);
  model_.clear_refusal();
  want_connected_ = true;
  backoff_.reset();
  // Remembered per server as the user gave it (scheme, host, path, own query;
  // not room or nick, which a legacy server reads from the URL).
  chooser_.select_server(build_connect_url(params_.url, {}, {}));
  now_ = now;
  start_attempt(now);
}

void ChatSession::disconnect() {
  want_connected_ = false;
  transport_->close(1000, "bye");
  legacy_ = false;
  model_.clear_joined();
  ConnectionStatus status;
  status.url = params_.url;
  set_status(status);
}

void ChatSession::start_attempt(TimePoint now) {
  legacy_ = false;
  opened_ = false;
  join_pending_ = false;
  ++attempt_id_;
  member_fetcher_.cancel();  // a new connection: nothing asked on the old one is coming
  attempt_started_ = now;
  ConnectionStatus status;
  status.state = ConnectionState::connecting;
  status.url = params_.url;
  status.attempt = backoff_.attempt();
  status.last_error = model_.connection().last_error;
  std::vector<std::string> offer;
  if (chooser_.offer_lossless()) offer.emplace_back(lossless::kSubprotocol);
  // Only a legacy attempt carries the token in its URL (a relay reads it
  // there for legacy pages); a lossless one sends it in the join.
  const std::string url = build_connect_url(params_.url, params_.room, params_.nick,
                                            offer.empty() ? params_.token : std::string{});
  if (!transport_->connect(url, offer)) {
    // A URL we cannot parse will not get better by retrying.
    want_connected_ = false;
    status.state = ConnectionState::disconnected;
    status.last_error = "invalid server URL: " + params_.url;
  }
  set_status(std::move(status));
}

void ChatSession::tick(TimePoint now) {
  now_ = now;
  inbox_.clear();
  transport_->poll(inbox_);
  const std::uint64_t attempt = attempt_id_;
  for (const TransportEvent& event : inbox_) {
    // Handling an event may end this connection and start another (a probe,
    // an immediate retry): what is left in the batch belongs to the old one.
    if (attempt_id_ != attempt) break;
    handle(event, now);
  }
  inbox_.clear();
  request_members(now);

  const ConnectionStatus& status = model_.connection();
  if (status.state == ConnectionState::reconnecting && want_connected_ &&
      now >= status.next_retry) {
    start_attempt(now);
  } else if (status.state == ConnectionState::connecting &&
             now - attempt_started_ >= options_.connect_timeout) {
    transport_->close(1000, "connect timeout");
    chooser_.on_timed_out();  // unreachable, not a handshake answer
    on_connection_lost("connection attempt timed out", now);
  }
}

void ChatSession::handle(const TransportEvent& event, TimePoint now) {
  switch (event.kind) {
    case TransportEvent::Kind::opened:
      on_opened(event, now);
      break;
    case TransportEvent::Kind::message:
      on_message(event.text);
      break;
    case TransportEvent::Kind::closed:
      if (opened_ && on_refused_close(event)) break;
      [[fallthrough]];
    case TransportEvent::Kind::error: {
      std::string reason = event.kind == TransportEvent::Kind::closed ? describe_close(event)
                           : event.text.empty()                       ? "connection failed"
                                                                      : event.text;
      if (opened_) {
        on_connection_lost(std::move(reason), now);
      } else {
        on_failed_before_open(std::move(reason), now);
      }
      break;
    }
  }
}

void ChatSession::on_opened(const TransportEvent& event, TimePoint now) {
  opened_ = true;
  const DialectChooser::Verdict verdict = chooser_.on_opened(event.subprotocol);
  if (verdict == DialectChooser::Verdict::probe_only) {
    // Nothing is sent on a probe: it may be the relay, taking us for a
    // legacy client. Close it and ask again with hubchat.v1 at once.
    transport_->close(1000, "dialect probe");
    start_attempt(now);
    return;
  }
  // Legacy: the gorilla dialect, raw text frames, room and nick from the URL;
  // nothing lossless (no join) is ever sent on this connection.
  legacy_ = verdict == DialectChooser::Verdict::legacy;
  ConnectionStatus status = model_.connection();
  status.state = ConnectionState::connected;
  status.legacy = legacy_;
  status.joined = legacy_;
  if (legacy_) {
    // No welcome will come: the open handshake is all the success we get.
    // What waited for the connection goes now; nobody can acknowledge it.
    if (const Room* room = model_.find_room(params_.room))
      for (const OutgoingMessage& pending : room->outbox()) send_legacy(pending.body);
    model_.clear_outbox(params_.room);
    backoff_.reset();
    status.attempt = 0;
    status.last_error.clear();
    model_.set_nick(params_.nick);
    set_status(std::move(status));
    return;
  }
  set_status(std::move(status));
  send_join(params_.room);
}

void ChatSession::on_message(std::string_view text) {
  if (legacy_) {
    // No time from the server: the line shows when it reached us.
    const auto received = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    for (const std::string_view body : legacy::split_frame(text))
      model_.apply_legacy_message(body, received.count());
    return;
  }
  for (const std::string_view line : lossless::split_batch(text)) {
    Event event;
    lossless::DecodeError error;
    // Undecodable lines (e.g. an event type from a newer relay) are skipped:
    // the protocol promises forward compatibility, not a closed set.
    if (!lossless::decode(line, event, error)) continue;
    if (event.type == EventType::error && on_refusal(event)) continue;
    model_.apply(event);
    member_fetcher_.observe(event, now_);
    if (event.type == EventType::welcome) send_outbox(event.room);
    if (event.type == EventType::welcome) {
      join_pending_ = false;
      // Joined: this is what counts as a successful connection (a server
      // that accepts then drops us, e.g. 1013 "server full", does not reset).
      backoff_.reset();
      ConnectionStatus status = model_.connection();
      status.joined = true;
      status.attempt = 0;
      status.last_error.clear();
      set_status(std::move(status));
    }
  }
}

void ChatSession::on_failed_before_open(std::string reason, TimePoint now) {
  // The handshake never completed: to a browser, a server that rejected our
  // subprotocol looks just like one that is down. The chooser decides
  // whether to try the other offer at once or to back off.
  if (chooser_.on_failed_before_open() == DialectChooser::Next::back_off || !want_connected_) {
    on_connection_lost(std::move(reason), now);
    return;
  }
  ConnectionStatus status = model_.connection();
  status.last_error = std::move(reason);
  set_status(std::move(status));
  start_attempt(now);
}

bool ChatSession::on_refusal(const Event& error) {
  const std::string& code = error.code;
  const bool join_answer = join_pending_ && (code == "forbidden" || code == "banned" ||
                                             code == "bad_token" || code == "token_expired");
  if (join_answer) {
    join_pending_ = false;
    const std::string refused = params_.room;
    // The relay leaves the session where it was: so does the client.
    if (!model_.joined_room().empty() && model_.joined_room() != refused) {
      params_.room = model_.joined_room();
      model_.set_active_room(params_.room);
    }
    Refusal refusal{RefusalKind::join, refused, "you may not join #" + refused};
    if (code == "banned")
      refusal = {RefusalKind::banned, refused, "you are banned from #" + refused};
    if (code == "bad_token")
      refusal = {RefusalKind::bad_token, refused, "your sign-in was refused (invalid token)"};
    if (code == "token_expired")
      refusal = {RefusalKind::token_expired, refused, "your sign-in expired: sign in again"};
    model_.refuse(std::move(refusal));
    return true;
  }
  // A refused post: it will never be accepted, so it does not wait to be sent again.
  if (code == "muted" || code == "forbidden") {
    const std::string room = model_.joined_room();
    const Room* known = model_.find_room(room);
    if (!known || known->outbox().empty()) return false;  // not about a post of ours
    model_.clear_outbox(room);
    if (code == "muted") {
      model_.refuse({RefusalKind::muted, room, "you are muted"});
    } else {
      model_.refuse({RefusalKind::read_only, room, "guests may only read here: sign in to post"});
    }
    return true;
  }
  return false;
}

bool ChatSession::on_refused_close(const TransportEvent& event) {
  if (event.code < 4400 || event.code > 4405) return false;
  const std::string why = event.text.empty() ? "" : " (" + event.text + ")";
  Refusal refusal{RefusalKind::forbidden, params_.room, "refused by the relay" + why};
  switch (event.code) {
    case 4400:
      refusal = {RefusalKind::bad_token, params_.room, "your sign-in was refused (invalid token)"};
      break;
    case 4401:
      refusal = {RefusalKind::sign_in, params_.room, "this relay needs you to sign in"};
      break;
    case 4402:
      refusal = {RefusalKind::token_expired, params_.room, "your sign-in expired: sign in again"};
      break;
    case 4404:
      refusal = {RefusalKind::kicked, params_.room,
                 event.text.empty() ? std::string{"kicked"} : event.text};
      break;
    case 4405:
      refusal = {RefusalKind::banned, params_.room,
                 event.text.empty() ? std::string{"banned"} : event.text};
      break;
    default:  // 4403: read-only or a private room, said in the reason
      break;
  }
  // Retrying would only be refused again (or, kicked, defy the moderator):
  // the user decides (Connect again, or a new token).
  want_connected_ = false;
  model_.refuse(std::move(refusal));
  on_connection_lost(describe_close(event), now_);
  model_.clear_identity();
  return true;
}

void ChatSession::on_connection_lost(std::string reason, TimePoint now) {
  model_.clear_joined();
  legacy_ = false;
  ConnectionStatus status = model_.connection();
  status.legacy = false;
  status.joined = false;
  status.last_error = std::move(reason);
  if (!want_connected_) {
    status.state = ConnectionState::disconnected;
    set_status(std::move(status));
    return;
  }
  const auto delay = backoff_.next();
  status.state = ConnectionState::reconnecting;
  status.attempt = backoff_.attempt();
  status.next_retry = now + delay;
  set_status(std::move(status));
}

void ChatSession::send_join(const std::string& room) {
  Event join;
  join.type = EventType::join;
  join.room = room;
  join.token = params_.token;
  join_pending_ = true;
  // Until the relay has welcomed this connection (first join, or a join it
  // refused, e.g. bad_name) the join carries our nick; a later room switch
  // omits it so the relay keeps the nick it granted.
  if (!model_.connection().joined) join.nick = params_.nick;
  join.key = sender_key_;
  // Resume: ask only for what we lack, and say which relay run our seq came
  // from so a restarted relay can tell us our history is void.
  if (const Room* known = model_.find_room(room);
      known && known->welcomed() && known->epoch() != 0) {
    join.has_since = true;
    join.since = known->last_seq();
    join.epoch = known->epoch();
  }
  send_event(join);
}

void ChatSession::request_members(TimePoint now) {
  if (state() != ConnectionState::connected || legacy_) return;
  // A welcome for a room we already asked to leave (switched before it came):
  // the relay would answer for the next room, so ask nothing until its welcome.
  if (model_.joined_room() != params_.room) return;
  if (auto after = member_fetcher_.next_request(now)) {
    Event request;
    request.type = EventType::members;
    request.after = std::move(*after);
    send_event(request);
  }
}

bool ChatSession::send_legacy(std::string_view body) {
  if (!transport_->send_text(body)) return false;
  // Remembered as the server will echo it, so the echo shows as ours.
  model_.note_legacy_sent(legacy::normalize_incoming(body));
  return true;
}

void ChatSession::send_event(const Event& event) {
  transport_->send_text(lossless::encode(event));
}

bool ChatSession::send_message(std::string_view body) {
  if (!want_connected_) return false;
  if (only_whitespace(body) || !is_valid_utf8(body)) return false;
  if (state() == ConnectionState::connected && legacy_) return send_legacy(body);
  model_.queue_outgoing(params_.room, id_prefix_ + "-" + std::to_string(++next_id_),
                        std::string{body});
  if (state() == ConnectionState::connected && model_.joined_room() == params_.room) {
    Event msg;
    msg.type = EventType::msg;
    msg.body = std::string{body};
    msg.id = model_.find_room(params_.room)->outbox().back().id;
    send_event(msg);
  }
  return true;
}

// After a welcome: whatever the relay has not acknowledged goes again, in
// order. What it already has comes back as an `ack` (or in the replay).
void ChatSession::send_outbox(const std::string& room) {
  const Room* known = model_.find_room(room);
  if (!known) return;
  for (const OutgoingMessage& pending : known->outbox()) {
    Event msg;
    msg.type = EventType::msg;
    msg.body = pending.body;
    msg.id = pending.id;
    send_event(msg);
  }
}

void ChatSession::switch_room(std::string_view room) {
  if (room.empty()) return;
  const bool changed = room != params_.room;
  params_.room = std::string{room};
  model_.set_active_room(room);
  if (!changed || state() != ConnectionState::connected) return;
  if (legacy_) {
    // The room is part of a legacy server's URL: a new connection it is.
    reconnect_now();
  } else {
    member_fetcher_.cancel();  // the old room's list is of no use any more
    send_join(params_.room);
  }
}

void ChatSession::rename(std::string_view nick) {
  if (nick.empty() || nick == params_.nick) return;
  params_.nick = std::string{nick};
  if (state() != ConnectionState::connected) {
    model_.set_nick(params_.nick);  // shown until a relay grants it
    return;
  }
  if (legacy_) {
    reconnect_now();
    return;
  }
  if (!model_.connection().joined) {
    // Not in a room yet (the relay refused our join, e.g. bad_name): a nick
    // event would only earn "not_joined"; join again with the new nick.
    send_join(params_.room);
    return;
  }
  Event event;
  event.type = EventType::nick;
  event.nick = params_.nick;
  send_event(event);
}

void ChatSession::set_token(std::string token) {
  params_.token = std::move(token);
  model_.clear_refusal();
  if (params_.url.empty()) return;  // never connected: connect() will use it
  if (!want_connected_) {
    connect(params_, now_);  // stopped (expired, refused): resume with the new identity
  } else if (state() == ConnectionState::connected && legacy_) {
    reconnect_now();  // the token is part of a legacy URL
  } else if (state() == ConnectionState::connected) {
    send_join(params_.room);  // the relay checks it at join: join again, resuming
  }
}

bool ChatSession::moderate(Event request) {
  const auto& conn = model_.connection();
  if (conn.state != ConnectionState::connected || !conn.joined || legacy_) return false;
  send_event(request);
  return true;
}

bool ChatSession::delete_message(Seq seq) {
  Event request;
  request.type = EventType::delete_msg;
  request.seq = seq;
  return seq != 0 && moderate(std::move(request));
}

bool ChatSession::moderate_member(EventType type, std::string_view nick, std::uint64_t seconds) {
  Event request;
  request.type = type;
  request.nick = std::string{nick};
  request.seconds = seconds;
  return !nick.empty() && moderate(std::move(request));
}

bool ChatSession::kick(std::string_view nick) {
  return moderate_member(EventType::kick, nick, 0);
}

bool ChatSession::mute(std::string_view nick, std::uint64_t seconds) {
  return moderate_member(EventType::mute, nick, seconds);
}

bool ChatSession::ban(std::string_view nick, std::uint64_t seconds) {
  return moderate_member(EventType::ban, nick, seconds);
}

void ChatSession::reconnect_now() {
  transport_->close(1000, "reconnecting");
  model_.clear_joined();
  backoff_.reset();
  start_attempt(now_);
}

void ChatSession::set_status(ConnectionStatus status) {
  status.url = params_.url;
  model_.set_connection(std::move(status));
}

}  // namespace hubchat::client
