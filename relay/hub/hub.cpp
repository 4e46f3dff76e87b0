#include "relay/hub/hub.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "relay/broker/memory_broker.hpp"
#include "shared/heap_size.hpp"
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

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > Hub::kMaxIdBytes) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

std::string bad_name_message(const char* what, std::size_t max_bytes) {
  return std::string(what) + " are 1-" + std::to_string(max_bytes) +
         " bytes without control or bidi characters";
}

}  // namespace

Hub::Hub(const Options& options, Metrics& metrics, HubDriver& driver, std::uint64_t epoch,
         Broker* broker)
    : options_(options),
      metrics_(metrics),
      driver_(driver),
      epoch_(epoch),
      own_broker_(broker ? nullptr : std::make_unique<MemoryBroker>()),
      broker_(broker ? *broker : *own_broker_) {
  broker_.attach(*this);
}

std::size_t Hub::room_overhead(const Room& room) {
  // The map node holds the key, the pointer, the cached hash and a link; the
  // bucket array adds about one pointer per room.
  constexpr std::size_t kMapEntry =
      heap_chunk_bytes(sizeof(std::pair<const std::string, std::unique_ptr<Room>>) + 16) +
      sizeof(void*);
  constexpr std::size_t kIdleEntry = heap_chunk_bytes(3 * sizeof(void*));
  constexpr std::size_t kFixed = kMapEntry + kIdleEntry + heap_chunk_bytes(sizeof(Room)) +
                                 heap_chunk_bytes(sizeof(RingRoomLog)) +
                                 RingRoomLog::kEmptyHeapBytes;
  return kFixed + 2 * heap_bytes(room.name);  // the name is the map's key too
}

Room& Hub::room_named(std::string_view name) {
  auto it = rooms_.find(std::string(name));
  if (it != rooms_.end()) return *it->second;
  auto room = std::make_unique<Room>();
  room->name = std::string(name);
  room->log = std::make_unique<RingRoomLog>(options_.history_events, options_.history_bytes,
                                            highest_seq_ + 1);
  // The in-memory broker's rooms are this run's; a remote broker's become
  // ready (with their own epoch) once their cache is filled.
  room->ready = !broker_.is_remote();
  room->epoch = epoch_;
  history_bytes_ += room_overhead(*room);
  Room& created = *rooms_.emplace(room->name, std::move(room)).first->second;
  set_idle(created, true);
  return created;
}

std::string Hub::unique_nick(const Room& room, std::string_view wanted) const {
  const RoomPresence& presence = room.presence;
  if (!presence.contains(wanted)) return std::string(wanted);
  for (unsigned n = 2;; ++n) {
    std::string suffix = "-" + std::to_string(n);
    // Keep the suffixed nick within the length bound, cut on a code point.
    std::size_t keep = wanted.size();
    if (keep + suffix.size() > options_.max_nick_bytes) {
      keep = utf8_prefix_length(wanted, options_.max_nick_bytes - suffix.size());
    }
    std::string candidate = std::string(wanted.substr(0, keep)) + suffix;
    if (!presence.contains(candidate)) return candidate;
  }
}

std::string Hub::guest_nick() {
  return "guest-" + std::to_string(++guests_);
}

void Hub::enter(Session& session, Room& room, std::string nick) {
  session.room = &room;
  session.nick = std::move(nick);
  session.member_index = static_cast<std::uint32_t>(room.members.size());
  const bool first = room.members.empty();
  if (first) set_idle(room, false);
  room.members.push_back(&session);
  if (first) broker_.open_room(room);  // the broker keeps the room's cache in step from now
  broker_.member_joined(room, session.nick);
  room.presence.add(session.nick);
  room.presence.joined(session.nick);
  // Its own arrival is still pending, so the reader hears of it too.
  session.presence_cursor = room.presence.next_version();
  presence_changed(room);
}

void Hub::join_live(Session& session, std::string_view room_name, std::string_view nick) {
  Room& room = room_named(room_name);
  enter(session, room, unique_nick(room, nick));
  if (room.ready) {
    session.cursor = room.log->next_seq();
    return;
  }
  SessionBuffers& buffers = session.buffers_in_use();
  buffers.join_waiting = true;
  buffers.join_live = true;
  ++room.joins_waiting;
}

void Hub::join(Session& session, const Event& request) {
  if (!is_valid_name(request.room, options_.max_room_bytes)) {
    reply_error(session, "bad_name", bad_name_message("room names", options_.max_room_bytes));
    return;
  }
  std::string wanted = request.nick.empty() ? session.nick : request.nick;
  if (wanted.empty()) wanted = guest_nick();
  if (!is_valid_name(wanted, options_.max_nick_bytes)) {
    reply_error(session, "bad_name", bad_name_message("nicks", options_.max_nick_bytes));
    return;
  }
  if (!request.key.empty() && !is_valid_id(request.key)) {
    reply_error(session, "bad_event", "a key is 1-64 printable ASCII characters");
    return;
  }
  if (!request.key.empty()) session.sender_key = std::make_unique<std::string>(request.key);
  if (session.room) leave(session);  // a room switch (or a re-join) starts afresh
  Room& room = room_named(request.room);
  enter(session, room, unique_nick(room, wanted));
  if (room.ready) {
    finish_join(session, request.has_since, request.since, request.epoch);
    return;
  }
  // The broker is filling the room's cache: answer once it is ready.
  SessionBuffers& buffers = session.buffers_in_use();
  buffers.join_waiting = true;
  buffers.join_live = false;
  buffers.join_has_since = request.has_since;
  buffers.join_since = request.since;
  buffers.join_epoch = request.epoch;
  ++room.joins_waiting;
}

void Hub::finish_join(Session& session, bool has_since, Seq since, std::uint64_t epoch) {
  Room& room = *session.room;
  RoomLog& log = *room.log;
  Event missed;
  missed.type = EventType::missed;
  missed.room = room.name;
  session.cursor = log.first_seq();  // no `since`: replay everything held
  session.replay_unstarted = true;
  if (has_since) {
    if (epoch != 0 && epoch != room.epoch) {
      missed.reason = "restart";
    } else {
      ResumePoint resume = log.resume_after(since);
      session.cursor = resume.next;
      if (resume.missed()) {
        missed.reason = "evicted";
        missed.missed_from = resume.missed_from;
        missed.missed_to = resume.missed_to;
      }
    }
  }

  // A bounded first page: the welcome's size does not grow with the room.
  Event welcome;
  welcome.type = EventType::welcome;
  welcome.room = room.name;
  welcome.nick = session.nick;
  welcome.epoch = room.epoch;
  welcome.seq = log.next_seq();
  welcome.first = log.first_seq();
  welcome.count = room.presence.count();
  welcome.members = room.presence.page("", kWelcomeMembers, welcome.more);
  reply(session, welcome);
  if (!missed.reason.empty()) reply(session, missed);
}

void Hub::finish_waiting_joins(Room& room) {
  for (Session* member : room.members) {
    if (room.joins_waiting == 0) break;
    if (!member->join_waiting()) continue;
    SessionBuffers& b = *member->buffers;
    b.join_waiting = false;
    --room.joins_waiting;
    if (b.join_live)
      member->cursor = room.log->next_seq();
    else
      finish_join(*member, b.join_has_since, b.join_since, b.join_epoch);
    member->release_idle_buffers();
    request_write(*member);
  }
}

void Hub::members_page(Session& session, std::string_view after) {
  if (!session.room) {
    reply_error(session, "not_joined", "send a join event first");
    return;
  }
  Event page;
  page.type = EventType::members;
  page.room = session.room->name;
  page.after = std::string(after);
  page.count = session.room->presence.count();
  page.members = session.room->presence.page(after, kMembersPage, page.more);
  reply(session, page);
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
  if (session.join_waiting()) {
    session.buffers->join_waiting = false;
    --room->joins_waiting;
    session.release_idle_buffers();
  }
  // The member moved into the hole was either not offered yet, or is offered
  // once more: no member of a flush in progress is skipped.
  room->unoffered = std::min(room->unoffered, static_cast<std::uint32_t>(members.size()));
  session.room = nullptr;
  broker_.member_left(*room, session.nick);
  room->presence.remove(session.nick);
  if (members.empty()) {
    // Nobody reads its presence any more, and it may be kept a long time.
    set_idle(*room, true);
    broker_.close_room(*room);
    // A remote broker's cache and other relays' members go stale from now:
    // refilled at the next open.
    if (broker_.is_remote()) {
      room->ready = false;
      room->presence.clear_members();
    }
    std::vector<Session*>().swap(members);
    room->presence.clear_ring();
    if (room->presence_dirty) {
      room->presence_dirty = false;
      std::erase(presence_dirty_rooms_, room);
    }
    return;
  }
  room->presence.left(session.nick);
  presence_changed(*room);
}

void Hub::post(Session& session, std::string_view body, std::string_view id) {
  if (!session.room) {
    reply_error(session, "not_joined", "send a join event first");
    return;
  }
  if (body.empty()) {
    reply_error(session, "empty_body", "a message needs a body");
    return;
  }
  if (!id.empty() && !is_valid_id(id)) {
    reply_error(session, "bad_event", "an id is 1-64 printable ASCII characters");
    return;
  }
  std::string dedupe_key;
  if (!id.empty() && session.sender_key) dedupe_key = *session.sender_key + '\n' + std::string(id);
  Publication publication;
  publication.message.type = EventType::msg;
  publication.message.from = session.nick;
  if (session.identity)
    publication.message.uid = session.identity->uid;  // trust: encoded once, in append()
  publication.message.body = std::string(body);
  publication.message.id = std::string(id);
  publication.message.ts = now_ms();
  publication.dedupe_key = std::move(dedupe_key);
  publication.ticket = next_ticket_++;
  publishing_.emplace(publication.ticket, InFlight{&session, std::string(id)});
  broker_.publish(*session.room, std::move(publication));
}

void Hub::on_publish_result(std::uint64_t ticket, PublishStatus status, Seq seq) {
  const auto it = publishing_.find(ticket);
  if (it == publishing_.end()) return;  // the sender is gone
  Session& session = *it->second.sender;
  std::string id = std::move(it->second.id);
  publishing_.erase(it);
  switch (status) {
    case PublishStatus::accepted:
      ++metrics_.messages_in;  // its own copy is the sender's acknowledgement
      return;
    case PublishStatus::duplicate: {
      if (!session.room) return;
      Event ack;
      ack.type = EventType::ack;
      ack.room = session.room->name;
      ack.seq = seq;
      ack.id = std::move(id);
      reply(session, ack);
      return;
    }
    case PublishStatus::unavailable:
      if (session.dialect == Dialect::legacy)
        close(session, kUnavailableCloseCode, "message store unreachable, try again",
              CloseReason::unavailable);
      else
        reply_error(session, "unavailable",
                    "the message store is unreachable: this message may not have been posted; "
                    "send it again (with the same id it is posted once)");
      return;
  }
}

void Hub::on_presence(std::string_view room_name, std::string_view nick, bool joined) {
  Room* room = find_room(room_name);
  if (!room || room->members.empty()) return;
  if (joined) {
    if (room->presence.contains(nick)) return;  // a local member by that nick (a race): one entry
    room->presence.add(nick);
    room->presence.joined(nick);
  } else {
    if (!room->presence.contains(nick)) return;
    for (const Session* member : room->members)
      if (member->nick == nick) return;  // still here, on this relay
    room->presence.remove(nick);
    room->presence.left(nick);
  }
  presence_changed(*room);
}

void Hub::closed(Session& session) {
  leave(session);
  // Requests still at the broker have nobody to answer any more.
  std::erase_if(publishing_, [&](const auto& entry) { return entry.second.sender == &session; });
}

void Hub::rename(Session& session, std::string_view nick) {
  if (!is_valid_name(nick, options_.max_nick_bytes)) {
    reply_error(session, "bad_name", bad_name_message("nicks", options_.max_nick_bytes));
    return;
  }
  if (!session.room) {
    session.nick = std::string(nick);  // takes effect at the next join
    return;
  }
  if (nick == session.nick) return;
  Room& room = *session.room;
  room.presence.remove(session.nick);  // so the old nick does not count as taken
  std::string granted = unique_nick(room, nick);
  broker_.member_left(room, session.nick);
  broker_.member_joined(room, granted);
  room.presence.add(granted);
  room.presence.renamed(session.nick, granted);
  session.nick = std::move(granted);
  presence_changed(room);
}

void Hub::presence_changed(Room& room) {
  if (room.presence_dirty) return;
  room.presence_dirty = true;
  presence_dirty_rooms_.push_back(&room);
  if (options_.presence_interval_ms == 0)
    flush_presence();
  else if (presence_dirty_rooms_.size() == 1)
    driver_.arm_presence_flush();
}

void Hub::flush_presence() {
  const std::int64_t ts = now_ms();
  for (Room* room : presence_dirty_rooms_) {
    room->presence_dirty = false;
    if (room->presence.flush(room->name, ts)) schedule_flush(*room, true);
  }
  presence_dirty_rooms_.clear();
}

Room* Hub::find_room(std::string_view name) {
  const auto it = rooms_.find(std::string(name));
  return it == rooms_.end() ? nullptr : it->second.get();
}

void Hub::on_message(std::string_view room_name, Event message, std::string dedupe_key) {
  Room* room = find_room(room_name);
  // The broker keeps ready rooms contiguous; anything else is stale.
  if (!room || !room->ready || message.seq != room->log->next_seq()) return;
  append(*room, std::move(message), std::move(dedupe_key));
}

void Hub::on_room_ready(std::string_view room_name, BrokerHistory history) {
  Room* found = find_room(room_name);
  if (!found) return;
  Room& room = *found;
  const bool reset = room.ready && room.epoch != history.epoch;
  history_bytes_ -= room.log->bytes();
  room.log = std::make_unique<RingRoomLog>(options_.history_events, options_.history_bytes,
                                           history.first_seq);
  room.epoch = history.epoch;
  room.ready = true;
  for (Event& message : history.messages) {
    if (message.seq != room.log->next_seq()) continue;
    append(room, std::move(message), {});
  }
  // Cursors into the old cache mean nothing now. Lossless readers rejoin (and
  // are told `missed`, their epoch being the old one); legacy readers go on
  // from the live end. Those still waiting for their welcome get it below.
  for (Session* member : room.members) {
    if (member->join_waiting()) continue;
    if (reset && member->dialect == Dialect::lossless) {
      close(*member, kHistoryResetCloseCode, "room history reset: rejoin",
            CloseReason::history_reset);
    } else if (member->cursor < room.log->first_seq() || member->cursor > room.log->next_seq()) {
      member->cursor = room.log->first_seq();
      member->replay_unstarted = true;
    }
  }
  finish_waiting_joins(room);
}

void Hub::append(Room& room, Event event, std::string dedupe_key) {
  RoomLog& log = *room.log;
  event.room = room.name;
  StoredEvent stored;
  lossless::encode_to(event, stored.lossless);
  stored.lossless.shrink_to_fit();  // held for a long time: no slack
  stored.legacy = legacy::encode_body(event.body);
  stored.dedupe_key = std::move(dedupe_key);
  const std::size_t before = log.bytes();
  const std::size_t encoded_bytes = stored.lossless.size() + 1;  // + the line's '\n'
  const Seq seq = log.append(std::move(stored));
  highest_seq_ = std::max(highest_seq_, seq);
  history_bytes_ += log.bytes() - before;
  if (history_bytes_ > options_.history_total_bytes) enforce_total_history_bound(room);
  if (options_.flush_interval_ms == 0) {
    wake_members(room);
    return;
  }
  if (!room.dirty) {
    room.dirty_since = seq;
    room.pending_bytes = 0;
  }
  room.pending_bytes += encoded_bytes;
  // Write before the timer when waiting cannot help: half a frame is pending
  // (frames would not grow much, only arrive later, which caps what a client
  // with a window of messages in flight can do), or a burst is filling the
  // ring (it could overtake readers who did nothing wrong).
  const bool soon = room.pending_bytes >= options_.max_frame_bytes / 2 ||
                    seq - room.dirty_since >= options_.history_events / 2;
  if (soon) {
    room.dirty_since = seq + 1;
    room.pending_bytes = 0;
  }
  schedule_flush(room, soon);
}

void Hub::schedule_flush(Room& room, bool soon) {
  if (room.dirty && room.unoffered < room.members.size()) {
    // A flush is under way in this room. The members it has not reached get
    // what was just added in this pass; the ones it passed, in another pass
    // once it ends. Starting over here would offer the same members again
    // and again while new messages arrive, and never reach the others.
    room.offer_again = true;
    room.offer_again_soon = room.offer_again_soon || soon;
    return;
  }
  room.unoffered = static_cast<std::uint32_t>(room.members.size());
  if (!room.dirty) {
    room.dirty = true;
    dirty_rooms_.push_back(&room);
    if (dirty_rooms_.size() == 1 && !soon) driver_.arm_flush();
  }
  if (soon) driver_.flush_next_turn();
}

void Hub::wake_members(Room& room) {
  for (Session* member : room.members) request_write(*member);
}

void Hub::flush() {
  std::size_t budget = kWritesPerTurn;
  std::size_t finished = 0;
  for (Room* room : dirty_rooms_) {
    while (room->unoffered > 0 && budget > 0) {
      Session& member = *room->members[--room->unoffered];
      if (!driver_.push(member)) request_write(member);
      --budget;
    }
    if (room->unoffered > 0) break;
    room->dirty = false;
    if (room->offer_again) rooms_to_offer_again_.push_back(room);
    ++finished;
  }
  dirty_rooms_.erase(dirty_rooms_.begin(),
                     dirty_rooms_.begin() + static_cast<std::ptrdiff_t>(finished));
  if (!dirty_rooms_.empty()) driver_.flush_next_turn();
  for (Room* room : rooms_to_offer_again_) {
    room->offer_again = false;
    schedule_flush(*room, std::exchange(room->offer_again_soon, false));
  }
  rooms_to_offer_again_.clear();
}

void Hub::set_idle(Room& room, bool idle) {
  if (idle)
    room.idle_entry = idle_rooms_.insert(idle_rooms_.end(), &room);
  else
    idle_rooms_.erase(room.idle_entry);
}

// Only idle rooms are forgotten: no reader holds a cursor into them. (Their
// last member may have left before the flush timer, so they can be dirty.)
void Hub::forget(Room& room) {
  broker_.forget_room(room);
  history_bytes_ -= room.log->bytes() + room_overhead(room);
  idle_rooms_.erase(room.idle_entry);
  if (room.dirty) std::erase(dirty_rooms_, &room);
  rooms_.erase(rooms_.find(room.name));
}

void Hub::enforce_total_history_bound(Room& grown) {
  while (history_bytes_ > options_.history_total_bytes && !idle_rooms_.empty())
    forget(*idle_rooms_.front());
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
  driver_.wake(session);
}

}  // namespace hubchat::relay
