// The event model shared by relay and client: one struct for every event of the
// lossless protocol (docs/PROTOCOL.md), in both directions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hubchat {

using Seq = std::uint64_t;

enum class EventType {
  join,      // client: enter a room; relay: someone entered (presence)
  msg,       // chat message (the only event in the room's history, with a seq)
  nick,      // client: rename; relay: someone renamed (presence)
  leave,     // relay: someone left (presence)
  welcome,   // relay: reply to join
  missed,    // relay: requested history is gone
  error,     // relay: a request was refused
  members,   // client: ask for a page of the member list; relay: that page
  presence,  // relay: the member list changed more than was itemized
  ack,       // relay: a msg whose id was already accepted (a resend after a reconnect)
  // Moderation (docs/PROTOCOL.md, "Moderation").
  delete_msg,  // client: "delete" a message of the current room by seq
  deleted,     // relay: a message was deleted (by whom); its stored copy is a tombstone now
  kick,        // client: close a member's connection(s)
  mute,        // client: refuse a member's posts for `seconds`
  ban,         // client: refuse a user id or an address at join for `seconds`
};

std::string_view to_string(EventType type);
bool parse_event_type(std::string_view name, EventType& out);

// Fields not used by a type stay empty/zero and are not encoded.
struct Event {
  EventType type = EventType::msg;
  std::string room;
  std::string nick;  // join/leave/welcome: who; nick: the new name
  std::string from;  // msg: sender; nick: the old name
  std::string body;  // msg
  Seq seq = 0;       // msg; welcome: next seq of the room
  Seq first = 0;     // welcome: oldest seq held
  std::int64_t ts = 0;
  std::uint64_t epoch = 0;  // welcome; client join (optional)
  bool has_since = false;   // client join
  Seq since = 0;
  std::vector<std::string> members;    // welcome, members: a page of nicks, sorted
  std::uint64_t count = 0;             // join/leave/welcome/members/presence: members now
  bool more = false;                   // welcome, members: nicks follow the page's last
  std::string after;                   // members: the page holds nicks sorted after this
  std::string id;                      // msg, ack: the sender's id for the message
  std::string key;                     // client join: the sender key its ids are unique within
  std::string token;                   // client join: a signed identity (JWT)
  std::string uid;                     // msg, welcome: a verified user's id (token sub); ban
  std::string role;                    // welcome: a verified user's role (member|moderator|admin)
  bool deleted = false;                // msg: a tombstone (body gone); with `by`
  std::string by;                      // deleted, tombstone msg: who deleted it
  std::uint64_t seconds = 0;           // mute, ban: how long
  std::string address;                 // ban: a client address
  std::string reason;                  // missed: "evicted" | "restart"
  Seq missed_from = 0, missed_to = 0;  // missed, inclusive
  std::string code, message;           // error

  bool operator==(const Event&) const = default;
};

}  // namespace hubchat
