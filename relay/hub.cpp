#include "relay/hub.hpp"

#include <algorithm>
#include <chrono>

#include "shared/legacy_codec.hpp"
#include "shared/lossless_codec.hpp"
#include "shared/names.hpp"
#include "shared/utf8.hpp"

namespace hubchat::relay {
namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// What a room costs beyond its events (map node, Room, log object), counted
// against the total bound so that many tiny rooms are bounded too.
constexpr std::size_t kRoomOverhead = 256;

}  // namespace

Hub::Hub(const Options& options, Metrics& metrics, Wake wake, std::uint64_t epoch,
         ArmFlush arm_flush, Push push)
    : options_(options),
      metrics_(metrics),
      wake_(std::move(wake)),
      push_(std::move(push)),
      arm_flush_(std::move(arm_flush)),
      epoch_(epoch) {}

Room& Hub::room_named(std::string_view name) {
  auto it = rooms_.find(std::string(name));
  if (it != rooms_.end()) return *it->second;
  auto room = std::make_unique<Room>();
  room->name = std::string(name);
  room->log = std::make_unique<RingRoomLog>(options_.history_events, options_.history_bytes,
                                            highest_seq_ + 1);
  history_bytes_ += kRoomOverhead + room->name.size();
  ++empty_rooms_;
  return *rooms_.emplace(room->name, std::move(room)).first->second;
}

std::string Hub::unique_nick(const Room& room, std::string_view wanted) const {
  auto taken = [&](std::string_view nick) {
    return std::any_of(room.members.begin(), room.members.end(),
                       [&](const Session* s) { return s->nick == nick; });
  };
  if (!taken(wanted)) return std::string(wanted);
  for (unsigned n = 2;; ++n) {
    std::string suffix = "-" + std::to_string(n);
    // Keep the suffixed nick within the length bound, cut on a code point.
    std::size_t keep = wanted.size();
    if (keep + suffix.size() > options_.max_nick_bytes) {
      keep = utf8_prefix_length(wanted, options_.max_nick_bytes - suffix.size());
    }
    std::string candidate = std::string(wanted.substr(0, keep)) + suffix;
    if (!taken(candidate)) return candidate;
  }
}

std::string Hub::guest_nick() {
  return "guest-" + std::to_string(++guests_);
}

void Hub::enter(Session& session, Room& room, std::string nick) {
  session.room = &room;
  session.nick = std::move(nick);
  session.member_index = static_cast<std::uint32_t>(room.members.size());
  if (room.members.empty()) --empty_rooms_;
  room.members.push_back(&session);
  Event joined;
  joined.type = EventType::join;
  joined.nick = session.nick;
  append(room, std::move(joined));
}

void Hub::join_live(Session& session, std::string_view room_name, std::string_view nick) {
  Room& room = room_named(room_name);
  session.cursor = room.log->next_seq();
  enter(session, room, unique_nick(room, nick));
}

void Hub::join(Session& session, const Event& request) {
  if (!is_valid_name(request.room, options_.max_room_bytes)) {
    reply_error(session, "bad_name",
                "room names are 1-" + std::to_string(options_.max_room_bytes) +
                    " bytes without control or bidi characters");
    return;
  }
  std::string wanted = request.nick.empty() ? session.nick : request.nick;
  if (wanted.empty()) wanted = guest_nick();
  if (!is_valid_name(wanted, options_.max_nick_bytes)) {
    reply_error(session, "bad_name",
                "nicks are 1-" + std::to_string(options_.max_nick_bytes) +
                    " bytes without control or bidi characters");
    return;
  }
  if (session.room) leave(session);  // a room switch (or a re-join) starts afresh
  Room& room = room_named(request.room);
  RoomLog& log = *room.log;
  // Log the arrival first: in a full ring that append evicts the oldest
  // event, and the replay must start from what is held after it.
  enter(session, room, unique_nick(room, wanted));

  Event missed;
  missed.type = EventType::missed;
  missed.room = room.name;
  session.cursor = log.first_seq();  // no `since`: replay everything held
  session.replay_unstarted = true;
  if (request.has_since) {
    if (request.epoch != 0 && request.epoch != epoch_) {
      missed.reason = "restart";
    } else {
      ResumePoint resume = log.resume_after(request.since);
      session.cursor = resume.next;
      if (resume.missed()) {
        missed.reason = "evicted";
        missed.missed_from = resume.missed_from;
        missed.missed_to = resume.missed_to;
      }
    }
  }

  Event welcome;
  welcome.type = EventType::welcome;
  welcome.room = room.name;
  welcome.nick = session.nick;
  welcome.epoch = epoch_;
  // `members` already includes this client, so its own join event (just
  // logged) is history: presence changes start after it.
  welcome.seq = log.next_seq();
  welcome.first = log.first_seq();
  welcome.members.reserve(room.members.size());
  for (const Session* member : room.members) welcome.members.push_back(member->nick);
  reply(session, welcome);
  if (!missed.reason.empty()) reply(session, missed);
}

void Hub::leave(Session& session) {
  Room* room = session.room;
  if (!room) return;
  // Swap-remove keeps removal O(1); the moved member learns its new index.
  auto& members = room->members;
  Session* last = members.back();
  members[session.member_index] = last;
  last->member_index = session.member_index;
  members.pop_back();
  if (members.empty()) ++empty_rooms_;
  session.room = nullptr;
  Event left;
  left.type = EventType::leave;
  left.nick = session.nick;
  append(*room, std::move(left));
}

void Hub::post(Session& session, std::string_view body) {
  if (!session.room) {
    reply_error(session, "not_joined", "send a join event first");
    return;
  }
  if (body.empty()) {
    reply_error(session, "empty_body", "a message needs a body");
    return;
  }
  ++metrics_.messages_in;
  Event message;
  message.type = EventType::msg;
  message.from = session.nick;
  message.body = std::string(body);
  append(*session.room, std::move(message));
}

void Hub::rename(Session& session, std::string_view nick) {
  if (!is_valid_name(nick, options_.max_nick_bytes)) {
    reply_error(session, "bad_name",
                "nicks are 1-" + std::to_string(options_.max_nick_bytes) +
                    " bytes without control or bidi characters");
    return;
  }
  if (!session.room) {
    session.nick = std::string(nick);  // takes effect at the next join
    return;
  }
  if (nick == session.nick) return;
  Event renamed;
  renamed.type = EventType::nick;
  renamed.from = session.nick;
  session.nick.clear();  // so the old nick does not count as taken
  session.nick = unique_nick(*session.room, nick);
  renamed.nick = session.nick;
  append(*session.room, std::move(renamed));
}

void Hub::append(Room& room, Event event) {
  RoomLog& log = *room.log;
  event.room = room.name;
  event.seq = log.next_seq();
  event.ts = now_ms();
  StoredEvent stored;
  lossless::encode_to(event, stored.lossless);
  if (event.type == EventType::msg) {
    stored.legacy = legacy::encode_body(event.body);
    stored.for_legacy = true;
  }
  const std::size_t before = log.bytes();
  const std::size_t encoded_bytes = stored.lossless.size() + 1;  // + the line's '\n'
  highest_seq_ = log.append(std::move(stored));
  history_bytes_ += log.bytes() - before;
  if (history_bytes_ > options_.history_total_bytes) enforce_total_history_bound(room);
  if (options_.flush_interval_ms == 0 || !arm_flush_) {
    wake_members(room);
    return;
  }
  if (!room.dirty) {
    room.dirty = true;
    room.dirty_since = highest_seq_;
    room.pending_bytes = 0;
    dirty_rooms_.push_back(&room);
    if (dirty_rooms_.size() == 1) arm_flush_();
  }
  room.pending_bytes += encoded_bytes;
  // Wake the readers before the timer when waiting cannot help: half a frame
  // is pending (frames would not grow much, only arrive later, which caps
  // what a client with a window of messages in flight can do), or a burst is
  // filling the ring (it could overtake readers who did nothing wrong).
  if (room.pending_bytes >= options_.max_frame_bytes / 2 ||
      highest_seq_ - room.dirty_since >= options_.history_events / 2) {
    room.dirty_since = highest_seq_ + 1;
    room.pending_bytes = 0;
    wake_members(room);
  }
}

void Hub::wake_members(Room& room) {
  for (Session* member : room.members) request_write(*member);
}

void Hub::flush() {
  for (Room* room : dirty_rooms_) {
    room->dirty = false;
    for (Session* member : room->members)
      if (!push_ || !push_(*member)) request_write(*member);
  }
  dirty_rooms_.clear();
}

void Hub::enforce_total_history_bound(Room& grown) {
  while (history_bytes_ > options_.history_total_bytes && empty_rooms_ > 0) {
    auto idle = std::find_if(rooms_.begin(), rooms_.end(), [&](const auto& entry) {
      return entry.second->members.empty() && entry.second.get() != &grown;
    });
    if (idle == rooms_.end()) break;
    history_bytes_ -= idle->second->log->bytes() + kRoomOverhead + idle->second->name.size();
    --empty_rooms_;
    if (idle->second->dirty) std::erase(dirty_rooms_, idle->second.get());
    rooms_.erase(idle);
  }
  RoomLog& log = *grown.log;
  while (history_bytes_ > options_.history_total_bytes && log.size() > 1) {
    const std::size_t before = log.bytes();
    log.drop_oldest();
    history_bytes_ -= before - log.bytes();
  }
}

void Hub::reply(Session& session, const Event& event) {
  if (session.dialect != Dialect::lossless || session.close_code) return;
  SessionBuffers& buffers = session.buffers_in_use();
  if (buffers.replies.size() - buffers.replies_sent > options_.max_pending_reply_bytes) {
    close(session, 1008, "too many pending replies", CloseReason::too_many_replies);
    return;
  }
  lossless::encode_to(event, buffers.replies);
  buffers.replies.push_back('\n');
  request_write(session);
}

void Hub::reply_error(Session& session, std::string_view code, std::string_view message) {
  Event error;
  error.type = EventType::error;
  error.code = std::string(code);
  error.message = std::string(message);
  reply(session, error);
}

void Hub::close(Session& session, std::uint16_t code, const char* reason, CloseReason counted_as) {
  if (session.close_code) return;
  session.close_code = code;
  session.close_reason = reason;
  session.close_as = counted_as;
  request_write(session);
}

void Hub::request_write(Session& session) {
  if (session.write_requested) return;
  session.write_requested = true;
  wake_(session);
}

}  // namespace hubchat::relay
