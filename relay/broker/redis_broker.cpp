#include "relay/broker/redis_broker.hpp"

#include <hiredis/hiredis.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include "relay/broker/redis_text.hpp"
#include "relay/lua_scripts.hpp"  // generated from lua/*.lua at build time

namespace hubchat::relay {
namespace {

using namespace redis_text;
using Clock = std::chrono::steady_clock;

std::uint64_t wall_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
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
    } else if (name == "u") {
      message.uid = std::string(value);
    } else if (name == "b") {
      message.body = std::string(value);
    } else if (name == "d") {  // a tombstone (fetch.lua, from the tomb hash)
      message.deleted = true;
      message.by = std::string(value);
    }
  }
  return true;
}

// A published payload: epoch, seq, ts, from, id, uid, body (one a line; the body last).
bool payload_to_message(std::string_view payload, std::uint64_t& epoch, Event& message) {
  std::string_view fields[6];
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
  message.uid = std::string(fields[5]);
  message.body = std::string(payload);
  return true;
}

}  // namespace

std::string RedisBroker::room_key(std::string_view prefix, std::string_view room,
                                  std::string_view what) {
  // Hex keeps braces out of the hash tag (a room named "}x" would otherwise
  // give an empty one) and makes every room's keys distinct.
  std::string k;
  k.reserve(prefix.size() + room.size() * 2 + what.size() + 3);
  k.append(prefix).append("{").append(hex(room)).append("}:").append(what);
  return k;
}

RedisBroker::RedisBroker(EventLoop& loop, const Options& options, const Log& log,
                         RedisAddress address, bool moderation_home)
    : loop_(loop),
      options_(options),
      log_(log),
      address_(std::move(address)),
      relay_id_(std::to_string(getpid()) + ":" + std::to_string(wall_ms())),
      probe_channel_(options.redis_prefix + "probe:" + relay_id_),
      moderation_channel_(moderation_home ? options.redis_prefix + "mod" : std::string()),
      sanctions_known_(!moderation_home),
      tick_(loop, [this] { on_tick(); }) {
  connect_commands();
  connect_subscriber();
  tick_.start(0, std::chrono::duration<double>(kTick).count());
}

RedisBroker::~RedisBroker() = default;

std::chrono::milliseconds RedisBroker::backoff(unsigned failures) const {
  const unsigned shift = failures > 5 ? 5 : failures;
  return std::min(std::chrono::milliseconds(2000), std::chrono::milliseconds(100) * (1u << shift));
}

void RedisBroker::take_news(std::vector<BrokerNews>& news) {
  news.clear();
  news.swap(news_);
}

bool RedisBroker::eval(const char* script, const char* sha, std::vector<std::string> args,
                       RedisConnection::ReplyHandler handler) {
  std::vector<std::string_view> views;
  views.reserve(args.size() + 2);
  views.push_back("EVALSHA");
  views.push_back(sha);
  for (const std::string& arg : args) views.push_back(arg);
  return commands_->command(views, [this, script, args = std::move(args),
                                    handler = std::move(handler)](const redisReply* reply) mutable {
    if (reply && reply->type == REDIS_REPLY_ERROR && text_of(*reply).starts_with("NOSCRIPT")) {
      std::vector<std::string_view> again{"EVAL", script};
      for (const std::string& arg : args) again.push_back(arg);
      if (!commands_->command(again, handler)) handler(nullptr);
      return;
    }
    handler(reply);
  });
}

// ---- connections ----

void RedisBroker::connect_commands() {
  RedisConnection::Events events;
  events.up = [this] {
    if (command_failures_ > 0) log_.warn("redis: command connection back");
    command_failures_ = 0;
    // Loaded before any EVALSHA on this connection: a publish that found its
    // script missing and went again by EVAL could overtake later ones.
    for (const char* script : {kPublishLua, kFetchLua, kPresenceLua, kRollbackLua, kDeleteLua,
                               kModerateLua, kSanctionsLua})
      commands_->command({"SCRIPT", "LOAD", script}, [](const redisReply*) {});
    identify_redis();
  };
  events.down = [this] {
    redis_run_.clear();  // the next connection may reach another process
    if (command_failures_ == 0)
      log_.warn("redis: command connection lost; posting refused until it is back");
    commands_retry_at_ = Clock::now() + backoff(++command_failures_);
  };
  commands_ = std::make_unique<RedisConnection>(loop_.get(), address_, std::move(events));
  probe_out_ = false;
  if (commands_->is_gone()) commands_retry_at_ = Clock::now() + backoff(++command_failures_);
}

// Which Redis process this is, and whether it persists every write: the
// scripts give a room a new epoch when its data was written by an earlier
// process that may have lost the last writes (publish.lua, fetch.lua).
// Nothing is posted or read until both are known.
// Asked again with every probe: an operator may change it at run time.
void RedisBroker::ask_durability() {
  commands_->command({"CONFIG", "GET", "append*"}, [this](const redisReply* reply) {
    if (!reply || reply->type != REDIS_REPLY_ARRAY) return;
    bool appendonly = false, always = false;
    for (std::size_t i = 0; i + 1 < reply->elements; i += 2) {
      if (!is_string(reply->element[i]) || !is_string(reply->element[i + 1])) continue;
      const std::string_view name = text_of(*reply->element[i]);
      const std::string_view value = text_of(*reply->element[i + 1]);
      if (name == "appendonly") appendonly = value == "yes";
      if (name == "appendfsync") always = value == "always";
    }
    redis_durable_ = appendonly && always;
  });
}

void RedisBroker::identify_redis() {
  ask_durability();
  commands_->command({"INFO", "server"}, [this](const redisReply* reply) {
    if (!reply || !is_string(reply)) {
      commands_->drop();  // try again with a new connection
      return;
    }
    const std::string_view info = text_of(*reply);
    const auto at = info.find("run_id:");
    if (at == std::string_view::npos) {
      commands_->drop();
      return;
    }
    const auto end = info.find_first_of("\r\n", at);
    redis_run_ =
        std::string(info.substr(at + 7, end == std::string_view::npos ? end : end - at - 7));
    load_sanctions();  // first: rooms are read once the bans in force are known
    start_fetches();   // whatever waited for the command connection
  });
}

void RedisBroker::connect_subscriber() {
  RedisConnection::Events events;
  events.up = [this] {
    if (subscriber_failures_ > 0) log_.warn("redis: pub/sub connection back; rooms catch up");
    subscriber_failures_ = 0;
    subscriber_->subscription({"SUBSCRIBE", probe_channel_});
    if (!moderation_channel_.empty()) subscriber_->subscription({"SUBSCRIBE", moderation_channel_});
    to_subscribe_.clear();
    for (auto& [room, state] : rooms_)
      if (state.open) to_subscribe_.push_back(room);
    subscribe_some();
  };
  events.down = [this] {
    if (subscriber_failures_ == 0) log_.warn("redis: pub/sub connection lost");
    subscriber_retry_at_ = Clock::now() + backoff(++subscriber_failures_);
    probe_subscribed_ = false;
    // Nothing is subscribed any more; rooms nobody is in are done with.
    std::erase_if(rooms_, [](const auto& entry) { return !entry.second.open; });
    for (auto& [room, state] : rooms_) state.sent = state.confirmed = state.unsubscribing = false;
    to_subscribe_.clear();
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
  probe(now);
  if (now >= heartbeat_at_ && commands_->is_up()) {
    heartbeat_at_ = now + std::chrono::milliseconds(options_.presence_ttl_s * 1000 / 3);
    heartbeat();
  }
  subscribe_some();
  start_fetches();
  load_sanctions();
}

// A silent connection is dropped (and then reconnected).
void RedisBroker::probe(Clock::time_point now) {
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
    ask_durability();
  }
}

// ---- rooms ----

std::optional<StreamStart> RedisBroker::open_room(std::string_view name, std::uint64_t cache_epoch,
                                                  Seq cache_next) {
  const std::string room(name);
  RoomState& state = rooms_[room];
  state.open = true;
  state.synced = false;  // the hub's cache is filled afresh (or continued)
  state.fetching = false;
  state.want_fetch = false;
  state.fetch_again = false;
  state.heard_top = 0;
  state.remote.clear();  // the hub forgot them at close; the read brings them back
  // What the hub's cache has seen: a read that finds less in the same epoch
  // is a rollback.
  if (cache_next > 0) {
    state.epoch = cache_epoch;
    state.next = cache_next;
  }
  ++state.generation;
  if (state.confirmed) {
    want_fetch(room, state);  // still subscribed (closed and reopened before the UNSUBSCRIBE)
  } else if (!state.sent && !state.unsubscribing) {
    to_subscribe_.push_back(room);
    subscribe_some();
  }
  return std::nullopt;  // a `ready` follows once the room is read
}

void RedisBroker::close_room(std::string_view name) {
  const auto it = rooms_.find(std::string(name));
  if (it == rooms_.end()) return;
  RoomState& state = it->second;
  state.open = false;
  state.want_fetch = false;
  ++state.generation;
  if (!state.sent) {
    if (!state.unsubscribing) rooms_.erase(it);
    return;
  }
  state.sent = state.confirmed = false;
  state.unsubscribing = true;
  subscriber_->subscription({"UNSUBSCRIBE", key(name, "live")});
}

// In batches: after a reconnect, 10,000 rooms do not all ask at once.
void RedisBroker::subscribe_some() {
  if (!subscriber_->is_up()) return;
  for (std::size_t n = 0; n < kSubscribesPerTick && !to_subscribe_.empty();) {
    const std::string room = std::move(to_subscribe_.front());
    to_subscribe_.pop_front();
    const auto it = rooms_.find(room);
    if (it == rooms_.end() || !it->second.open || it->second.sent || it->second.unsubscribing)
      continue;
    if (!subscriber_->subscription({"SUBSCRIBE", key(room, "live")})) return;
    it->second.sent = true;
    ++n;
  }
}

void RedisBroker::on_push(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 3 || !is_string(reply.element[0]) ||
      !is_string(reply.element[1]))
    return;
  const std::string_view kind = text_of(*reply.element[0]);
  const std::string_view channel = text_of(*reply.element[1]);
  if (channel == probe_channel_) {
    if (kind == "subscribe") probe_subscribed_ = true;
    if (kind == "message") probe_heard_ = true;
    return;
  }
  if (!moderation_channel_.empty() && channel == moderation_channel_) {
    if (kind == "subscribe") {
      // From here nothing announced is missed: read what is in force.
      sanctions_owed_ = true;
      sanctions_cursor_ = "0";
      load_sanctions();
    } else if (kind == "message" && is_string(reply.element[2])) {
      on_moderation_news(text_of(*reply.element[2]));
    }
    return;
  }
  // "<prefix>{<hex room>}:live"
  const std::string_view prefix = options_.redis_prefix;
  if (!channel.starts_with(prefix) || channel.size() < prefix.size() + 7) return;
  std::string_view tag = channel.substr(prefix.size() + 1);
  const auto close = tag.find('}');
  if (close == std::string_view::npos || close % 2) return;
  std::string room;
  for (std::size_t i = 0; i < close; i += 2) {
    unsigned value = 0;
    std::from_chars(tag.data() + i, tag.data() + i + 2, value, 16);
    room.push_back(static_cast<char>(value));
  }
  const auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  RoomState& state = it->second;
  if (kind == "subscribe") {
    if (!state.open || !state.sent) return;
    state.confirmed = true;
    // A read already out may have begun before the subscription counted.
    if (state.fetching) state.fetch_again = true;
    want_fetch(room, state);
  } else if (kind == "unsubscribe") {
    state.unsubscribing = false;
    if (state.open) {
      to_subscribe_.push_back(room);  // reopened meanwhile
      subscribe_some();
    } else {
      rooms_.erase(it);
    }
  } else if (kind == "message" && is_string(reply.element[2])) {
    const std::string_view payload = text_of(*reply.element[2]);
    if (payload.starts_with("p\n"))
      on_presence_news(room, payload.substr(2));
    else if (payload.starts_with("d\n"))
      on_deletion_news(room, payload.substr(2));
    else
      on_live(room, payload);
  }
}

// "epoch\nseq\nby" (delete.lua): a message this relay already delivered is
// swapped for its tombstone by the hub; one it has not reached yet comes
// from the Stream as a tombstone anyway.
void RedisBroker::on_deletion_news(const std::string& room, std::string_view payload) {
  const auto it = rooms_.find(room);
  if (it == rooms_.end() || !it->second.open || !it->second.synced) return;
  const auto first = payload.find('\n');
  const auto second = payload.find('\n', first == std::string_view::npos ? first : first + 1);
  if (second == std::string_view::npos) return;
  std::uint64_t epoch = 0;
  Event deleted;
  if (!to_u64(payload.substr(0, first), epoch) ||
      !to_u64(payload.substr(first + 1, second - first - 1), deleted.seq))
    return;
  if (epoch != it->second.epoch || deleted.seq >= it->second.next) return;
  deleted.type = EventType::deleted;
  deleted.room = room;
  deleted.by = std::string(payload.substr(second + 1));
  BrokerNews news;
  news.kind = BrokerNews::Kind::deleted;
  news.room = room;
  news.messages.push_back(std::move(deleted));
  news_.push_back(std::move(news));
}

void RedisBroker::on_live(const std::string& room, std::string_view payload) {
  const auto it = rooms_.find(room);
  if (it == rooms_.end() || !it->second.open || !it->second.confirmed) return;
  RoomState& state = it->second;
  std::uint64_t epoch = 0;
  Event message;
  if (!payload_to_message(payload, epoch, message)) return;
  state.heard_top = std::max(state.heard_top, message.seq);
  if (!state.synced || state.fetching || state.want_fetch) {
    // The read's end looks at heard_top.
    if (state.synced && epoch != state.epoch) want_fetch(room, state);
    return;
  }
  if (epoch != state.epoch) {
    want_fetch(room, state);  // the room's data was lost: the read sees the new epoch
    return;
  }
  if (message.seq < state.next) return;  // already delivered
  if (message.seq > state.next) {        // a gap: the Stream has it
    want_fetch(room, state);
    return;
  }
  pass_on(room, state, std::move(message));
}

// The room's next message, in order, to the hub.
void RedisBroker::pass_on(const std::string& room, RoomState& state, Event message) {
  ++state.next;
  BrokerNews news;
  news.kind = BrokerNews::Kind::message;
  news.room = room;
  message.room = room;
  news.messages.push_back(std::move(message));
  news_.push_back(std::move(news));
}

void RedisBroker::want_fetch(const std::string& room, RoomState& state) {
  state.want_fetch = true;
  if (!state.fetching && fetches_out_ < kFetchesInFlight && commands_->is_up() &&
      sanctions_known_ && !redis_run_.empty() && Clock::now() >= state.fetch_at)
    fetch(room, state);
}

// Reads owed, oldest want first would need a queue; rooms are few compared
// with the reads one tick allows, so a pass over them is enough.
void RedisBroker::start_fetches() {
  if (!commands_->is_up() || redis_run_.empty() || !sanctions_known_) return;
  const auto now = Clock::now();
  for (auto& [room, state] : rooms_) {
    if (fetches_out_ >= kFetchesInFlight) return;
    if (state.open && state.confirmed && state.want_fetch && !state.fetching &&
        now >= state.fetch_at)
      fetch(room, state);
  }
}

void RedisBroker::fetch(const std::string& room, RoomState& state) {
  const std::string after = state.synced ? std::to_string(state.next - 1) : "latest";
  const std::string count = std::to_string(
      state.synced ? kFetchCount : std::max<std::size_t>(1, options_.history_events));
  const std::uint32_t generation = state.generation;
  const std::uint32_t presence_news = state.presence_news;
  std::vector<std::string> args{"4",
                                key(room, "meta"),
                                key(room, "log"),
                                key(room, "members"),
                                key(room, "tomb"),
                                std::to_string(wall_ms()),
                                after,
                                count,
                                std::to_string(kEmptyRoomSeconds),
                                redis_run_,
                                redis_durable_ ? "1" : "0"};
  const bool sent = eval(kFetchLua, kFetchSha, std::move(args),
                         [this, room, generation, presence_news](const redisReply* reply) {
                           --fetches_out_;
                           const auto it = rooms_.find(room);
                           if (it == rooms_.end() || it->second.generation != generation) return;
                           RoomState& state = it->second;
                           state.fetching = false;
                           // Presence heard after the read was sent is newer than the read's list.
                           on_fetched(room, reply, state.presence_news == presence_news);
                           start_fetches();
                         });
  if (!sent) {
    fetch_failed(state);
    return;
  }
  ++fetches_out_;
  state.fetching = true;
  state.want_fetch = false;
}

void RedisBroker::fetch_failed(RoomState& state) {
  state.want_fetch = true;
  state.fetch_at = Clock::now() + backoff(++state.fetch_failures);
}

void RedisBroker::report_ready(const std::string& room, RoomState& state, std::uint64_t epoch,
                               Seq first, std::vector<Event> messages) {
  BrokerNews news;
  news.kind = BrokerNews::Kind::ready;
  news.room = room;
  news.epoch = epoch;
  news.first_seq = first;
  Seq next = first;
  for (Event& message : messages) {
    if (message.seq != next) break;
    message.room = room;
    news.messages.push_back(std::move(message));
    ++next;
  }
  state.epoch = epoch;
  state.next = next;
  state.synced = true;
  news_.push_back(std::move(news));
}

void RedisBroker::on_fetched(const std::string& room, const redisReply* reply,
                             bool members_current) {
  RoomState& state = rooms_[room];
  if (!state.open) return;
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 4 ||
      !is_string(reply->element[0]) || reply->element[1]->type != REDIS_REPLY_INTEGER ||
      reply->element[2]->type != REDIS_REPLY_ARRAY) {
    fetch_failed(state);  // retried with backoff until the room is whole
    return;
  }
  std::uint64_t epoch = 0;
  if (!to_u64(text_of(*reply->element[0]), epoch)) {
    fetch_failed(state);
    return;
  }
  state.fetch_failures = 0;
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
  if (members_current && reply->element[3]->type == REDIS_REPLY_ARRAY) {
    std::map<std::string, unsigned> remote;
    for (std::size_t i = 0; i < reply->element[3]->elements; ++i) {
      if (!is_string(reply->element[3]->element[i])) continue;
      const std::string_view member = text_of(*reply->element[3]->element[i]);
      const auto tab = member.find('\t');
      if (tab == std::string_view::npos || member.substr(0, tab) == relay_id_) continue;
      ++remote[std::string(member.substr(tab + 1))];
    }
    for (const auto& [nick, count] : std::map<std::string, unsigned>(state.remote))
      if (!remote.count(nick)) count_remote(room, state, nick, -static_cast<int>(count));
    for (const auto& [nick, count] : remote) {
      const auto had = state.remote.find(nick);
      const unsigned before = had == state.remote.end() ? 0 : had->second;
      count_remote(room, state, nick, static_cast<int>(count) - static_cast<int>(before));
    }
  }

  const bool known = state.next > 0 && state.epoch == epoch;
  if (known && top + 1 < state.next) {
    // Redis holds less of the room than this relay saw, in the same epoch.
    roll_back(room, state);
    return;
  }
  const Seq first = messages.empty() ? top + 1 : messages.front().seq;
  if (!state.synced || !known || first > state.next) {
    // The newest history becomes the hub's cache (the hub continues its own
    // when it reaches into it, in the same epoch); or, behind a gap the
    // Stream no longer holds, what it still has.
    report_ready(room, state, epoch, first, std::move(messages));
  } else {
    for (Event& message : messages) {
      if (message.seq == state.next) pass_on(room, state, std::move(message));
    }
  }
  // More was heard of (or there is more) than this read returned.
  if (std::exchange(state.fetch_again, false) || state.heard_top >= state.next || top >= state.next)
    want_fetch(room, state);
}

void RedisBroker::roll_back(const std::string& room, RoomState& state) {
  log_.warn("redis: room %s holds less than this relay saw (seq %llu): a new epoch", room.c_str(),
            static_cast<unsigned long long>(state.next - 1));
  const std::uint32_t generation = state.generation;
  std::vector<std::string> args{"1", key(room, "meta"), std::to_string(state.epoch),
                                std::to_string(state.next - 1), std::to_string(wall_ms())};
  state.fetching = true;
  ++fetches_out_;
  const bool sent = eval(kRollbackLua, kRollbackSha, std::move(args),
                         [this, room, generation](const redisReply*) {
                           --fetches_out_;
                           const auto it = rooms_.find(room);
                           if (it == rooms_.end() || it->second.generation != generation) return;
                           it->second.fetching = false;
                           want_fetch(room, it->second);  // reads the new epoch
                         });
  if (!sent) {
    --fetches_out_;
    state.fetching = false;
    fetch_failed(state);
  }
}

void RedisBroker::report_result(const Publication& publication, PublishStatus status, Seq seq) {
  BrokerNews news;
  news.kind = BrokerNews::Kind::publish_result;
  news.room = publication.room;
  news.ticket = publication.ticket;
  news.status = status;
  news.seq = seq;
  news_.push_back(std::move(news));
}

void RedisBroker::publish(Publication publication) {
  if (!commands_->is_up() || redis_run_.empty()) {
    report_result(publication, PublishStatus::unavailable, 0);
    return;
  }
  if (publication.message.type == EventType::deleted) {
    publish_deletion(std::move(publication));
    return;
  }
  const Event& m = publication.message;
  const auto found = rooms_.find(publication.room);
  const bool seen = found != rooms_.end() && found->second.next > 0;
  std::vector<std::string> args;
  args.reserve(15);
  const bool keyed = !publication.sender_key.empty() && !m.id.empty();
  args.push_back(keyed ? "3" : "2");
  args.push_back(key(publication.room, "meta"));
  args.push_back(key(publication.room, "log"));
  if (keyed)
    args.push_back(key(publication.room, "sent:" + hex(publication.sender_key) + ":" + hex(m.id)));
  args.push_back(key(publication.room, "live"));
  args.push_back(std::to_string(options_.history_events));
  args.push_back(std::to_string(wall_ms()));
  args.push_back(std::to_string(m.ts));
  args.push_back(m.from);
  args.push_back(m.id);
  args.push_back(m.body);
  args.push_back(std::to_string(kDedupeSeconds));
  args.push_back(seen ? std::to_string(found->second.epoch) : "0");
  args.push_back(seen ? std::to_string(found->second.next - 1) : "0");
  args.push_back(redis_run_);
  args.push_back(redis_durable_ ? "1" : "0");
  args.push_back(m.uid);
  const std::string room = publication.room;
  const std::uint64_t ticket = publication.ticket;
  auto done = [this, room, ticket](const redisReply* reply) {
    Publication answered;
    answered.room = room;
    answered.ticket = ticket;
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
        reply->element[0]->type != REDIS_REPLY_INTEGER ||
        reply->element[2]->type != REDIS_REPLY_INTEGER) {
      report_result(answered, PublishStatus::unavailable, 0);
      return;
    }
    const Seq seq = static_cast<Seq>(reply->element[2]->integer);
    switch (reply->element[0]->integer) {
      case 1:
        report_result(answered, PublishStatus::accepted, seq);
        return;
      case 0:
        report_result(answered, PublishStatus::duplicate, seq);
        return;
      default: {
        // Redis holds less than this relay saw: the room gets a new epoch
        // first; the sender resends (with its id, posted once).
        report_result(answered, PublishStatus::unavailable, 0);
        const auto it = rooms_.find(room);
        if (it != rooms_.end() && it->second.open && !it->second.fetching)
          roll_back(room, it->second);
        return;
      }
    }
  };
  if (!eval(kPublishLua, kPublishSha, std::move(args), std::move(done)))
    report_result(publication, PublishStatus::unavailable, 0);
}

// A deletion: delete.lua swaps the Stream entry for a tombstone and tells
// every relay (this one included) on the room's channel; on_live turns that
// into `deleted` news.
void RedisBroker::publish_deletion(Publication publication) {
  const Seq seq = publication.message.seq;
  std::vector<std::string> args{"3",
                                key(publication.room, "meta"),
                                key(publication.room, "log"),
                                key(publication.room, "tomb"),
                                key(publication.room, "live"),
                                std::to_string(seq),
                                publication.message.by};
  const std::string room = publication.room;
  const std::uint64_t ticket = publication.ticket;
  auto done = [this, room, ticket, seq](const redisReply* reply) {
    Publication answered;
    answered.room = room;
    answered.ticket = ticket;
    const bool deleted = reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
                         reply->element[0]->type == REDIS_REPLY_INTEGER &&
                         reply->element[0]->integer == 1;
    // Not held by the Stream (trimmed, or deleted already): nothing to do.
    report_result(answered, deleted ? PublishStatus::accepted : PublishStatus::duplicate, seq);
  };
  if (!eval(kDeleteLua, kDeleteSha, std::move(args), std::move(done)))
    report_result(publication, PublishStatus::unavailable, 0);
}

// ---- presence across relays ----

void RedisBroker::count_remote(const std::string& room, RoomState& state, const std::string& nick,
                               int delta) {
  if (delta == 0) return;
  auto& remote = state.remote;
  const auto found = remote.find(nick);
  const int before = found == remote.end() ? 0 : static_cast<int>(found->second);
  const int after = before + delta;
  if (after <= 0)
    remote.erase(nick);
  else
    remote[nick] = static_cast<unsigned>(after);
  if ((before == 0) == (after <= 0)) return;
  BrokerNews news;
  news.kind = BrokerNews::Kind::presence;
  news.room = room;
  news.nick = nick;
  news.joined = after > 0;
  news_.push_back(std::move(news));
}

// "relay\nj|l\nnick", from presence.lua or member_left.
void RedisBroker::on_presence_news(const std::string& room, std::string_view payload) {
  const auto it = rooms_.find(room);
  if (it == rooms_.end() || !it->second.open || !it->second.confirmed) return;
  const auto first = payload.find('\n');
  if (first == std::string_view::npos || payload.size() < first + 3) return;
  const std::string_view relay = payload.substr(0, first);
  const char kind = payload[first + 1];
  const std::string nick(payload.substr(first + 3));
  if (relay == relay_id_ || nick.empty()) return;
  ++it->second.presence_news;
  count_remote(room, it->second, nick, kind == 'j' ? 1 : -1);
}

void RedisBroker::member_joined(std::string_view room, std::string_view nick) {
  rooms_[std::string(room)].local.emplace(nick);
  if (!commands_->is_up()) return;  // the next heartbeat announces it
  eval(kPresenceLua, kPresenceSha,
       {"1", key(room, "members"), key(room, "live"),
        std::to_string(options_.presence_ttl_s * 1000ull), relay_id_, std::string(nick)},
       [](const redisReply*) {});
}

void RedisBroker::member_left(std::string_view room, std::string_view nick) {
  const auto it = rooms_.find(std::string(room));
  if (it != rooms_.end()) {
    auto& local = it->second.local;
    if (const auto one = local.find(std::string(nick)); one != local.end()) local.erase(one);
    // The nick is still held on another relay: it stays listed here.
    if (it->second.remote.count(std::string(nick))) {
      BrokerNews news;
      news.kind = BrokerNews::Kind::presence;
      news.room = std::string(room);
      news.nick = std::string(nick);
      news.joined = true;
      news_.push_back(std::move(news));
    }
  }
  if (!commands_->is_up()) return;  // its entry expires by itself
  const std::string member = relay_id_ + "\t" + std::string(nick);
  const std::string news = "p\n" + relay_id_ + "\nl\n" + std::string(nick);
  commands_->command({"ZREM", key(room, "members"), member}, [](const redisReply*) {});
  commands_->command({"PUBLISH", key(room, "live"), news}, [](const redisReply*) {});
}

// Every third of --presence-ttl: this relay's members are refreshed, and
// expired entries (a dead relay's) removed and announced, room by room; the
// calls go out pipelined, without waiting for each other.
void RedisBroker::heartbeat() {
  const std::string ttl = std::to_string(options_.presence_ttl_s * 1000ull);
  for (const auto& [room, state] : rooms_) {
    if (!state.open) continue;
    std::vector<std::string> args{"1", key(room, "members"), key(room, "live"), ttl, relay_id_};
    for (const std::string& nick : state.local) args.push_back(nick);
    eval(kPresenceLua, kPresenceSha, std::move(args), [](const redisReply*) {});
  }
}

}  // namespace hubchat::relay
