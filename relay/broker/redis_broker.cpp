#include "relay/broker/redis_broker.hpp"

#include <hiredis/hiredis.h>
#include <unistd.h>

#include <charconv>

#include "relay/hub/hub.hpp"
#include "relay/lua_scripts.hpp"  // generated from lua/*.lua at build time

namespace hubchat::relay {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t wall_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::string_view text_of(const redisReply& reply) {
  return std::string_view(reply.str, reply.len);
}

bool to_u64(std::string_view text, std::uint64_t& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

bool is_string(const redisReply* reply) {
  return reply && (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS);
}

// A Stream entry {"<seq>-0", [t, ts, f, from, i, id, b, body]} as a message.
bool entry_to_message(const redisReply& entry, Event& message) {
  if (entry.type != REDIS_REPLY_ARRAY || entry.elements != 2 || !is_string(entry.element[0]) ||
      entry.element[1]->type != REDIS_REPLY_ARRAY)
    return false;
  const std::string_view id = text_of(*entry.element[0]);
  if (!to_u64(id.substr(0, id.find('-')), message.seq)) return false;
  message.type = EventType::msg;
  const redisReply& fields = *entry.element[1];
  for (std::size_t i = 0; i + 1 < fields.elements; i += 2) {
    if (!is_string(fields.element[i]) || !is_string(fields.element[i + 1])) return false;
    const std::string_view name = text_of(*fields.element[i]);
    const std::string_view value = text_of(*fields.element[i + 1]);
    if (name == "t") {
      std::uint64_t ts = 0;
      to_u64(value, ts);
      message.ts = static_cast<std::int64_t>(ts);
    } else if (name == "f") {
      message.from = std::string(value);
    } else if (name == "i") {
      message.id = std::string(value);
    } else if (name == "b") {
      message.body = std::string(value);
    }
  }
  return true;
}

// A published payload: epoch, seq, ts, from, id, body (one a line; the body last).
bool payload_to_message(std::string_view payload, std::uint64_t& epoch, Event& message) {
  std::string_view fields[5];
  for (std::string_view& field : fields) {
    const auto end = payload.find('\n');
    if (end == std::string_view::npos) return false;
    field = payload.substr(0, end);
    payload.remove_prefix(end + 1);
  }
  std::uint64_t ts = 0;
  if (!to_u64(fields[0], epoch) || !to_u64(fields[1], message.seq) || !to_u64(fields[2], ts))
    return false;
  message.type = EventType::msg;
  message.ts = static_cast<std::int64_t>(ts);
  message.from = std::string(fields[3]);
  message.id = std::string(fields[4]);
  message.body = std::string(payload);
  return true;
}

}  // namespace

RedisBroker::RedisBroker(EventLoop& loop, const Options& options, const Log& log,
                         RedisAddress address)
    : loop_(loop),
      options_(options),
      log_(log),
      address_(std::move(address)),
      relay_id_(std::to_string(getpid()) + ":" + std::to_string(wall_ms())),
      probe_channel_(options.redis_prefix + "probe:" + relay_id_),
      tick_(loop, [this] { on_tick(); }) {
  connect_commands();
  connect_subscriber();
  tick_.start(0, std::chrono::duration<double>(kTick).count());
}

RedisBroker::~RedisBroker() = default;

std::string RedisBroker::key(std::string_view room, std::string_view what) const {
  std::string k;
  k.reserve(options_.redis_prefix.size() + room.size() + what.size() + 3);
  k.append(options_.redis_prefix).append("{").append(room).append("}:").append(what);
  return k;
}

std::chrono::milliseconds RedisBroker::backoff(unsigned failures) const {
  const unsigned shift = failures > 5 ? 5 : failures;
  return std::min(std::chrono::milliseconds(2000), std::chrono::milliseconds(100) * (1u << shift));
}

// ---- connections ----

void RedisBroker::connect_commands() {
  RedisConnection::Events events;
  events.up = [this] {
    if (command_failures_ > 0) log_.warn("redis: command connection back");
    command_failures_ = 0;
    fetch_retry_ = true;  // whatever waited for the command connection
  };
  events.down = [this] {
    if (command_failures_ == 0)
      log_.warn("redis: command connection lost; posting refused until it is back");
    commands_retry_at_ = Clock::now() + backoff(++command_failures_);
  };
  commands_ = std::make_unique<RedisConnection>(loop_.get(), address_, std::move(events));
  probe_out_ = false;
  if (commands_->is_gone()) commands_retry_at_ = Clock::now() + backoff(++command_failures_);
}

void RedisBroker::connect_subscriber() {
  RedisConnection::Events events;
  events.up = [this] {
    if (subscriber_failures_ > 0) log_.warn("redis: pub/sub connection back; rooms catch up");
    subscriber_failures_ = 0;
    subscriber_->subscription({"SUBSCRIBE", probe_channel_});
    for (auto& [room, state] : rooms_)
      if (state.open) subscribe(room);
  };
  events.down = [this] {
    if (subscriber_failures_ == 0) log_.warn("redis: pub/sub connection lost");
    subscriber_retry_at_ = Clock::now() + backoff(++subscriber_failures_);
    probe_subscribed_ = false;
    // Nothing is subscribed any more; rooms nobody is in are done with.
    std::erase_if(rooms_, [](const auto& entry) { return !entry.second.open; });
    for (auto& [room, state] : rooms_) state.sent = state.confirmed = state.unsubscribing = false;
  };
  events.push = [this](const redisReply& reply) { on_push(reply); };
  subscriber_ = std::make_unique<RedisConnection>(loop_.get(), address_, std::move(events));
  if (subscriber_->is_gone()) subscriber_retry_at_ = Clock::now() + backoff(++subscriber_failures_);
}

void RedisBroker::on_tick() {
  const auto now = Clock::now();
  // Reconnect what is gone (after its backoff) or never came up.
  if (commands_->is_gone() && now >= commands_retry_at_) connect_commands();
  if (subscriber_->is_gone() && now >= subscriber_retry_at_) connect_subscriber();
  if (!commands_->is_up() && !commands_->is_gone() &&
      now - commands_->created_at() > kConnectTimeout)
    commands_->drop();
  if (!subscriber_->is_up() && !subscriber_->is_gone() &&
      now - subscriber_->created_at() > kConnectTimeout)
    subscriber_->drop();

  // The probe: a silent connection is dropped (and then reconnected).
  if (probe_out_ && probe_replied_ && (probe_heard_ || !probe_expects_message_))
    probe_out_ = false;  // both halves are back
  if (probe_out_ && now - probe_sent_ > kProbeTimeout) {
    probe_out_ = false;
    if (!probe_replied_) {
      log_.warn("redis: no answer to the probe in %lld ms: dropping the command connection",
                static_cast<long long>(kProbeTimeout.count()));
      commands_->drop();
    } else if (probe_expects_message_ && !probe_heard_) {
      log_.warn("redis: the probe never arrived on pub/sub: dropping that connection");
      subscriber_->drop();
    }
  }
  if (!probe_out_ && commands_->is_up() && now - probe_sent_ >= kProbeInterval) {
    probe_out_ = true;
    probe_replied_ = probe_heard_ = false;
    probe_expects_message_ = subscriber_->is_up() && probe_subscribed_;
    probe_sent_ = now;
    const std::string number = std::to_string(++probe_number_);
    commands_->command({"PUBLISH", probe_channel_, number}, [this](const redisReply* reply) {
      if (reply && reply->type != REDIS_REPLY_ERROR) probe_replied_ = true;
    });
  }

  if (now >= heartbeat_at_ && commands_->is_up()) {
    heartbeat_at_ = now + std::chrono::milliseconds(options_.presence_ttl_s * 1000 / 3);
    heartbeat();
  }

  if (fetch_retry_ && commands_->is_up()) {
    fetch_retry_ = false;
    for (auto& [room, state] : rooms_)
      if (state.open && state.confirmed && !state.fetching &&
          (!state.synced || state.heard_top >= state.next))
        fetch(room);
  }
}

// ---- rooms ----

void RedisBroker::open_room(Room& room) {
  RoomState& state = rooms_[room.name];
  state.open = true;
  state.synced = false;  // the hub's cache is stale: filled afresh
  state.fetching = false;
  state.heard_top = 0;
  state.remote.clear();  // the hub forgot them at close; the fetch brings them back
  ++state.generation;
  if (state.confirmed) {
    fetch(room.name);  // still subscribed (closed and reopened before the UNSUBSCRIBE went out)
  } else if (!state.sent && !state.unsubscribing) {
    subscribe(room.name);
  }
}

void RedisBroker::close_room(Room& room) {
  const auto it = rooms_.find(room.name);
  if (it == rooms_.end()) return;
  RoomState& state = it->second;
  state.open = false;
  ++state.generation;
  if (!state.sent) {
    if (!state.unsubscribing) rooms_.erase(it);
    return;
  }
  state.sent = state.confirmed = false;
  state.unsubscribing = true;
  subscriber_->subscription({"UNSUBSCRIBE", key(room.name, "live")});
}

void RedisBroker::subscribe(std::string_view room) {
  RoomState& state = rooms_[std::string(room)];
  if (subscriber_->is_up() && subscriber_->subscription({"SUBSCRIBE", key(room, "live")}))
    state.sent = true;
}

void RedisBroker::on_push(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements != 3 || !is_string(reply.element[0]) ||
      !is_string(reply.element[1]))
    return;
  const std::string_view kind = text_of(*reply.element[0]);
  const std::string_view channel = text_of(*reply.element[1]);
  if (channel == probe_channel_) {
    if (kind == "subscribe") probe_subscribed_ = true;
    if (kind == "message" && is_string(reply.element[2]) &&
        text_of(*reply.element[2]) == std::to_string(probe_number_))
      probe_heard_ = true;
    return;
  }
  // "<prefix>{room}:live"
  const std::string_view prefix = options_.redis_prefix;
  constexpr std::string_view kSuffix = "}:live";
  if (channel.size() < prefix.size() + 1 + kSuffix.size() ||
      channel.substr(0, prefix.size()) != prefix)
    return;
  const std::string_view room =
      channel.substr(prefix.size() + 1, channel.size() - prefix.size() - 1 - kSuffix.size());
  if (kind == "message") {
    if (!is_string(reply.element[2])) return;
    const std::string_view payload = text_of(*reply.element[2]);
    if (payload.substr(0, 2) == "p\n")
      on_presence_news(std::string(room), payload.substr(2));
    else
      on_live(room, payload);
    return;
  }
  const auto it = rooms_.find(std::string(room));
  if (it == rooms_.end()) return;
  RoomState& state = it->second;
  if (kind == "subscribe") {
    if (!state.open || !state.sent) return;
    state.confirmed = true;
    // From here on nothing published is missed: fill the cache (or catch up).
    fetch(it->first);
  } else if (kind == "unsubscribe") {
    state.unsubscribing = false;
    if (state.open)
      subscribe(it->first);
    else
      rooms_.erase(it);
  }
}

void RedisBroker::on_live(std::string_view room, std::string_view payload) {
  const auto it = rooms_.find(std::string(room));
  if (it == rooms_.end() || !it->second.open || !it->second.confirmed) return;
  RoomState& state = it->second;
  std::uint64_t epoch = 0;
  Event message;
  if (!payload_to_message(payload, epoch, message)) return;
  if (state.synced && epoch != state.epoch) {
    fetch(it->first);  // the room's data was lost: the fetch notices the new epoch
    return;
  }
  state.heard_top = std::max(state.heard_top, message.seq);
  if (!state.synced || state.fetching) return;  // the fetch's end looks at heard_top
  if (message.seq < state.next) return;         // already delivered
  if (message.seq > state.next) {               // a gap: the Stream has it
    fetch(it->first);
    return;
  }
  ++state.next;
  sink_->on_message(room, std::move(message), {});
}

void RedisBroker::fetch(const std::string& room) {
  RoomState& state = rooms_[room];
  if (state.fetching) return;
  if (!commands_->is_up()) {
    fetch_retry_ = true;
    return;
  }
  const std::string meta = key(room, "meta"), log = key(room, "log");
  const std::string members = key(room, "members");
  const std::string now = std::to_string(wall_ms());
  const std::string& epoch = now;
  const std::string after = state.synced ? std::to_string(state.next - 1) : "latest";
  const std::string count = std::to_string(
      state.synced ? kFetchCount : std::max<std::size_t>(1, options_.history_events));
  const std::uint32_t generation = state.generation;
  const bool ok =
      commands_->command({"EVAL", kFetchLua, "3", meta, log, members, epoch, after, count, now},
                         [this, room, generation](const redisReply* reply) {
                           const auto it = rooms_.find(room);
                           if (it == rooms_.end() || it->second.generation != generation) return;
                           it->second.fetching = false;
                           on_fetched(room, reply);
                         });
  if (ok)
    state.fetching = true;
  else
    fetch_retry_ = true;
}

void RedisBroker::on_fetched(const std::string& room, const redisReply* reply) {
  RoomState& state = rooms_[room];
  if (!state.open) return;
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 4 ||
      !is_string(reply->element[0]) || reply->element[1]->type != REDIS_REPLY_INTEGER ||
      reply->element[2]->type != REDIS_REPLY_ARRAY) {
    fetch_retry_ = true;  // the tick tries again once the connection is up
    return;
  }
  std::uint64_t epoch = 0;
  if (!to_u64(text_of(*reply->element[0]), epoch)) return;
  const Seq top = static_cast<Seq>(reply->element[1]->integer);
  const redisReply& entries = *reply->element[2];
  std::vector<Event> messages;
  messages.reserve(entries.elements);
  for (std::size_t i = 0; i < entries.elements; ++i) {
    Event message;
    if (entry_to_message(*entries.element[i], message)) messages.push_back(std::move(message));
  }

  // Other relays' members, as Redis lists them now: what changed since
  // (e.g. while pub/sub was down) goes to the hub.
  std::map<std::string, unsigned> remote;
  if (reply->element[3]->type == REDIS_REPLY_ARRAY) {
    for (std::size_t i = 0; i < reply->element[3]->elements; ++i) {
      if (!is_string(reply->element[3]->element[i])) continue;
      const std::string_view member = text_of(*reply->element[3]->element[i]);
      const auto tab = member.find('\t');
      if (tab == std::string_view::npos || member.substr(0, tab) == relay_id_) continue;
      ++remote[std::string(member.substr(tab + 1))];
    }
  }
  for (const auto& [nick, count] : std::map<std::string, unsigned>(state.remote))
    if (!remote.count(nick)) count_remote(room, nick, -static_cast<int>(count));
  for (const auto& [nick, count] : remote) {
    const auto& known = rooms_[room].remote;
    const auto had = known.find(nick);
    const unsigned before = had == known.end() ? 0 : had->second;
    count_remote(room, nick, static_cast<int>(count) - static_cast<int>(before));
  }

  if (state.synced && epoch != state.epoch) {
    // Redis lost the room (a restart without persistence): start over.
    state.synced = false;
    fetch(room);
    return;
  }
  const bool jumped = messages.empty() ? top >= state.next : messages.front().seq > state.next;
  if (!state.synced || jumped) {
    // The newest history (or, behind a gap the Stream no longer holds, what
    // it still has) becomes the hub's cache.
    BrokerHistory history;
    history.epoch = epoch;
    history.first_seq = messages.empty() ? top + 1 : messages.front().seq;
    Seq next = history.first_seq;
    for (Event& message : messages) {
      if (message.seq != next) break;
      message.room = room;
      history.messages.push_back(std::move(message));
      ++next;
    }
    state.epoch = epoch;
    state.next = std::max(next, state.synced ? state.next : next);
    state.synced = true;
    sink_->on_room_ready(room, std::move(history));
  } else {
    for (Event& message : messages) {
      if (message.seq != state.next) continue;
      ++state.next;
      sink_->on_message(room, std::move(message), {});
    }
  }
  // More was heard of (or there is more) than this read returned.
  const auto again = rooms_.find(room);
  if (again == rooms_.end()) return;
  if (again->second.heard_top >= again->second.next || top >= again->second.next) fetch(room);
}

void RedisBroker::publish(Room& room, Publication publication) {
  const std::uint64_t ticket = publication.ticket;
  if (!commands_->is_up()) {
    sink_->on_publish_result(ticket, PublishStatus::unavailable, 0);
    return;
  }
  const Event& m = publication.message;
  const std::string meta = key(room.name, "meta"), log = key(room.name, "log");
  const std::string channel = key(room.name, "live");
  const std::string maxlen = std::to_string(options_.history_events);
  const std::string epoch = std::to_string(wall_ms());
  const std::string ts = std::to_string(m.ts);
  const std::string ttl = std::to_string(kDedupeSeconds);
  std::string dedupe;
  if (!publication.dedupe_key.empty()) dedupe = key(room.name, "sent:" + publication.dedupe_key);
  std::vector<std::string_view> args{"EVAL", kPublishLua, dedupe.empty() ? "2" : "3", meta, log};
  if (!dedupe.empty()) args.push_back(dedupe);
  for (std::string_view arg :
       {std::string_view(channel), std::string_view(maxlen), std::string_view(epoch),
        std::string_view(ts), std::string_view(m.from), std::string_view(m.id),
        std::string_view(m.body), std::string_view(ttl)})
    args.push_back(arg);
  const bool queued = commands_->command(args, [this, ticket](const redisReply* reply) {
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
        reply->element[0]->type != REDIS_REPLY_INTEGER ||
        reply->element[2]->type != REDIS_REPLY_INTEGER) {
      sink_->on_publish_result(ticket, PublishStatus::unavailable, 0);
      return;
    }
    const Seq seq = static_cast<Seq>(reply->element[2]->integer);
    sink_->on_publish_result(
        ticket,
        reply->element[0]->integer == 1 ? PublishStatus::accepted : PublishStatus::duplicate, seq);
  });
  if (!queued) sink_->on_publish_result(ticket, PublishStatus::unavailable, 0);
}

}  // namespace hubchat::relay

namespace hubchat::relay {

// ---- presence across relays ----

void RedisBroker::count_remote(const std::string& room, const std::string& nick, int delta) {
  if (delta == 0) return;
  auto& remote = rooms_[room].remote;
  const auto found = remote.find(nick);
  const int before = found == remote.end() ? 0 : static_cast<int>(found->second);
  const int after = before + delta;
  if (after <= 0)
    remote.erase(nick);
  else
    remote[nick] = static_cast<unsigned>(after);
  if (before == 0 && after > 0) sink_->on_presence(room, nick, true);
  if (before > 0 && after <= 0) sink_->on_presence(room, nick, false);
}

// "relay\nj|l\nnick", from presence.lua or member_joined/left.
void RedisBroker::on_presence_news(const std::string& room, std::string_view payload) {
  const auto it = rooms_.find(room);
  if (it == rooms_.end() || !it->second.open || !it->second.confirmed) return;
  const auto first = payload.find('\n');
  if (first == std::string_view::npos || payload.size() < first + 3) return;
  const std::string_view relay = payload.substr(0, first);
  const char kind = payload[first + 1];
  const std::string nick(payload.substr(first + 3));
  if (relay == relay_id_ || nick.empty()) return;
  count_remote(room, nick, kind == 'j' ? 1 : -1);
}

void RedisBroker::member_joined(Room& room, std::string_view nick) {
  rooms_[room.name].local.emplace(nick);
  if (!commands_->is_up()) return;  // the next heartbeat announces it
  const std::string expiry = std::to_string(wall_ms() + options_.presence_ttl_s * 1000ull);
  const std::string member = relay_id_ + "\t" + std::string(nick);
  const std::string news = "p\n" + relay_id_ + "\nj\n" + std::string(nick);
  commands_->command({"ZADD", key(room.name, "members"), expiry, member}, [](const redisReply*) {});
  commands_->command({"PUBLISH", key(room.name, "live"), news}, [](const redisReply*) {});
}

void RedisBroker::member_left(Room& room, std::string_view nick) {
  const auto it = rooms_.find(room.name);
  if (it != rooms_.end()) {
    auto& local = it->second.local;
    if (const auto one = local.find(std::string(nick)); one != local.end()) local.erase(one);
  }
  if (!commands_->is_up()) return;  // its entry expires by itself
  const std::string member = relay_id_ + "\t" + std::string(nick);
  const std::string news = "p\n" + relay_id_ + "\nl\n" + std::string(nick);
  commands_->command({"ZREM", key(room.name, "members"), member}, [](const redisReply*) {});
  commands_->command({"PUBLISH", key(room.name, "live"), news}, [](const redisReply*) {});
}

// Every third of --presence-ttl: this relay's members are refreshed, and
// expired entries (a dead relay's) removed and announced, room by room.
void RedisBroker::heartbeat() {
  const std::uint64_t now = wall_ms();
  const std::string now_text = std::to_string(now);
  const std::string expiry = std::to_string(now + options_.presence_ttl_s * 1000ull);
  for (const auto& [room, state] : rooms_) {
    if (!state.open) continue;
    const std::string members = key(room, "members"), channel = key(room, "live");
    std::vector<std::string_view> args{"EVAL",  kPresenceLua, "1",    members,
                                       channel, now_text,     expiry, relay_id_};
    for (const std::string& nick : state.local) args.push_back(nick);
    commands_->command(args, [](const redisReply*) {});
  }
}

}  // namespace hubchat::relay
