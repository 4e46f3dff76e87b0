// The chat client's model (see chat_model.hpp): ordering by seq, duplicate
// suppression, presence lines, member pages and counts, unread counts, resume
// positions, status text.
#include "client/model/chat_model.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <tuple>

#include "shared/enum_names.hpp"

namespace hubchat::client {
namespace {

// Sort key of a line: generation first (a new relay epoch restarts seqs),
// then seq, then order: a message (order 0) before the lines that followed it.
// Keys are unique but for a message that is already held.
auto key(const Line& line) {
  return std::make_tuple(line.generation, line.seq, line.order);
}

LineKind line_kind(EventType type) {
  switch (type) {
    case EventType::join:
      return LineKind::join;
    case EventType::leave:
      return LineKind::leave;
    case EventType::nick:
      return LineKind::nick;
    default:
      return LineKind::message;
  }
}

}  // namespace

std::string describe(const Line& line) {
  switch (line.kind) {
    case LineKind::message:
      return line.deleted ? "message deleted" : line.body;
    case LineKind::system:
      return line.body;
    case LineKind::join:
      return line.from + " joined";
    case LineKind::leave:
      return line.from + " left";
    case LineKind::nick:
      return line.from + " is now " + line.nick;
  }
  return line.body;
}

// ---------------------------------------------------------------- Room

bool Room::has_seq(Seq seq) const {
  Line probe;
  probe.generation = generation_;
  probe.seq = seq;
  const auto it = std::lower_bound(lines_.begin(), lines_.end(), key(probe),
                                   [](const Line& l, const auto& k) { return key(l) < k; });
  return it != lines_.end() && key(*it) == key(probe);
}

bool Room::insert(Line line) {
  const auto k = key(line);
  // Fast path: live events arrive in order, so almost every insert appends.
  if (lines_.empty() || key(lines_.back()) < k) {
    lines_.push_back(std::move(line));
    ++version_;
    return true;
  }
  const auto pos = std::lower_bound(lines_.begin(), lines_.end(), k,
                                    [](const Line& l, const auto& key_) { return key(l) < key_; });
  if (pos != lines_.end() && key(*pos) == k) return false;  // message seq already held
  lines_.insert(pos, std::move(line));
  ++version_;
  return true;
}

void Room::insert_unsequenced(Line line) {
  // After everything held: the highest seq of this generation, or what the
  // last line follows (a notice may sit past the last message, e.g. missed
  // seqs). Messages with a higher seq that arrive later sort after it.
  Seq after = last_seq_;
  if (!lines_.empty() && lines_.back().generation == generation_) {
    after = std::max(after, lines_.back().seq);
  }
  insert_unsequenced(std::move(line), after);
}

void Room::insert_unsequenced(Line line, Seq after_seq) {
  line.generation = generation_;
  line.seq = after_seq;
  line.order = next_order_++;  // never 0: not a message, never a duplicate
  insert(std::move(line));
}

void Room::trim(std::size_t max_lines) {
  if (max_lines == 0) return;
  while (lines_.size() > max_lines) lines_.pop_front();
}

void Room::apply_page(const std::string& after, std::vector<std::string> page, bool more) {
  // The relay sends pages sorted and after `after`; a page that is not is
  // made so rather than allowed to break the list's order.
  std::sort(page.begin(), page.end());
  page.erase(std::unique(page.begin(), page.end()), page.end());
  page.erase(page.begin(), std::upper_bound(page.begin(), page.end(), after));

  std::string page_last = page.empty() ? after : page.back();  // before the nicks move

  // The range the page is the truth for: (after, its last nick], or
  // (after, end) when nothing follows it.
  const auto first = std::upper_bound(members_.begin(), members_.end(), after);
  auto last = members_.end();
  if (more) last = std::upper_bound(first, members_.end(), page_last);
  const auto at = members_.erase(first, last);
  members_.insert(at, std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));

  // A page from the start begins the exact part; the page that continues it
  // (asked for after its last nick) extends it. Any other page is still the
  // truth for its range but leaves a gap before it.
  if (after.empty()) {
    listed_ = true;
    listed_to_ = std::move(page_last);
    listed_all_ = !more;
  } else if (listed_ && !listed_all_ && after == listed_to_) {
    listed_to_ = std::move(page_last);
    listed_all_ = !more;
  }
  ++version_;
}

void Room::add_member(const std::string& nick) {
  const auto it = std::lower_bound(members_.begin(), members_.end(), nick);
  if (it == members_.end() || *it != nick) members_.insert(it, nick);
  ++version_;
}

void Room::remove_member(const std::string& nick) {
  const auto it = std::lower_bound(members_.begin(), members_.end(), nick);
  if (it != members_.end() && *it == nick) members_.erase(it);
  ++version_;
}

void Room::update_count(std::uint64_t count) {
  if (count != 0) {
    member_count_ = count;
  } else if (members_complete()) {
    member_count_ = members_.size();
  }
}

// ---------------------------------------------------------------- ChatModel

const Room* ChatModel::find_room(std::string_view name) const {
  const auto it = rooms_.find(name);
  return it == rooms_.end() ? nullptr : &it->second;
}

Room& ChatModel::ensure_room(std::string_view name) {
  auto it = rooms_.find(name);
  if (it == rooms_.end()) {
    it = rooms_.emplace(std::string{name}, Room{std::string{name}}).first;
    ++version_;
  }
  return it->second;
}

void ChatModel::touch(Room& room) {
  ++room.version_;
  ++version_;
}

void ChatModel::set_active_room(std::string_view name) {
  Room& room = ensure_room(name);
  active_room_ = room.name();
  room.unread_ = 0;
  touch(room);
}

void ChatModel::set_connection(ConnectionStatus status) {
  connection_ = std::move(status);
  ++version_;
}

void ChatModel::apply(const Event& event) {
  switch (event.type) {
    case EventType::welcome:
      apply_welcome(event);
      break;
    case EventType::msg:
      apply_message(event);
      break;
    case EventType::join:
    case EventType::leave:
    case EventType::nick:
      apply_presence(event);
      break;
    case EventType::members:
      apply_members(event);
      break;
    case EventType::presence:
      apply_summary(event);
      break;
    case EventType::missed:
      apply_missed(event);
      break;
    case EventType::error:
      apply_error(event);
      break;
    case EventType::ack:
      acknowledge(ensure_room(event.room), event.id);
      break;
    case EventType::deleted:
      apply_deleted(event);
      break;
    case EventType::delete_msg:
    case EventType::kick:
    case EventType::mute:
    case EventType::ban:
      break;  // moderation requests: the client sends them, a relay never does
  }
}

void ChatModel::queue_outgoing(std::string_view room_name, std::string id, std::string body) {
  Room& room = ensure_room(room_name);
  room.outbox_.push_back({std::move(id), std::move(body)});
  touch(room);
}

void ChatModel::clear_outbox(std::string_view room_name) {
  Room& room = ensure_room(room_name);
  if (room.outbox_.empty()) return;
  room.outbox_.clear();
  touch(room);
}

void ChatModel::acknowledge(Room& room, std::string_view id) {
  if (id.empty()) return;
  const auto it = std::find_if(room.outbox_.begin(), room.outbox_.end(),
                               [&](const OutgoingMessage& m) { return m.id == id; });
  if (it == room.outbox_.end()) return;
  room.outbox_.erase(it);
  touch(room);
}

void ChatModel::apply_welcome(const Event& event) {
  Room& room = ensure_room(event.room);
  // Seqs from another epoch, or the local counters of legacy mode, mean
  // nothing to this relay: keep those lines, but in an older generation so
  // the new seqs neither interleave with them nor look like duplicates.
  const bool epoch_changed = room.epoch_ != 0 && room.epoch_ != event.epoch;
  if (epoch_changed || room.legacy_counter_ != 0) {
    if (!room.lines_.empty()) ++room.generation_;
    room.last_seq_ = 0;
    room.legacy_counter_ = 0;
  }
  room.epoch_ = event.epoch;
  room.welcomed_ = true;
  room.live_from_ = event.seq;
  // Whatever the list held came from an earlier join: no presence reached us
  // since, so none of it can be trusted. The welcome is the first page.
  room.members_.clear();
  room.apply_page({}, event.members, event.more);
  room.update_count(event.count);
  joined_room_ = room.name();
  if (!event.nick.empty()) nick_ = event.nick;
  uid_ = event.uid;
  role_ = event.role;
  epoch_ = event.epoch;
  touch(room);
}

void ChatModel::apply_message(const Event& event) {
  Room& room = ensure_room(event.room);
  if (event.seq == 0) return;  // a message always has a seq: they start at 1
  // A message's id never clears the outbox: ids are visible to the whole
  // room, so another member can carry one of ours. Only the relay's `ack`,
  // sent to the sender alone, does (apply() above).

  Line line;
  line.kind = LineKind::message;
  line.seq = event.seq;
  line.generation = room.generation_;
  line.ts = event.ts;
  line.from = event.from;
  line.body = event.deleted ? std::string{} : event.body;
  line.uid = event.uid;
  line.deleted = event.deleted;
  line.by = event.by;
  line.replayed = event.seq < room.live_from_;
  if (!room.insert(std::move(line))) {
    // Held already (resume overlap): only a tombstone says something new.
    if (event.deleted) apply_deleted(event);
    return;
  }
  room.last_seq_ = std::max(room.last_seq_, event.seq);
  if (event.seq >= room.live_from_ && event.from != nick_) ++received_live_;
  if (room.name() != active_room_) ++room.unread_;
  room.trim(options_.max_lines_per_room);
  touch(room);
}

void ChatModel::apply_presence(const Event& event) {
  const bool is_rename = event.type == EventType::nick;
  if (event.nick.empty() || (is_rename && event.from.empty())) return;  // names no one
  Room& room = ensure_room(event.room);

  // Presence is never replayed and has no seq: it happened now, after
  // everything the room holds.
  Line line;
  line.kind = line_kind(event.type);
  line.ts = event.ts;
  if (is_rename) {
    line.from = event.from;
    line.nick = event.nick;
    room.remove_member(event.from);
    room.add_member(event.nick);
    if (event.from == nick_ && room.name() == joined_room_) nick_ = event.nick;
  } else {
    line.from = event.nick;
    if (event.type == EventType::join) {
      room.add_member(event.nick);
    } else {
      room.remove_member(event.nick);
    }
  }
  room.update_count(event.count);  // a rename carries none and changes none
  room.insert_unsequenced(std::move(line));
  room.trim(options_.max_lines_per_room);
  touch(room);
}

void ChatModel::apply_members(const Event& event) {
  Room& room = ensure_room(event.room);
  room.apply_page(event.after, event.members, event.more);
  room.update_count(event.count);
  touch(room);
}

void ChatModel::apply_summary(const Event& event) {
  Room& room = ensure_room(event.room);
  // More changed than was itemized: no part of the list is known to be
  // exact any more, until it is fetched again from the start.
  room.listed_ = false;
  room.listed_all_ = false;
  room.update_count(event.count);
  touch(room);
}

void ChatModel::apply_missed(const Event& event) {
  Room& room = ensure_room(event.room);
  Line line;
  line.kind = LineKind::system;
  Seq after_seq = 0;
  if (event.reason == "restart") {
    // The welcome before this already moved to a new generation when it saw
    // the new epoch; if it could not tell (no epoch known), do it here. Either
    // way the seq we held means nothing now.
    const bool current_has_events =
        std::any_of(room.lines_.begin(), room.lines_.end(), [&](const Line& l) {
          return l.generation == room.generation_ && l.kind != LineKind::system;
        });
    if (current_has_events) ++room.generation_;
    room.last_seq_ = 0;
    after_seq = 0;  // before every seq of the new history
    line.body = "the relay restarted, history was lost";
  } else {
    const Seq count =
        event.missed_to >= event.missed_from ? event.missed_to - event.missed_from + 1 : 0;
    // Where the missing messages would have been: after the one before them.
    after_seq = event.missed_from > 0 ? event.missed_from - 1 : 0;
    line.body =
        count == 1 ? "1 message was missed" : std::to_string(count) + " messages were missed";
  }
  // The same notice twice (e.g. a retried join) says nothing new.
  const bool already = std::any_of(room.lines_.begin(), room.lines_.end(), [&](const Line& l) {
    return l.kind == LineKind::system && l.generation == room.generation_ && l.seq == after_seq &&
           l.body == line.body;
  });
  if (!already) room.insert_unsequenced(std::move(line), after_seq);
  room.trim(options_.max_lines_per_room);
  touch(room);
}

void ChatModel::apply_error(const Event& event) {
  last_error_ = event.code + ": " + event.message;
  const std::string& target = !active_room_.empty() ? active_room_ : joined_room_;
  std::string text = "relay error (" + event.code + ")";
  if (!event.message.empty()) text += ": " + event.message;
  add_system_line(target, std::move(text));
}

void ChatModel::apply_deleted(const Event& event) {
  Room& room = ensure_room(event.room);
  Line probe;
  probe.generation = room.generation_;
  probe.seq = event.seq;
  auto& lines = room.lines_;
  const auto it = std::lower_bound(lines.begin(), lines.end(), key(probe),
                                   [](const Line& l, const auto& k) { return key(l) < k; });
  // Not held (trimmed, or before what we replayed): nothing shows it.
  if (it == lines.end() || key(*it) != key(probe) || it->deleted) return;
  it->deleted = true;
  it->body.clear();
  it->by = event.by;
  touch(room);
}

bool ChatModel::may_delete(const Line& line) const {
  if (line.kind != LineKind::message || line.deleted || line.seq == 0) return false;
  if (moderator()) return true;
  return verified() && line.uid == uid_;
}

void ChatModel::clear_identity() {
  uid_.clear();
  role_.clear();
  ++version_;
}

void ChatModel::refuse(Refusal refusal) {
  // Told where the user is looking (a refused join: the room it stays in).
  const std::string target = !active_room_.empty() ? active_room_ : refusal.room;
  add_system_line(target, refusal.text);
  refusal_ = std::move(refusal);
  ++version_;
}

void ChatModel::clear_refusal() {
  if (refusal_.kind == RefusalKind::none) return;
  refusal_ = {};
  ++version_;
}

void ChatModel::note_legacy_sent(std::string body) {
  // A server that drops a message never echoes it: keep only the recent ones.
  constexpr std::size_t kMaxUnechoed = 64;
  legacy_sent_.push_back(std::move(body));
  if (legacy_sent_.size() > kMaxUnechoed) legacy_sent_.pop_front();
}

void ChatModel::apply_legacy_message(std::string_view body, std::int64_t received_ms) {
  Room& room = ensure_room(active_room_);
  if (room.legacy_counter_ == 0) {
    // First legacy line: lossless seqs (if any) and the local counter are
    // unrelated, so start a new generation after whatever the room holds.
    if (!room.lines_.empty()) ++room.generation_;
    room.last_seq_ = 0;
    room.epoch_ = 0;
  }
  Line line;
  line.kind = LineKind::message;
  line.seq = ++room.legacy_counter_;
  line.generation = room.generation_;
  line.ts = received_ms;
  line.body = std::string{body};
  // The server echoes in the order it received: the oldest equal body is ours.
  const auto sent = std::find(legacy_sent_.begin(), legacy_sent_.end(), line.body);
  if (sent != legacy_sent_.end()) {
    line.own = true;
    legacy_sent_.erase(sent);
  }
  room.insert(std::move(line));
  room.trim(options_.max_lines_per_room);
  touch(room);
}

void ChatModel::add_system_line(std::string_view room_name, std::string text) {
  Room& room = ensure_room(room_name);
  Line line;
  line.kind = LineKind::system;
  line.body = std::move(text);
  // In legacy mode too: the last line's seq is the local counter.
  room.insert_unsequenced(std::move(line));
  room.trim(options_.max_lines_per_room);
  touch(room);
}

std::string ChatModel::status_text(TimePoint now) const {
  const ConnectionStatus& c = connection_;
  std::string text;
  switch (c.state) {
    case ConnectionState::disconnected:
      text = "Disconnected";
      // A refusal says why in words; the close code is in last_error.
      if (refusal_.kind != RefusalKind::none) {
        text += ": " + refusal_.text;
      } else if (!c.last_error.empty()) {
        text += ": " + c.last_error;
      }
      return text;
    case ConnectionState::connecting:
      text = "Connecting to " + c.url + "...";
      if (c.attempt > 0) text += " (attempt " + std::to_string(c.attempt) + ")";
      return text;
    case ConnectionState::connected:
      text = "Connected to " + c.url;
      if (c.legacy) {
        text += " (legacy server: no history, no member list)";
      } else if (c.joined) {
        text += " as " + nick_;
        if (verified()) text += moderator() ? " (verified, " + role_ + ")" : " (verified)";
      } else if (refusal_.kind != RefusalKind::none) {
        text += ": " + refusal_.text;  // e.g. the first join was refused
      } else {
        text += ", joining...";
      }
      return text;
    case ConnectionState::reconnecting: {
      const auto left = std::max(Clock::duration::zero(), c.next_retry - now);
      const double seconds = std::chrono::duration<double>(left).count();
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "Reconnecting in %.1f s (attempt %d)", seconds,
                    c.attempt);
      text = buffer;
      if (!c.last_error.empty()) text += ": " + c.last_error;
      return text;
    }
  }
  return text;
}

constexpr EnumName<ConnectionState> kConnectionStateNames[] = {
    {ConnectionState::connected, "connected"},
    {ConnectionState::connecting, "connecting"},
    {ConnectionState::reconnecting, "reconnecting"},
    {ConnectionState::disconnected, "disconnected"}};
static_assert(std::size(kConnectionStateNames) ==
              static_cast<std::size_t>(ConnectionState::reconnecting) + 1);

const char* to_string(ConnectionState state) {
  return name_in(kConnectionStateNames, state, "disconnected");
}

constexpr EnumName<RefusalKind> kRefusalKindNames[] = {
    {RefusalKind::none, "none"},
    {RefusalKind::join, "join"},
    {RefusalKind::banned, "banned"},
    {RefusalKind::muted, "muted"},
    {RefusalKind::read_only, "read_only"},
    {RefusalKind::kicked, "kicked"},
    {RefusalKind::token_expired, "token_expired"},
    {RefusalKind::bad_token, "bad_token"},
    {RefusalKind::sign_in, "sign_in"},
    {RefusalKind::forbidden, "forbidden"}};
static_assert(std::size(kRefusalKindNames) == static_cast<std::size_t>(RefusalKind::forbidden) + 1);

const char* to_string(RefusalKind kind) {
  return name_in(kRefusalKindNames, kind, "none");
}

}  // namespace hubchat::client
