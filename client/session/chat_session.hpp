// ChatSession: the client's protocol logic, between a Transport and the
// ChatModel. It connects, joins, resumes after drops (backoff with jitter,
// `since` = last seq held so nothing is missed or duplicated), switches rooms,
// renames, sends messages, fetches the member list's pages (MemberFetcher),
// and falls back to the legacy (gorilla) dialect when the server does not
// accept `hubchat.v1` (which subprotocol each attempt offers, and what its
// outcome means, is DialectChooser's job; this class carries it out). No
// ImGui and no sockets in here: the UI loop calls tick(now) once per frame and
// reads model(); tests drive it with an in-memory Transport and a fake clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/model/backoff.hpp"
#include "client/model/chat_model.hpp"
#include "client/session/dialect_chooser.hpp"
#include "client/session/member_fetcher.hpp"
#include "client/transport/transport.hpp"

namespace hubchat::client {

// What the user typed in the connect panel.
struct ConnectParams {
  std::string url;   // e.g. "ws://127.0.0.1:8080/ws" (an empty path becomes "/ws")
  std::string nick;  // requested nick; "" lets the relay pick one
  std::string room = "lobby";
  // A signed identity (JWT, docs/PROTOCOL.md "Signed identities"); "" = a
  // guest. Sent in every lossless join, and as `?token=` to a legacy server.
  std::string token;
};

// The URL actually dialed: `url` plus `room` and `nick` query parameters
// (percent-encoded, appended to any existing query, "/ws" added when the path
// is empty). The query is what a legacy server reads room and nick from; the
// lossless relay ignores it and uses `join`. `token` (legacy attempts only:
// the lossless join carries it, out of URLs and logs) is added as `?token=`.
std::string build_connect_url(std::string_view url, std::string_view room, std::string_view nick,
                              std::string_view token = {});

// How long the moderator menu mutes and bans for.
inline constexpr std::uint64_t kMuteSeconds = 10 * 60;
inline constexpr std::uint64_t kBanSeconds = 24 * 60 * 60;

class ChatSession {
 public:
  struct Options {
    Backoff::Options backoff{};
    // A connection attempt that has not opened after this long is abandoned
    // and retried (the browser and lws time out much later on some networks).
    std::chrono::milliseconds connect_timeout{10000};
    // When to ask for member-list pages (at most one full refetch per 5 s).
    MemberFetcher::Options member_fetch{};
  };

  // `backoff_random`: the backoff's random source (tests inject one; empty =
  // seeded from std::random_device). `dialect_memory`: where a legacy choice
  // is remembered between sessions (the browser's localStorage); null = only
  // for this session's life.
  explicit ChatSession(std::unique_ptr<Transport> transport);
  ChatSession(std::unique_ptr<Transport> transport, Options options,
              Backoff::Random backoff_random = {},
              std::unique_ptr<DialectMemory> dialect_memory = nullptr);
  ~ChatSession();

  ChatSession(const ChatSession&) = delete;
  ChatSession& operator=(const ChatSession&) = delete;

  // Starts connecting (closing any current connection). The room becomes the
  // active one. Rooms/history already in the model are kept, so reconnecting
  // to the same relay resumes. State: connecting.
  void connect(const ConnectParams& params, TimePoint now);

  // Closes the connection and stops retrying. State: disconnected.
  void disconnect();

  // Drives everything: handles transport events, fires reconnects when due,
  // abandons connection attempts that take too long. Call once per frame.
  void tick(TimePoint now);

  // Sends a chat message to the active room, body as typed (multi-line
  // allowed; the relay keeps newlines in the lossless dialect, a legacy
  // server turns them into spaces). Returns false (nothing sent) when not
  // connecting or connected (never connected, or disconnect()ed) or when the
  // body is empty / only whitespace. To a relay it goes with an id and stays
  // in the room's outbox ("sending") until the relay's `ack` comes back; it is
  // sent again after a reconnect, and the relay drops a second copy. While
  // (re)connecting it waits in the outbox.
  bool send_message(std::string_view body);

  // Makes `room` the active room and joins it on the relay, with `since` =
  // the last seq held there so only missing history is replayed. On a
  // legacy server (room is in the URL) this reconnects. While disconnected
  // it only changes the room the next connection will join.
  void switch_room(std::string_view room);

  // Asks for a new nick (the granted one arrives as a nick event and shows in
  // model().nick()). On a legacy server (nick is in the URL) this reconnects.
  void rename(std::string_view nick);

  // A new signed identity (or "" for none), e.g. a fresh token after the old
  // one expired. Joined: joins the room again with it (the relay resumes us
  // there). Stopped after a refusal: connects again. Otherwise the next join
  // carries it. Clears the last refusal.
  void set_token(std::string token);

  // Moderation (docs/PROTOCOL.md, "Moderation"): requests for the joined
  // room's relay. The relay decides (a refusal comes back as an `error`
  // forbidden); the client offers them per model().may_delete()/moderator().
  // False (nothing sent) when not joined on a lossless connection.
  bool delete_message(Seq seq);
  bool kick(std::string_view nick);
  bool mute(std::string_view nick, std::uint64_t seconds);
  bool ban(std::string_view nick, std::uint64_t seconds);

  const ChatModel& model() const { return model_; }
  // Mutable access for the view's own bookkeeping (e.g. set_active_room to
  // just look at a room without joining it). Prefer the methods above.
  ChatModel& model() { return model_; }

  ConnectionState state() const { return model_.connection().state; }
  // Connected in the legacy dialect (the server did not accept hubchat.v1).
  bool legacy() const { return legacy_; }
  // The dialect policy's state: what the next attempt offers, what is remembered.
  const DialectChooser& dialect() const { return chooser_; }
  const ConnectParams& params() const { return params_; }

 private:
  void start_attempt(TimePoint now);
  void reconnect_now();  // legacy room/nick change: the URL changed
  void handle(const TransportEvent& event, TimePoint now);
  void on_opened(const TransportEvent& event, TimePoint now);
  void on_message(std::string_view text);
  void on_failed_before_open(std::string reason, TimePoint now);
  void on_connection_lost(std::string reason, TimePoint now);
  // An `error` that answers our join or post with a refusal: told as such
  // (a refused join also puts us back in the previous room). False: an
  // ordinary error, for the model.
  bool on_refusal(const Event& error);
  // A close code of docs/PROTOCOL.md's trust and moderation range (4400-4405):
  // told as a refusal, and no reconnect (true). False: any other close.
  bool on_refused_close(const TransportEvent& event);
  bool moderate(Event request);
  bool moderate_member(EventType type, std::string_view nick, std::uint64_t seconds);
  void send_join(const std::string& room);
  void request_members(TimePoint now);      // the page MemberFetcher says is due, if any
  bool send_legacy(std::string_view body);  // a plain text message, noted as ours
  void send_event(const Event& event);
  void set_status(ConnectionStatus status);

  std::unique_ptr<Transport> transport_;
  Options options_;
  Backoff backoff_;
  std::unique_ptr<DialectMemory> dialect_memory_;  // before chooser_, which points into it
  DialectChooser chooser_;
  MemberFetcher member_fetcher_;
  ChatModel model_;
  ConnectParams params_;  // url + the nick/room to use on the next (re)connect
  // Exactly-once sends: the secret key our ids are unique within (sent with
  // every join), and ids = a random prefix of our own + a counter.
  std::string sender_key_;
  std::string id_prefix_;
  std::uint64_t next_id_ = 0;
  void send_outbox(const std::string& room);
  bool want_connected_ = false;
  // A join was sent and neither its welcome nor a refusal came yet.
  bool join_pending_ = false;
  bool legacy_ = false;
  bool opened_ = false;           // the current attempt's handshake completed
  std::uint64_t attempt_id_ = 0;  // bumped per attempt: events of older ones are dropped
  TimePoint now_{};               // last time given to connect()/tick(), for user actions
  TimePoint attempt_started_{};
  std::vector<TransportEvent> inbox_;  // reused by tick() to avoid reallocating
};

}  // namespace hubchat::client
