// Events as the relay sends them, built for the client's unit tests (model,
// log rows, session, view): a welcome with its members, member pages, chat
// messages, presence, renames, missed ranges; and numbered nick lists. One
// copy for every client test file; tests/support/events.hpp has the requests
// a client sends.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "shared/event.hpp"

namespace hubchat::client::testing {

// An event of `type` for `room`; the builders below fill in the rest.
inline Event event_in(EventType type, std::string room) {
  Event e;
  e.type = type;
  e.room = std::move(room);
  return e;
}

inline Event welcome(std::string room, Seq next_seq, std::vector<std::string> members,
                     std::uint64_t epoch = 1000, std::string nick = "mina") {
  Event e = event_in(EventType::welcome, std::move(room));
  e.nick = std::move(nick);
  e.epoch = epoch;
  e.seq = next_seq;
  e.first = 1;
  e.count = members.size();
  e.members = std::move(members);
  return e;
}

// A welcome with the first page of a larger list.
inline Event welcome_page(std::string room, std::vector<std::string> page, std::uint64_t count,
                          bool more) {
  Event e = welcome(std::move(room), 1, std::move(page));
  e.count = count;
  e.more = more;
  return e;
}

// The relay's reply to {"type":"members","after":after}.
inline Event page(std::string room, std::string after, std::vector<std::string> members,
                  std::uint64_t count, bool more) {
  Event e = event_in(EventType::members, std::move(room));
  e.after = std::move(after);
  e.members = std::move(members);
  e.count = count;
  e.more = more;
  return e;
}

// A refused request: {"type":"error","code":..,"message":..}.
inline Event error(std::string code, std::string message) {
  Event e;
  e.type = EventType::error;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

inline Event summary(std::string room, std::uint64_t count) {
  Event e = event_in(EventType::presence, std::move(room));
  e.ts = 1764000009000;
  e.count = count;
  return e;
}

inline Event msg(std::string room, Seq seq, std::string from, std::string body) {
  Event e = event_in(EventType::msg, std::move(room));
  e.seq = seq;
  e.ts = 1764000000000 + static_cast<std::int64_t>(seq);
  e.from = std::move(from);
  e.body = std::move(body);
  return e;
}

// join/leave: presence has no seq; `count` is the relay's member count after it.
inline Event presence(EventType type, std::string room, std::string nick, std::uint64_t count = 0) {
  Event e = event_in(type, std::move(room));
  e.ts = 1764000005000;
  e.nick = std::move(nick);
  e.count = count;
  return e;
}

inline Event rename(std::string room, std::string from, std::string to) {
  Event e = event_in(EventType::nick, std::move(room));
  e.ts = 1764000006000;
  e.from = std::move(from);
  e.nick = std::move(to);
  return e;
}

inline Event missed(std::string room, std::string reason, Seq from, Seq to) {
  Event e = event_in(EventType::missed, std::move(room));
  e.reason = std::move(reason);
  e.missed_from = from;
  e.missed_to = to;
  return e;
}

// n nicks, "n00000", "n00001", ...: already in the relay's (byte) order.
inline std::vector<std::string> numbered_nicks(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "n%05d", i);
    out.emplace_back(buf);
  }
  return out;
}

inline std::vector<std::string> slice(const std::vector<std::string>& all, std::size_t from,
                                      std::size_t to) {
  to = std::min(to, all.size());
  return {all.begin() + static_cast<std::ptrdiff_t>(from),
          all.begin() + static_cast<std::ptrdiff_t>(to)};
}

}  // namespace hubchat::client::testing
