// One connection to Redis on the relay's own libev loop (hiredis 0.14's async
// context, attached with its libev adapter: no threads). RAII: the context is
// freed with the object, and hiredis never calls back into a freed one.
//
// hiredis 0.14 has no timeouts and no reconnection: a connection that failed
// or went silent is dropped by its owner (destroy it, make a new one).
// Commands queued before the connection is up are sent once it is.
//
// Implemented: commands with a reply handler; SUBSCRIBE/UNSUBSCRIBE, their
// confirmations and messages going to one push handler.
// Missing: RESP3, TLS, AUTH (put a password in a later version).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "relay/broker/redis_url.hpp"

struct redisAsyncContext;
struct redisReply;
struct ev_loop;

namespace hubchat::relay {

class RedisConnection {
 public:
  // nullptr: no reply (the connection is gone or was dropped).
  using ReplyHandler = std::function<void(const redisReply*)>;
  struct Events {
    std::function<void()> up;    // connected
    std::function<void()> down;  // failed to connect, or lost (not called from the destructor)
    // Subscriber connections: every push (subscribe/unsubscribe confirmations, messages).
    std::function<void(const redisReply&)> push;
  };

  // Starts connecting at once (SELECT db is the first command).
  RedisConnection(struct ev_loop* loop, const RedisAddress& address, Events events);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  bool is_up() const { return context_ && up_; }
  bool is_gone() const { return !context_; }
  std::chrono::steady_clock::time_point created_at() const { return created_at_; }

  // Closes the connection now: pending handlers get nullptr, then Events::down.
  void drop();
  // Queues a command; false (and no handler call) if the connection is gone.
  bool command(const std::vector<std::string_view>& args, ReplyHandler handler);
  // SUBSCRIBE / UNSUBSCRIBE: confirmations and messages go to Events::push.
  bool subscription(const std::vector<std::string_view>& args);

 private:
  static void on_connect(const redisAsyncContext* context, int status);
  static void on_disconnect(const redisAsyncContext* context, int status);
  static void on_reply(redisAsyncContext* context, void* reply, void* request);
  static void on_push(redisAsyncContext* context, void* reply, void* unused);
  void lost();

  redisAsyncContext* context_ = nullptr;  // hiredis frees it itself once lost
  bool up_ = false;
  bool dropping_ = false;
  Events events_;
  std::chrono::steady_clock::time_point created_at_;
};

}  // namespace hubchat::relay
