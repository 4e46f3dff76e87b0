// The chat client's model: rooms, their logs (messages ordered by seq, presence
// and notices where they arrived), member lists and counts, unread counts,
// resume positions, the relay epoch, the connection state and the current
// nick. It has no ImGui, no sockets and no OS headers in it, so it is
// unit-tested natively and builds with em++ unchanged.
//
// Who writes what: ChatSession feeds decoded relay events into apply() (or
// legacy bodies into apply_legacy_message()) and sets the connection state;
// the view only reads, plus set_active_room() when the user looks at a room
// (which is done through ChatSession::switch_room so the relay hears of it).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "shared/event.hpp"

namespace hubchat::client {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// What a log line shows.
enum class LineKind {
  message,  // a chat message: `from` said `body`
  join,     // `from` entered the room
  leave,    // `from` left the room
  nick,     // `from` is now called `nick`
  system,   // a client-side notice (missed history, relay errors...): `body`
};

// One line of a room's log.
struct Line {
  LineKind kind = LineKind::message;
  // Message: its relay seq (per room, per epoch); in legacy mode a local
  // arrival counter. Any other line (presence, notices) has no seq of its own:
  // this is the seq it follows (0: before every message), usually the highest
  // held when it arrived.
  Seq seq = 0;
  // 0 for a message. Other lines: a per-room arrival number, so lines that
  // follow the same seq keep their arrival order after that message and
  // before the next one, and can never be taken for a message (duplicate
  // suppression and has_seq look at messages only).
  std::uint64_t order = 0;
  // Bumped each time the room's seqs restart (relay restarted, new epoch), so
  // lines of an older epoch stay above the new ones instead of interleaving.
  std::uint32_t generation = 0;
  // Relay clock, ms since the Unix epoch; legacy: when this client received
  // it (its own clock); 0 if unknown.
  std::int64_t ts = 0;
  std::string from;       // message: sender ("" in legacy mode); join/leave: who; nick: old name
  std::string nick;       // nick: the new name
  std::string body;       // message: the text as sent (may hold '\n'); system: the notice
  bool replayed = false;  // message from history (seq < welcome.seq), not live
  // Legacy message that is this user's own (`from` is unknown there): the
  // echo of a body this client sent, matched by text.
  bool own = false;
  // Message from a verified sender: its user id (the token's sub); "" for a
  // guest, a bot (/api/publish) or a legacy line.
  std::string uid;
  // Message deleted by a moderator or its author (a `deleted` event or a
  // tombstone in the history): the body is gone, `by` says who did it.
  bool deleted = false;
  std::string by;

  bool operator==(const Line&) const = default;
};

// Human-readable text of a line without the sender prefix, e.g.
// "jun joined", "jun is now jun2", the message body, or "message deleted".
// Handy for the view.
std::string describe(const Line& line);

// A room as the client knows it. Read-only for everyone but ChatModel.
// A message the user sent that the relay has not acknowledged yet (its own
// copy has not come back): shown as "sending", sent again after a reconnect.
struct OutgoingMessage {
  std::string id;  // the msg's `id`, unique within this client's sender key
  std::string body;
  bool operator==(const OutgoingMessage&) const = default;
};

class Room {
 public:
  explicit Room(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  // The log, oldest first, ordered by (generation, seq, order): messages by
  // seq, other lines after the message they followed when they arrived. A
  // deque so the view can index it (ImGuiListClipper) and old lines can be
  // trimmed cheaply.
  const std::deque<Line>& lines() const { return lines_; }

  // The nicks known to be in the room, sorted (byte order, as the relay
  // sorts). Only meaningful for the room the client is joined to (the relay
  // tells nothing about other rooms); empty in legacy mode (a gorilla-style
  // server has no presence). In a large room this is a part of the list until
  // every page has arrived: see members_complete().
  const std::vector<std::string>& members() const { return members_; }

  // How many members the relay says the room has (this client included),
  // from the latest welcome/join/leave/presence/members event. It may exceed
  // members().size() while the list is incomplete; 0 when unknown (legacy).
  std::uint64_t member_count() const { return member_count_; }

  // True when members() is the relay's whole list: pages from the start to
  // the end arrived since the welcome or the last `presence` summary.
  bool members_complete() const { return listed_ && listed_all_; }

  // Chat messages that arrived while this room was not the active one.
  int unread() const { return unread_; }

  // Sent but not acknowledged yet, oldest first (see OutgoingMessage).
  const std::deque<OutgoingMessage>& outbox() const { return outbox_; }

  // Highest seq held from `epoch()`; 0 when none. This is the `since` sent
  // when (re)joining, so the relay replays only what we lack.
  Seq last_seq() const { return last_seq_; }

  // Relay epoch that last_seq() belongs to; 0 when unknown.
  std::uint64_t epoch() const { return epoch_; }

  // True when a welcome was received for this room on the current or a
  // previous connection (so last_seq/epoch can be used for resume).
  bool welcomed() const { return welcomed_; }

  // True if an event with this seq (current generation) is in the log.
  bool has_seq(Seq seq) const;

  // Incremented on every change to this room (lines, members, unread): lets
  // the view notice new lines (auto-scroll) without diffing.
  std::uint64_t version() const { return version_; }

 private:
  friend class ChatModel;

  // Inserts in order; returns false (and changes nothing) for a message whose
  // seq is already held.
  bool insert(Line line);
  // Inserts a line without a seq of its own after everything held (or, with
  // `after_seq`, after that message), in arrival order.
  void insert_unsequenced(Line line);
  void insert_unsequenced(Line line, Seq after_seq);
  void trim(std::size_t max_lines);
  // A page of the member list (docs/PROTOCOL.md, Presence): the nicks sorted
  // after `after` up to the page's last one (to the end when !more) become
  // exactly `page`.
  void apply_page(const std::string& after, std::vector<std::string> page, bool more);
  void add_member(const std::string& nick);
  void remove_member(const std::string& nick);
  // The relay's count when it sent one (a relay never sends 0: the receiving
  // client is a member); without one, a complete list is its own count.
  void update_count(std::uint64_t count);

  std::string name_;
  std::deque<Line> lines_;
  std::deque<OutgoingMessage> outbox_;
  std::uint64_t next_order_ = 1;  // Line::order of the next unsequenced line
  std::vector<std::string> members_;
  std::uint64_t member_count_ = 0;
  // Which part of members_ is the relay's list: the nicks from the start up
  // to and including listed_to_ (to the end when listed_all_) are exact when
  // listed_. A welcome starts it, pages extend it, a presence summary ends it.
  bool listed_ = false;
  bool listed_all_ = false;
  std::string listed_to_;
  int unread_ = 0;
  Seq last_seq_ = 0;
  std::uint64_t epoch_ = 0;
  bool welcomed_ = false;
  std::uint32_t generation_ = 0;
  // Messages with seq >= this are live; those below were replayed.
  Seq live_from_ = 0;
  Seq legacy_counter_ = 0;
  std::uint64_t version_ = 0;
};

enum class ConnectionState {
  disconnected,  // not connected and not trying (initial, or after disconnect())
  connecting,    // a connection attempt is in flight (attempt > 0: it is a retry)
  connected,     // the WebSocket is open (joined() tells whether welcome came)
  reconnecting,  // the connection was lost; waiting until next_retry to try again
};

// "disconnected", "connecting", "connected" or "reconnecting".
const char* to_string(ConnectionState state);

// Why the relay refused something the user did or was (docs/PROTOCOL.md,
// "Signed identities" and "Moderation"): shown as a refusal, in words, and
// not as a connection error.
enum class RefusalKind {
  none,
  join,           // a join refused (private room, `forbidden`): still in the previous room
  banned,         // a join refused with `banned`, or closed with 4405
  muted,          // a post refused with `muted`
  read_only,      // a guest's post refused (`--anonymous read`)
  kicked,         // closed with 4404 "kicked by X"
  token_expired,  // `token_expired`, or closed with 4402: sign in again
  bad_token,      // `bad_token`, or closed with 4400
  sign_in,        // closed with 4401: the relay admits no guests
  forbidden,      // closed with 4403 (legacy: private room or read-only)
};

// "none", "join", "banned", ...
const char* to_string(RefusalKind kind);

struct Refusal {
  RefusalKind kind = RefusalKind::none;
  std::string room;  // the room it concerns ("" when none in particular)
  std::string text;  // what the user is told, e.g. "you may not join #ops"
  bool operator==(const Refusal&) const = default;
};

struct ConnectionStatus {
  ConnectionState state = ConnectionState::disconnected;
  std::string url;         // server URL as given by the user
  int attempt = 0;         // retries since the last successful connection
  TimePoint next_retry{};  // reconnecting: when the next attempt starts
  std::string last_error;  // why the last connection failed or closed; "" if none
  bool legacy = false;     // connected: the server accepted no subprotocol
  bool joined = false;     // connected: welcome received (or legacy: always once open)
};

class ChatModel {
 public:
  struct Options {
    // Oldest lines of a room are dropped beyond this, to bound memory in a
    // long-running client. The resume position is not affected.
    std::size_t max_lines_per_room = 5000;
  };

  ChatModel() = default;
  explicit ChatModel(Options options) : options_(options) {}

  // ---- rooms ----
  using RoomMap = std::map<std::string, Room, std::less<>>;
  const RoomMap& rooms() const { return rooms_; }
  const Room* find_room(std::string_view name) const;
  // The room named `name`, created empty if unknown.
  const Room& room(std::string_view name) { return ensure_room(name); }

  // The room the user is looking at ("" before the first connect). Setting it
  // creates the room if needed and resets its unread count.
  const std::string& active_room() const { return active_room_; }
  void set_active_room(std::string_view name);

  // The room the relay last welcomed us into on this connection ("" when not
  // joined). Differs from active_room() briefly after a room switch.
  const std::string& joined_room() const { return joined_room_; }

  // ---- events (lossless dialect) ----
  // Applies one relay -> client event:
  //  welcome: joined room, granted nick, epoch; the member list becomes the
  //           welcome's first page and the count the relay's; a different
  //           epoch than the room's starts a new generation (old seqs mean
  //           nothing any more).
  //  msg:     a log line at its seq (ignored if the seq is already held:
  //           resume overlap); replayed when seq < welcome.seq.
  //  join/leave/nick: presence, always live (no seq): a line at the end of
  //           the log, one nick added/removed/renamed, the count updated; a
  //           nick event renaming us updates nick().
  //  members: a page of the member list (range rule, see Room::apply_page).
  //  presence: the count; the list is no longer complete (refetch it).
  //  missed:  a system line ("N messages were missed" or "the relay restarted,
  //           history was lost").
  //  error:   a system line in the active room, and last_error().
  //  deleted: the message at that seq shows as "message deleted", body gone
  //           (a tombstone msg, `deleted: true`, does the same).
  // Refusals (errors that answer a join or a post, refusing closes) are
  // ChatSession's to recognise; it reports them with refuse().
  void apply(const Event& event);

  // ---- legacy dialect ----
  // Appends a body received from a gorilla-style server to the active room,
  // in arrival order with a local counter as seq, no sender, `received_ms`
  // (wall clock) as ts, and `own` set when it is the echo of a body noted
  // with note_legacy_sent().
  void apply_legacy_message(std::string_view body, std::int64_t received_ms = 0);
  // A body this client sent to a legacy server, as the server will echo it
  // (legacy::normalize_incoming): its echo is marked as the user's own.
  void note_legacy_sent(std::string body);

  // Appends a client-side notice to `room` (after everything it holds).
  void add_system_line(std::string_view room, std::string text);

  // ---- the outbox (exactly-once sends) ----
  // Keeps a message for `room` until the relay acknowledges `id` with an
  // `ack` event (sent to the sender alone). A `msg` carrying that id does not
  // remove it: anyone in the room can send that id.
  void queue_outgoing(std::string_view room, std::string id, std::string body);
  // Drops what the outbox holds for `room` (sent where no relay can
  // acknowledge it: a legacy server).
  void clear_outbox(std::string_view room);

  // ---- identity ----
  // The nick granted by the relay (welcome / our own nick event), or the one
  // requested until the relay answers.
  const std::string& nick() const { return nick_; }
  void set_nick(std::string nick) { nick_ = std::move(nick); }

  // The relay epoch from the last welcome (0 before any).
  std::uint64_t epoch() const { return epoch_; }

  // The last `error` event the relay sent, as "code: message"; "" if none.
  const std::string& last_error() const { return last_error_; }

  // The user's signed identity as the last welcome gave it: user id and role
  // ("member", "moderator", "admin"); both "" for a guest.
  const std::string& uid() const { return uid_; }
  const std::string& role() const { return role_; }
  bool verified() const { return !uid_.empty(); }
  // May delete any message and kick, mute or ban (role moderator or admin).
  bool moderator() const { return role_ == "moderator" || role_ == "admin"; }
  // May delete this message: a moderator any, a verified author its own.
  bool may_delete(const Line& line) const;
  // Forgets the identity (a new connection: its welcome tells again).
  void clear_identity();

  // The last refusal (kind none when there was none since clear_refusal()):
  // recorded, and told as a system line in the active room.
  const Refusal& refusal() const { return refusal_; }
  void refuse(Refusal refusal);
  void clear_refusal();

  // ---- connection ----
  const ConnectionStatus& connection() const { return connection_; }
  void set_connection(ConnectionStatus status);
  // Called when a connection ends: nothing is joined any more.
  void clear_joined() { joined_room_.clear(); }

  // One line for the status bar, e.g. "Connected to ws://h:8080/ws as mina",
  // "Reconnecting in 3.2 s (attempt 4): connection refused",
  // "Connected (legacy server: no history, no member list)".
  std::string status_text(TimePoint now) const;

  // Incremented on every change anywhere in the model.
  std::uint64_t version() const { return version_; }

  // Live chat messages from others received so far, in every room (not
  // replayed history, not our own copies): the page counts what arrived while
  // its tab was hidden with this.
  std::uint64_t received_live() const { return received_live_; }

 private:
  Room& ensure_room(std::string_view name);
  void apply_welcome(const Event& event);
  void apply_message(const Event& event);
  void apply_presence(const Event& event);
  void apply_members(const Event& event);
  void apply_summary(const Event& event);
  void apply_missed(const Event& event);
  void apply_error(const Event& event);
  void apply_deleted(const Event& event);
  void acknowledge(Room& room, std::string_view id);
  void touch(Room& room);

  Options options_;
  RoomMap rooms_;
  std::string active_room_;
  std::string joined_room_;
  std::string nick_;
  // Legacy bodies sent and not echoed yet, oldest first (bounded).
  std::deque<std::string> legacy_sent_;
  std::uint64_t epoch_ = 0;
  std::string last_error_;
  std::string uid_, role_;
  Refusal refusal_;
  ConnectionStatus connection_;
  std::uint64_t version_ = 0;
  std::uint64_t received_live_ = 0;
};

}  // namespace hubchat::client
