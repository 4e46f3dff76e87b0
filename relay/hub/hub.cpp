#include "relay/hub/hub.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "relay/broker/memory_broker.hpp"
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
      own_broker_(broker ? nullptr
                         : std::make_unique<MemoryBroker>(
                               epoch, std::max<std::size_t>(options.history_events, 1024))),
      broker_(broker ? *broker : *own_broker_),
      rooms_(options),
      delivery_(options, driver),
      fanout_(options, driver, delivery_) {}

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
  if (room.members.empty()) {
    rooms_.set_idle(room, false);
    // The broker keeps the room's stream coming from now; its state is
    // known at once (the in-memory broker) or a `ready` follows.
    const bool cached = room.log != nullptr;
    if (const auto start =
            broker_.open_room(room.name, room.epoch, cached ? room.log->next_seq() : 0)) {
      std::vector<Event> none;
      on_ready(room, start->epoch, start->first_seq, none);
    }
  }
  session.room = &room;
  session.nick = std::move(nick);
  session.member_index = static_cast<std::uint32_t>(room.members.size());
  room.members.push_back(&session);
  broker_.member_joined(room.name, session.nick);
  room.presence.add(session.nick);
  room.presence.joined(session.nick);
  // Its own arrival is still pending, so the reader hears of it too.
  session.presence_cursor = room.presence.next_version();
  presence_changed(room);
  // A join to a room whose `ready` is still to come waits for it.
  if (!room.ready) {
    session.buffers_in_use().join_waiting = true;
    ++room.joins_waiting;
  }
}

void Hub::join_live(Session& session, std::string_view room_name, std::string_view nick) {
  if (refuse_banned(session)) return;
  Room& room = rooms_.get(room_name);
  enter(session, room, unique_nick(room, nick));
  if (!session.join_waiting()) {
    delivery_.read_from(session, room.log->next_seq(), false);
    return;
  }
  session.buffers->join_live = true;
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
  if (refuse_banned(session)) return;  // not carried out: the session stays where it was
  if (!request.key.empty()) session.sender_key = std::make_unique<std::string>(request.key);
  if (session.room) leave(session);  // a room switch (or a re-join) starts afresh
  Room& room = rooms_.get(request.room);
  enter(session, room, unique_nick(room, wanted));
  if (!session.join_waiting()) {
    finish_join(session, request.has_since, request.since, request.epoch);
    return;
  }
  SessionBuffers& buffers = *session.buffers;
  buffers.join_live = false;
  buffers.join_has_since = request.has_since;
  buffers.join_since = request.since;
  buffers.join_epoch = request.epoch;
}

void Hub::finish_join(Session& session, bool has_since, Seq since, std::uint64_t epoch) {
  Room& room = *session.room;
  RoomLog& log = *room.log;
  Event missed;
  missed.type = EventType::missed;
  missed.room = room.name;
  Seq cursor = log.first_seq();  // no `since`: replay everything held
  if (has_since) {
    if (epoch != 0 && epoch != room.epoch) {
      missed.reason = "restart";
    } else if (since >= log.next_seq()) {
      // The client has seen more than this cache holds yet (another relay
      // delivered it first): it continues after what it has.
      cursor = since + 1;
    } else {
      ResumePoint resume = log.resume_after(since);
      cursor = resume.next;
      if (resume.missed()) {
        missed.reason = "evicted";
        missed.missed_from = resume.missed_from;
        missed.missed_to = resume.missed_to;
      }
    }
  }
  delivery_.read_from(session, cursor, true);

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
  if (session.identity) {  // the client shows who it is and offers what its role allows
    welcome.uid = session.identity->uid;
    welcome.role = to_string(session.identity->role);
  }
  delivery_.reply(session, welcome);
  if (!missed.reason.empty()) delivery_.reply(session, missed);
  // Messages deleted before the cursor: the client may hold their bodies.
  for (const Room::Tombstone& tombstone : room.tombstones) {
    if (tombstone.seq >= cursor || tombstone.seq < log.first_seq()) continue;
    Event deleted;
    deleted.type = EventType::deleted;
    deleted.room = room.name;
    deleted.seq = tombstone.seq;
    deleted.by = tombstone.by;
    delivery_.reply(session, deleted);
  }
}

void Hub::finish_waiting_joins(Room& room) {
  for (Session* member : room.members) {
    if (room.joins_waiting == 0) break;
    if (!member->join_waiting()) continue;
    SessionBuffers& b = *member->buffers;
    b.join_waiting = false;
    --room.joins_waiting;
    if (b.join_live) {
      delivery_.read_from(*member, room.log->next_seq(), false);
      for (const std::string& line : std::exchange(b.posts_waiting, {})) post(*member, line);
    } else {
      finish_join(*member, b.join_has_since, b.join_since, b.join_epoch);
    }
    member->release_idle_buffers();
    delivery_.request_write(*member);
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
  delivery_.reply(session, page);
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
  broker_.member_left(room->name, session.nick);
  room->presence.remove(session.nick);
  if (members.empty()) {
    // Nobody reads the room any more: the broker stops keeping it current,
    // and the next open brings a `ready` that continues or replaces the cache.
    rooms_.set_idle(*room, true);
    broker_.close_room(room->name);
    room->ready = false;
    room->presence.clear_members();
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
  if (refuse_muted(session)) return;
  if (!id.empty() && !is_valid_id(id)) {
    reply_error(session, "bad_event", "an id is 1-64 printable ASCII characters");
    return;
  }
  if (session.join_waiting() && session.buffers->join_live) {
    // A legacy entry still waiting for its room: held until it starts
    // reading, or it would start after its own lines. Bounded like input.
    auto& waiting = session.buffers->posts_waiting;
    if (waiting.size() >= kMaxPostsWaiting) {
      close(session, 1008, "too many messages before the room was ready",
            CloseReason::too_many_replies);
      return;
    }
    waiting.emplace_back(body);
    return;
  }
  Publication publication;
  publication.room = session.room->name;
  publication.message.type = EventType::msg;
  publication.message.from = session.nick;
  if (session.identity)
    publication.message.uid = session.identity->uid;  // trust: encoded once, in append()
  publication.message.body = std::string(body);
  publication.message.id = std::string(id);
  publication.message.ts = now_ms();
  if (!id.empty() && session.sender_key) publication.sender_key = *session.sender_key;
  publication.ticket = next_ticket_++;
  publishing_.emplace(publication.ticket, InFlight{&session, std::string(id)});
  broker_.publish(std::move(publication));
}

std::optional<Event> Hub::held_message(const Room& room, Seq seq) const {
  if (!room.log) return std::nullopt;
  const StoredEvent* stored = room.log->at(seq);
  if (!stored) return std::nullopt;
  // Rare (a delete): decoding the one stored line is cheaper than keeping
  // every message's author beside its encodings.
  Event message;
  lossless::DecodeError error;
  if (!lossless::decode(stored->lossless, message, error)) return std::nullopt;
  return message;
}

std::uint64_t Hub::publish_deletion(std::string_view room, Seq seq, std::string_view by,
                                    Session* sender) {
  Publication publication;
  publication.room = std::string(room);
  publication.message.type = EventType::deleted;
  publication.message.seq = seq;
  publication.message.by = std::string(by);
  publication.ticket = next_ticket_++;
  publishing_.emplace(publication.ticket, InFlight{sender, {}});
  const std::uint64_t ticket = publication.ticket;
  broker_.publish(std::move(publication));
  return ticket;
}

void Hub::delete_message(Session& session, Seq seq) {
  if (!session.room) {
    reply_error(session, "not_joined", "send a join event first");
    return;
  }
  const std::optional<Event> message = held_message(*session.room, seq);
  if (!message || message->deleted) {
    reply_error(session, "not_found", "no message with that seq is held in this room");
    return;
  }
  const Identity* who = session.identity.get();
  const bool moderator = who && who->role != Role::member;
  // Only a verified author is known to be the author: a guest's nick can be
  // taken by another guest once it is free.
  const bool author = who && !message->uid.empty() && message->uid == who->uid;
  if (!moderator && !author) {
    reply_error(session, "forbidden", "only its author or a moderator may delete a message");
    return;
  }
  driver_.log_moderation("delete", session.nick, session.room->name, std::to_string(seq));
  publish_deletion(session.room->name, seq, session.nick, &session);
}

std::optional<std::uint64_t> Hub::delete_as(std::string_view room_name, Seq seq,
                                            std::string_view by) {
  const Room* room = rooms_.find(room_name);
  if (!room) return std::nullopt;
  const std::optional<Event> message = held_message(*room, seq);
  if (!message || message->deleted) return std::nullopt;
  return publish_deletion(room_name, seq, by, nullptr);
}

void Hub::on_deleted(Room& room, const Event& deleted) {
  std::optional<Event> tombstone = held_message(room, deleted.seq);
  if (!tombstone || tombstone->deleted) return;
  tombstone->body.clear();
  tombstone->id.clear();
  tombstone->deleted = true;
  tombstone->by = deleted.by;
  StoredEvent stored;
  lossless::encode_to(*tombstone, stored.lossless);
  stored.legacy = "(message deleted)";
  const std::size_t before = room.log->bytes();
  room.log->replace(deleted.seq, std::move(stored));
  rooms_.recount(room, before);
  std::erase_if(room.tombstones,
                [&](const Room::Tombstone& t) { return t.seq < room.log->first_seq(); });
  room.tombstones.push_back({deleted.seq, deleted.by});
  if (room.members.empty()) return;
  Event notice = deleted;
  notice.room = room.name;
  room.presence.notice(lossless::encode(notice));
  fanout_.changed(room);
}

std::uint64_t Hub::publish_as(std::string_view room, std::string_view from, std::string_view body) {
  Publication publication;
  publication.room = std::string(room);
  publication.message.type = EventType::msg;
  publication.message.from = std::string(from);
  publication.message.body = std::string(body);
  publication.message.ts = now_ms();
  publication.ticket = next_ticket_++;
  publishing_.emplace(publication.ticket, InFlight{nullptr, {}});
  const std::uint64_t ticket = publication.ticket;
  broker_.publish(std::move(publication));
  return ticket;
}

void Hub::end_of_turn() {
  broker_.take_news(news_);
  for (BrokerNews& news : news_) apply(news);
  news_.clear();
  fanout_.end_of_turn();
}

void Hub::flush() {
  fanout_.flush();
}

void Hub::apply(BrokerNews& news) {
  if (news.kind == BrokerNews::Kind::publish_result) {
    on_publish_result(news);
    return;
  }
  if (news.kind == BrokerNews::Kind::moderation) {
    on_moderation(news);
    return;
  }
  Room* room = rooms_.find(news.room);
  if (!room) return;
  if (news.kind == BrokerNews::Kind::deleted) {
    for (const Event& deleted : news.messages) on_deleted(*room, deleted);
    return;
  }
  if (news.kind == BrokerNews::Kind::message) {
    // The next message of the cache. (Also when everybody left in this turn:
    // the cache is still this relay's copy of the room.)
    for (Event& message : news.messages)
      if (room->log && message.seq == room->log->next_seq()) append(*room, std::move(message));
    return;
  }
  // Other news of a room nobody here reads any more is stale: its next open
  // brings a fresh `ready`.
  if (room->members.empty()) return;
  switch (news.kind) {
    case BrokerNews::Kind::ready:
      on_ready(*room, news.epoch, news.first_seq, news.messages);
      return;
    case BrokerNews::Kind::message:
      return;
    case BrokerNews::Kind::presence:
      on_presence(*room, news.nick, news.joined);
      return;
    case BrokerNews::Kind::publish_result:
    case BrokerNews::Kind::deleted:
    case BrokerNews::Kind::moderation:
      return;
  }
}

void Hub::on_publish_result(const BrokerNews& news) {
  const auto it = publishing_.find(news.ticket);
  if (it == publishing_.end()) return;  // the sender is gone
  if (!it->second.sender) {
    publishing_.erase(it);
    if (news.status == PublishStatus::accepted) ++metrics_.messages_in;
    driver_.api_published(news.ticket, news.status != PublishStatus::unavailable, news.seq);
    return;
  }
  Session& session = *it->second.sender;
  std::string id = std::move(it->second.id);
  publishing_.erase(it);
  if (news.status == PublishStatus::unavailable) {
    if (session.dialect == Dialect::legacy)
      close(session, kUnavailableCloseCode, "message store unreachable, try again",
            CloseReason::unavailable);
    else
      reply_error(session, "unavailable",
                  "the message store is unreachable: this message may not have been posted; "
                  "send it again (with the same id it is posted once)");
    return;
  }
  if (news.status == PublishStatus::accepted) ++metrics_.messages_in;
  // The sender's acknowledgement, to the sender alone: only it can clear
  // its outbox entry (another member's message with the same id cannot).
  if (id.empty()) return;
  Event ack;
  ack.type = EventType::ack;
  ack.room = news.room;  // where the message went, whatever room the sender is in now
  ack.seq = news.seq;
  ack.id = std::move(id);
  delivery_.reply(session, ack);
}

void Hub::on_presence(Room& room, std::string_view nick, bool joined) {
  if (joined) {
    if (room.presence.contains(nick)) return;  // a local member by that nick (a race): one entry
    room.presence.add(nick);
    room.presence.joined(nick);
  } else {
    if (!room.presence.contains(nick)) return;
    for (const Session* member : room.members)
      if (member->nick == nick) return;  // still here, on this relay
    room.presence.remove(nick);
    room.presence.left(nick);
  }
  presence_changed(room);
}

void Hub::on_ready(Room& room, std::uint64_t epoch, Seq first_seq, std::vector<Event>& messages) {
  const Seq ready_end = first_seq + messages.size();  // the broker's next seq
  const bool had_cache = room.log != nullptr;
  const bool continues = had_cache && room.epoch == epoch && first_seq <= room.log->next_seq() &&
                         ready_end >= room.log->next_seq();
  const bool new_epoch = had_cache && room.epoch != epoch;
  if (!continues) rooms_.replace_cache(room, first_seq);
  room.epoch = epoch;
  room.ready = true;
  for (Event& message : messages)
    if (message.seq == room.log->next_seq()) append(room, std::move(message));
  if (!continues) {
    // Cursors into the old cache mean nothing now. A new epoch: lossless
    // readers rejoin and are told `missed` (their epoch being the old one),
    // legacy readers go on from what is held. The same epoch (a gap the
    // broker no longer holds): readers behind it are told what they missed.
    const RoomLog& log = *room.log;
    for (Session* member : room.members) {
      if (member->join_waiting()) continue;
      if (new_epoch && member->dialect == Dialect::lossless)
        close(*member, kHistoryResetCloseCode, "room history reset: rejoin",
              CloseReason::history_reset);
      else if (new_epoch || member->cursor > log.next_seq())
        delivery_.read_from(*member, log.first_seq(), true);
      else
        delivery_.skip_gap(*member, log.first_seq());
    }
    fanout_.changed(room);
  }
  finish_waiting_joins(room);
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
  broker_.member_left(room.name, session.nick);
  broker_.member_joined(room.name, granted);
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
    if (room->presence.flush(room->name, ts)) fanout_.changed(*room);
  }
  presence_dirty_rooms_.clear();
}

void Hub::append(Room& room, Event event) {
  RoomLog& log = *room.log;
  event.room = room.name;
  StoredEvent stored;
  lossless::encode_to(event, stored.lossless);
  stored.lossless.shrink_to_fit();  // held for a long time: no slack
  stored.legacy = legacy::encode_body(event.body);
  const std::size_t before = log.bytes();
  const std::size_t encoded_bytes = stored.lossless.size() + 1;  // + the line's '\n'
  const Seq seq = log.append(std::move(stored));
  rooms_.recount(room, before);
  if (rooms_.over_bound()) enforce_total_history_bound(room);
  fanout_.appended(room, seq, encoded_bytes);
}

// Only idle rooms are forgotten: no reader holds a cursor into them. (Their
// last member may have left before the flush, so they can be dirty.)
void Hub::forget(Room& room) {
  broker_.forget_room(room.name);
  fanout_.forget(room);
  rooms_.erase(room);
}

void Hub::enforce_total_history_bound(Room& grown) {
  while (rooms_.over_bound()) {
    Room* idle = rooms_.longest_idle();
    if (!idle) break;
    forget(*idle);
  }
  RoomLog& log = *grown.log;
  while (rooms_.over_bound() && log.size() > 1) {
    const std::size_t before = log.bytes();
    log.drop_oldest();
    rooms_.recount(grown, before);
  }
}

}  // namespace hubchat::relay
