// The hub's side of kick, mute and ban (docs/PROTOCOL.md, "Moderation"): who
// may ask, what a request names, and what the broker's `moderation` news does
// to this relay's sessions. Every relay takes the same path: the request goes
// to the broker, and only its news changes the ModerationBook and closes or
// warns sessions (through Delivery), here and, with Redis, everywhere.
#include <algorithm>
#include <chrono>

#include "relay/hub/hub.hpp"

namespace hubchat::relay {
namespace {

using Clock = ModerationBook::Clock;

std::string_view address_of(const Session& session) {
  return session.from_ip ? std::string_view(session.from_ip->first) : std::string_view();
}

std::string_view uid_of(const Session& session) {
  return session.identity ? std::string_view(session.identity->uid) : std::string_view();
}

// "for 42 more seconds" (rounded up: never "0").
std::string how_long(std::chrono::milliseconds left) {
  const auto seconds = (left.count() + 999) / 1000;
  return "for " + std::to_string(seconds) + (seconds == 1 ? " more second" : " more seconds");
}

// A target named by the requester: printable, bounded (it becomes a key).
bool is_valid_target(std::string_view text) {
  return !text.empty() && text.size() <= 256 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c != 0x7f; });
}

bool matches(const Session& session, const ModerationAction& action) {
  return (!action.uid.empty() && uid_of(session) == action.uid) ||
         (!action.address.empty() && address_of(session) == action.address);
}

std::string describe_target(const Hub::ModerationRequest& request, const ModerationAction& action) {
  std::string target;
  if (!request.nick.empty()) target = "nick '" + request.nick + "'";
  if (!action.uid.empty()) target += (target.empty() ? "uid '" : " uid '") + action.uid + "'";
  if (!action.address.empty())
    target += (target.empty() ? "address " : " address ") + action.address;
  if (action.kind != ModerationAction::Kind::kick)
    target += " for " + std::to_string(request.seconds) + " s";
  return target;
}

}  // namespace

void Hub::moderate(Session& session, const Event& request) {
  const Identity* who = session.identity.get();
  if (!who || who->role == Role::member) {
    reply_error(session, "forbidden", "only a moderator or an admin may kick, mute or ban");
    return;
  }
  ModerationRequest asked;
  asked.kind = request.type == EventType::kick   ? ModerationAction::Kind::kick
               : request.type == EventType::mute ? ModerationAction::Kind::mute
                                                 : ModerationAction::Kind::ban;
  if (session.room) asked.room = session.room->name;
  asked.nick = request.nick;
  asked.uid = request.uid;
  asked.address = request.address;
  asked.seconds = request.seconds;
  asked.by = session.nick;
  ModerationVerdict verdict = start_moderation(asked, &session);
  if (!verdict.code.empty()) reply_error(session, verdict.code, verdict.message);
}

Hub::ModerationVerdict Hub::moderate_as(const ModerationRequest& request) {
  return start_moderation(request, nullptr);
}

Hub::ModerationVerdict Hub::start_moderation(const ModerationRequest& request, Session* sender) {
  using Kind = ModerationAction::Kind;
  ModerationAction action;
  action.kind = request.kind;
  action.by = request.by;
  const int targets = !request.nick.empty() + !request.uid.empty() + !request.address.empty();
  if (request.kind == Kind::kick) {
    if (request.nick.empty() || targets != 1)
      return {"bad_event", "a kick names the member by nick", 0};
  } else {
    if (request.seconds == 0 || request.seconds > kMaxModerationSeconds)
      return {"bad_event",
              "\"seconds\" is 1-" + std::to_string(kMaxModerationSeconds) + " (a year at most)", 0};
    if (targets != 1) return {"bad_event", "name exactly one target: nick, uid or address", 0};
    action.duration_ms = request.seconds * 1000;
  }
  if (!request.uid.empty() && !is_valid_target(request.uid))
    return {"bad_event", "a uid is 1-256 printable characters", 0};
  if (!request.address.empty() && !is_valid_target(request.address))
    return {"bad_event", "an address is 1-256 printable characters", 0};
  action.uid = request.uid;
  action.address = request.address;
  if (!request.nick.empty()) {
    Room* room = request.room.empty() ? nullptr : rooms_.find(request.room);
    if (!room || !room->presence.contains(request.nick))
      return {"not_found", "no member \"" + request.nick + "\" in this room", 0};
    if (request.kind == Kind::kick) {
      action.room = room->name;
      action.nick = request.nick;
    } else {
      // Who the nick is: its uid when verified (a guest can change nick, not
      // address). Only this relay knows its own members' uids and addresses.
      const auto member = std::find_if(room->members.begin(), room->members.end(),
                                       [&](const Session* s) { return s->nick == request.nick; });
      if (member == room->members.end())
        return {"not_found",
                "\"" + request.nick + "\" is connected to another relay: name its uid or address",
                0};
      action.uid = std::string(uid_of(**member));
      if (action.uid.empty()) action.address = std::string(address_of(**member));
      if (action.uid.empty() && action.address.empty())
        return {"not_found", "\"" + request.nick + "\" has no known address", 0};
    }
  }
  action.ticket = next_ticket_++;
  publishing_.emplace(action.ticket, InFlight{sender, {}});
  driver_.log_moderation(to_string(action.kind), request.by,
                         request.room.empty() ? "*" : request.room,
                         describe_target(request, action));
  const std::uint64_t ticket = action.ticket;
  broker_.moderate(std::move(action));
  return {{}, {}, ticket};
}

void Hub::on_moderation(const BrokerNews& news) {
  using Kind = ModerationAction::Kind;
  const ModerationAction& action = news.moderation;
  const bool done = news.status != PublishStatus::unavailable;
  // This relay's request: its verdict to whoever asked.
  if (const auto it = publishing_.find(action.ticket); action.ticket && it != publishing_.end()) {
    Session* sender = it->second.sender;
    publishing_.erase(it);
    if (!sender)
      driver_.api_published(action.ticket, done, 0);
    else if (!done)
      reply_error(*sender, "unavailable",
                  "the message store is unreachable: nothing was done; try again");
  }
  if (!done) return;
  const auto now = Clock::now();
  moderation_.apply(action, now);
  if (action.kind == Kind::kick) {
    Room* room = rooms_.find(action.room);
    if (!room) return;
    for (Session* member : room->members)
      if (member->nick == action.nick)
        delivery_.close(*member, kKickedCloseCode, "kicked by " + action.by,
                        CloseReason::moderation);
    return;
  }
  // A ban or mute holds in every room: its target's sessions here, wherever they are.
  rooms_.for_each([&](Room& room) {
    for (Session* member : room.members) {
      if (!matches(*member, action)) continue;
      if (action.kind == Kind::ban) {
        delivery_.close(*member, kBannedCloseCode, "banned by " + action.by,
                        CloseReason::moderation);
      } else if (member->dialect == Dialect::lossless) {
        // At once, so its UI can show it (a legacy client has no error channel).
        reply_error(*member, "muted",
                    "muted by " + action.by + " " +
                        how_long(std::chrono::milliseconds(action.duration_ms)));
      }
    }
  });
}

bool Hub::refuse_banned(Session& session) {
  const auto left = moderation_.banned(uid_of(session), address_of(session), Clock::now());
  if (!left) return false;
  if (session.dialect == Dialect::legacy)
    close(session, kBannedCloseCode, "banned", CloseReason::moderation);
  else
    reply_error(session, "banned", "you are banned from this community " + how_long(*left));
  return true;
}

bool Hub::refuse_muted(Session& session) {
  const auto left = moderation_.muted(uid_of(session), address_of(session), Clock::now());
  if (!left) return false;
  if (session.dialect == Dialect::lossless) {
    reply_error(session, "muted", "you are muted " + how_long(*left) + ": not posted");
  } else {
    // A legacy client has no error channel: its line is dropped, and logged.
    driver_.log_moderation("muted line dropped", session.nick,
                           session.room ? std::string_view(session.room->name) : "-",
                           how_long(*left));
  }
  return true;
}

}  // namespace hubchat::relay
