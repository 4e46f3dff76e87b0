// The Redis broker (--redis): several relays share rooms through one Redis.
//
// Per room (keys hash-tagged by the room name in hex, so Redis Cluster stays
// possible whatever the name holds; see docs/redis.md): a meta hash {epoch,
// seq}, a Stream whose entry ids are the seqs (the history, MAXLEN
// --history-events), a member set and a pub/sub channel. lua/publish.lua
// assigns the seq, drops resends (by sender key + id), appends and publishes
// in one step: every relay sees one order.
//
// Two connections, because a subscribed hiredis context takes no other
// command: `commands_` (scripts, probes) and `subscriber_`.
//
// Per open room the broker keeps the stream it reports to the hub whole:
//  - open_room: SUBSCRIBE; once confirmed, fetch the newest history
//    (lua/fetch.lua) and report `ready`. From then on messages are passed on
//    strictly by seq; an old one is dropped, and a gap (or anything heard
//    while a fetch is out) is read from the Stream. Pub/sub is a hint; the
//    Stream is the truth. A read that fails is retried with backoff until
//    the room is whole.
//  - What breaks "contiguous, same epoch" is a new `ready`: a new epoch
//    (Redis lost the room), a gap the Stream no longer holds, or a rollback
//    (Redis holds less than this relay saw in the same epoch: the room gets
//    a new epoch first, lua/rollback.lua).
//  - close_room (no local members left): UNSUBSCRIBE.
//  - A lost connection is reconnected with backoff (100 ms doubling to 2 s);
//    after the subscriber is back, open rooms re-subscribe in batches and
//    catch up with a bounded number of reads in flight. A silent connection
//    is found by the probe: every kProbeInterval the command connection
//    PUBLISHes to this relay's own probe channel; the reply proves the
//    command connection, the message the subscriber.
//  - While the command connection is down, publish() answers `unavailable`;
//    requests in flight when it drops answer `unavailable` too (the script
//    may have run: a resend with the same id is then recognized).
//  - Moderation (redis_moderation.cpp, on the moderation home only: the one
//    Redis, or shard 0): kicks, mutes and bans are announced on
//    <prefix>mod (lua/moderate.lua), mutes and bans stored as
//    <prefix>mod:<ban|mute>:<uid|addr>:<hex> with their TTL. Every relay
//    subscribes and, each time that subscription is confirmed (start,
//    reconnect), reads the entries in force in SCAN pages (lua/sanctions.lua).
// Scripts run by EVALSHA, falling back to EVAL when Redis lacks them.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "relay/broker/broker.hpp"
#include "relay/broker/redis_connection.hpp"
#include "relay/ops/log.hpp"
#include "relay/ops/options.hpp"
#include "relay/transport/event_loop.hpp"

namespace hubchat::relay {

class RedisBroker final : public Broker {
 public:
  static constexpr std::chrono::milliseconds kTick{100};
  static constexpr std::chrono::milliseconds kProbeInterval{500};
  static constexpr std::chrono::milliseconds kProbeTimeout{3000};
  static constexpr std::chrono::milliseconds kConnectTimeout{2000};
  static constexpr std::size_t kFetchCount = 1000;        // Stream entries per catch-up read
  static constexpr unsigned kDedupeSeconds = 600;         // a resend is recognized this long
  static constexpr unsigned kEmptyRoomSeconds = 86400;    // an epoch without messages is kept
  static constexpr std::size_t kSubscribesPerTick = 512;  // resubscribe batches
  static constexpr std::size_t kFetchesInFlight = 32;     // reads at Redis at once

  static constexpr std::size_t kSanctionsPerPage = 500;  // SCAN COUNT hint

  // `moderation_home`: this Redis holds the moderation state (docs/redis.md).
  RedisBroker(EventLoop& loop, const Options& options, const Log& log, RedisAddress address,
              bool moderation_home = true);
  ~RedisBroker() override;

  std::optional<StreamStart> open_room(std::string_view room, std::uint64_t cache_epoch,
                                       Seq cache_next) override;
  void close_room(std::string_view room) override;
  void forget_room(std::string_view) override {}
  void publish(Publication publication) override;
  void member_joined(std::string_view room, std::string_view nick) override;
  void member_left(std::string_view room, std::string_view nick) override;
  void moderate(ModerationAction action) override;
  void take_news(std::vector<BrokerNews>& news) override;

  // The Redis key of a mute or ban: <prefix>mod:<ban|mute>:<uid|addr>:<hex>.
  static std::string sanction_key(std::string_view prefix, const ModerationAction& action);
  // The Redis key of `what` of a room (public for tests and docs).
  static std::string room_key(std::string_view prefix, std::string_view room,
                              std::string_view what);

 private:
  using Clock = std::chrono::steady_clock;
  struct RoomState {
    bool open = false;                // local members: want to be subscribed
    bool sent = false;                // SUBSCRIBE sent on the current subscriber
    bool confirmed = false;           // ... and confirmed: nothing published is missed from here
    bool unsubscribing = false;       // UNSUBSCRIBE sent, not confirmed yet
    bool synced = false;              // `ready` reported for this open
    bool fetching = false;            // a read is out
    bool want_fetch = false;          // a read is owed (waiting its turn or its backoff)
    bool fetch_again = false;         // the read out may have started before the subscription
    std::uint64_t epoch = 0;          // of what was reported (or what the hub's cache had)
    Seq next = 0;                     // the next seq the hub expects (0: nothing known)
    Seq heard_top = 0;                // the highest seq heard of on pub/sub
    std::uint32_t generation = 0;     // bumped at open/close: older replies are stale
    std::uint32_t presence_news = 0;  // presence heard; a read older than that is stale
    unsigned fetch_failures = 0;
    Clock::time_point fetch_at{};            // not before (backoff)
    std::multiset<std::string> local;        // this relay's members (for the heartbeat)
    std::map<std::string, unsigned> remote;  // other relays' members: nick -> entries
  };

  std::string key(std::string_view room, std::string_view what) const {
    return room_key(options_.redis_prefix, room, what);
  }
  void connect_commands();
  void identify_redis();
  void ask_durability();
  void connect_subscriber();
  void on_tick();
  void probe(Clock::time_point now);
  void on_push(const redisReply& reply);
  void on_live(const std::string& room, std::string_view payload);
  void pass_on(const std::string& room, RoomState& state, Event message);
  void on_deletion_news(const std::string& room, std::string_view payload);
  void publish_deletion(Publication publication);
  void on_presence_news(const std::string& room, std::string_view payload);
  void count_remote(const std::string& room, RoomState& state, const std::string& nick, int delta);
  void heartbeat();
  // Moderation (redis_moderation.cpp).
  void on_moderation_news(std::string_view payload);
  void report_moderation(ModerationAction action, PublishStatus status);
  void load_sanctions();  // the next SCAN page, when one is owed
  void on_sanctions(const redisReply* reply);
  void subscribe_some();
  // Asks for a read of the room's Stream (now, or when a slot is free).
  void want_fetch(const std::string& room, RoomState& state);
  void start_fetches();
  void fetch(const std::string& room, RoomState& state);
  void on_fetched(const std::string& room, const redisReply* reply, bool members_current);
  void fetch_failed(RoomState& state);
  void roll_back(const std::string& room, RoomState& state);
  void report_ready(const std::string& room, RoomState& state, std::uint64_t epoch, Seq first,
                    std::vector<Event> messages);
  void report_result(const Publication& publication, PublishStatus status, Seq seq);
  // EVALSHA, then EVAL once if Redis does not have the script.
  bool eval(const char* script, const char* sha, std::vector<std::string> args,
            RedisConnection::ReplyHandler handler);
  std::chrono::milliseconds backoff(unsigned failures) const;

  EventLoop& loop_;
  const Options& options_;
  const Log& log_;
  RedisAddress address_;
  std::string relay_id_;       // "<pid>:<ms>": this relay in member entries
  std::string probe_channel_;  // this relay's own
  Clock::time_point heartbeat_at_{};
  std::unordered_map<std::string, RoomState> rooms_;
  std::deque<std::string> to_subscribe_;  // open rooms waiting for their SUBSCRIBE
  std::size_t fetches_out_ = 0;
  std::string redis_run_;       // the Redis process's run id (empty: not known yet)
  bool redis_durable_ = false;  // appendonly yes + appendfsync always
  std::vector<BrokerNews> news_;
  std::unique_ptr<RedisConnection> commands_, subscriber_;
  unsigned command_failures_ = 0, subscriber_failures_ = 0;
  Clock::time_point commands_retry_at_{}, subscriber_retry_at_{};
  // The probe in flight: when it was sent, and which of its halves came back.
  Clock::time_point probe_sent_{};
  bool probe_out_ = false, probe_replied_ = false, probe_heard_ = false;
  std::uint64_t probe_number_ = 0;
  bool probe_subscribed_ = false;
  bool probe_expects_message_ = false;  // the subscriber was up when it was sent
  // Moderation: the channel (empty: not the moderation home), and the read
  // of what is in force (owed after each subscription; cursor of the next page).
  std::string moderation_channel_;
  bool sanctions_owed_ = false, sanctions_reading_ = false;
  // The first read is done (or failed): until then no room is read, so no
  // join completes before the bans in force are known (true off the home).
  bool sanctions_known_ = true;
  std::string sanctions_cursor_ = "0";
  EventLoop::Timer tick_;
};

}  // namespace hubchat::relay
