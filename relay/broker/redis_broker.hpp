// The Redis broker (--redis): several relays share rooms through one Redis.
//
// Per room (keys hash-tagged by room, so Redis Cluster stays possible; see
// docs/redis.md): a meta hash {epoch, seq}, a Stream whose entry ids are the
// seqs (the history, MAXLEN --history-events) and a pub/sub channel.
// lua/publish.lua assigns the seq, drops resends (by sender key + id),
// appends and publishes in one step: every relay sees one order.
//
// Two connections, because a subscribed hiredis context takes no other
// command: `commands_` (publish, fetch, probes) and `subscriber_`.
//
//  - open_room: SUBSCRIBE; once confirmed, fetch the newest history
//    (lua/fetch.lua) and hand it to the hub (on_room_ready). From then on
//    messages are delivered strictly by seq: the next one is passed on, an
//    old one dropped, and a gap (or anything heard while a fetch is out)
//    fetched from the Stream. Pub/sub is a hint; the Stream is the truth.
//  - close_room (no local members left): UNSUBSCRIBE.
//  - A lost connection is reconnected with backoff (100 ms doubling to 2 s);
//    after the subscriber is back every open room re-subscribes and catches
//    up from the Stream. A silent connection is found by the probe: every
//    kProbeInterval the command connection PUBLISHes to this relay's own
//    probe channel; the reply proves the command connection, the message the
//    subscriber. Whichever is missing after kProbeTimeout is dropped.
//  - While the command connection is down, publish() answers `unavailable`
//    at once; requests in flight when it drops answer `unavailable` too
//    (the script may have run: a client's resend with the same id is then
//    recognized, so nothing is posted twice).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "relay/broker/broker.hpp"
#include "relay/transport/event_loop.hpp"
#include "relay/ops/log.hpp"
#include "relay/ops/options.hpp"
#include "relay/broker/redis_connection.hpp"

namespace hubchat::relay {

class RedisBroker final : public Broker {
 public:
  static constexpr std::chrono::milliseconds kTick{100};
  static constexpr std::chrono::milliseconds kProbeInterval{500};
  static constexpr std::chrono::milliseconds kProbeTimeout{3000};
  static constexpr std::chrono::milliseconds kConnectTimeout{2000};
  static constexpr std::size_t kFetchCount = 1000;  // Stream entries per catch-up read
  static constexpr unsigned kDedupeSeconds = 600;   // a resend is recognized this long

  RedisBroker(EventLoop& loop, const Options& options, const Log& log, RedisAddress address);
  ~RedisBroker() override;

  void attach(BrokerSink& sink) override { sink_ = &sink; }
  void open_room(Room& room) override;
  void close_room(Room& room) override;
  void forget_room(Room&) override {}
  void publish(Room& room, Publication publication) override;
  void member_joined(Room& room, std::string_view nick) override;
  void member_left(Room& room, std::string_view nick) override;
  bool is_remote() const override { return true; }

 private:
  struct RoomState {
    bool open = false;           // local members: want to be subscribed
    bool sent = false;           // SUBSCRIBE sent on the current subscriber
    bool confirmed = false;      // ... and confirmed: nothing published is missed from here
    bool unsubscribing = false;  // UNSUBSCRIBE sent, not confirmed yet
    bool synced = false;         // the hub has the cache (on_room_ready sent)
    bool fetching = false;       // a fetch is out
    std::uint64_t epoch = 0;
    Seq next = 0;                            // the next seq the hub expects
    Seq heard_top = 0;                       // the highest seq heard of on pub/sub
    std::uint32_t generation = 0;            // bumped at open/close: older fetch replies are stale
    std::multiset<std::string> local;        // this relay's members (for the heartbeat)
    std::map<std::string, unsigned> remote;  // other relays' members: nick -> entries
  };

  std::string key(std::string_view room, std::string_view what) const;
  void connect_commands();
  void connect_subscriber();
  void on_tick();
  void on_push(const redisReply& reply);
  void on_live(std::string_view room, std::string_view payload);
  void on_presence_news(const std::string& room, std::string_view payload);
  // Moves the room's remote member count of `nick` by +1/-1, telling the hub
  // when the nick appears or disappears.
  void count_remote(const std::string& room, const std::string& nick, int delta);
  void heartbeat();
  void subscribe(std::string_view room);
  void fetch(const std::string& room);
  void on_fetched(const std::string& room, const redisReply* reply);
  std::chrono::milliseconds backoff(unsigned failures) const;

  EventLoop& loop_;
  const Options& options_;
  const Log& log_;
  RedisAddress address_;
  BrokerSink* sink_ = nullptr;
  std::string relay_id_;       // "<pid>:<ms>": this relay in member entries
  std::string probe_channel_;  // this relay's own
  std::chrono::steady_clock::time_point heartbeat_at_{};
  std::unordered_map<std::string, RoomState> rooms_;
  std::unique_ptr<RedisConnection> commands_, subscriber_;
  unsigned command_failures_ = 0, subscriber_failures_ = 0;
  std::chrono::steady_clock::time_point commands_retry_at_{}, subscriber_retry_at_{};
  // The probe in flight: when it was sent, and which of its halves came back.
  std::chrono::steady_clock::time_point probe_sent_{};
  bool probe_out_ = false, probe_replied_ = false, probe_heard_ = false;
  std::uint64_t probe_number_ = 0;
  bool probe_subscribed_ = false;
  bool probe_expects_message_ = false;  // the subscriber was up when it was sent
  bool fetch_retry_ = false;            // some room's fetch waits for the command connection
  EventLoop::Timer tick_;
};

}  // namespace hubchat::relay
