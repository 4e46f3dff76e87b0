#include "relay/broker/redis_connection.hpp"

#include <ev.h>
#include <hiredis/adapters/libev.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

namespace hubchat::relay {
namespace {

// A command's handler travels through hiredis as its privdata; hiredis calls
// on_reply exactly once per command (with nullptr when the connection goes).
struct Request {
  RedisConnection::ReplyHandler handler;
};

// hiredis takes argv as parallel arrays.
struct Argv {
  explicit Argv(const std::vector<std::string_view>& args) {
    for (std::string_view arg : args) {
      pointers.push_back(arg.data());
      lengths.push_back(arg.size());
    }
  }
  std::vector<const char*> pointers;
  std::vector<std::size_t> lengths;
};

}  // namespace

RedisConnection::RedisConnection(struct ev_loop* loop, const RedisAddress& address, Events events)
    : events_(std::move(events)), created_at_(std::chrono::steady_clock::now()) {
  redisAsyncContext* context = redisAsyncConnect(address.host.c_str(), address.port);
  if (!context) return;
  if (context->err) {
    redisAsyncFree(context);
    return;
  }
  context->data = this;
  if (redisLibevAttach(loop, context) != REDIS_OK) {
    context->data = nullptr;
    redisAsyncFree(context);
    return;
  }
  redisAsyncSetConnectCallback(context, &RedisConnection::on_connect);
  redisAsyncSetDisconnectCallback(context, &RedisConnection::on_disconnect);
  context_ = context;
  if (address.db != 0) {
    const std::string db = std::to_string(address.db);
    command({"SELECT", db}, [](const redisReply*) {});
  }
}

RedisConnection::~RedisConnection() {
  if (!context_) return;
  // Our callbacks see data == nullptr and do nothing; pending requests are
  // freed without their handlers running (their owner is going away).
  context_->data = nullptr;
  redisAsyncFree(context_);
}

void RedisConnection::drop() {
  if (!context_) return;
  redisAsyncContext* context = context_;
  context_ = nullptr;
  up_ = false;
  dropping_ = true;
  redisAsyncFree(context);  // pending handlers run with nullptr
  dropping_ = false;
  if (events_.down) events_.down();
}

void RedisConnection::lost() {
  context_ = nullptr;  // hiredis frees it after this callback
  up_ = false;
  if (events_.down) events_.down();
}

void RedisConnection::on_connect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (!self || self->dropping_) return;
  if (status != REDIS_OK) {
    self->lost();
    return;
  }
  self->up_ = true;
  if (self->events_.up) self->events_.up();
}

void RedisConnection::on_disconnect(const redisAsyncContext* context, int) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (self && !self->dropping_) self->lost();
}

void RedisConnection::on_reply(redisAsyncContext* context, void* reply, void* request) {
  std::unique_ptr<Request> owned(static_cast<Request*>(request));
  if (!context->data) return;  // being destroyed
  owned->handler(static_cast<const redisReply*>(reply));
}

void RedisConnection::on_push(redisAsyncContext* context, void* reply, void*) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (!self || !reply || !self->events_.push) return;
  self->events_.push(*static_cast<const redisReply*>(reply));
}

bool RedisConnection::command(const std::vector<std::string_view>& args, ReplyHandler handler) {
  if (!context_) return false;
  Argv argv(args);
  auto request = std::make_unique<Request>(Request{std::move(handler)});
  if (redisAsyncCommandArgv(context_, &RedisConnection::on_reply, request.get(),
                            static_cast<int>(args.size()), argv.pointers.data(),
                            argv.lengths.data()) != REDIS_OK)
    return false;
  request.release();  // hiredis hands it back to on_reply
  return true;
}

bool RedisConnection::subscription(const std::vector<std::string_view>& args) {
  if (!context_) return false;
  Argv argv(args);
  return redisAsyncCommandArgv(context_, &RedisConnection::on_push, nullptr,
                               static_cast<int>(args.size()), argv.pointers.data(),
                               argv.lengths.data()) == REDIS_OK;
}

}  // namespace hubchat::relay
