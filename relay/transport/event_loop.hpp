// The relay's event loop: libev over epoll, shared with lws as its "foreign
// loop". lws's default poll() loop costs O(all connections) per wake-up, so
// thousands of idle clients slow every message down; epoll costs O(ready
// sockets). The loop also carries the relay's own watchers (stop signals,
// timers), so no signal handler and no globals are needed. It also measures
// how long each turn keeps the thread busy (see take_longest_turn_s()).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

struct ev_loop;
struct ev_io;
struct ev_timer;
struct ev_signal;
struct ev_prepare;
struct ev_check;

namespace hubchat::relay {

class EventLoop {
 public:
  // A timer on the loop; the callback runs on the loop's thread.
  class Timer {
   public:
    Timer(EventLoop& loop, std::function<void()> on_fire);
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    // Fires once after `after_s` seconds, then every `repeat_s` (0: once).
    // Restarts a running timer.
    void start(double after_s, double repeat_s = 0);
    void stop();
    bool active() const;

   private:
    static void fire(struct ev_loop* loop, ev_timer* watcher, int events);
    struct ev_loop* loop_;
    std::function<void()> on_fire_;
    std::unique_ptr<ev_timer> watcher_;
  };

  // Calls back whenever a file descriptor is readable (e.g. a listening socket).
  class Readable {
   public:
    Readable(EventLoop& loop, int fd, std::function<void()> on_readable);
    ~Readable();
    Readable(const Readable&) = delete;
    Readable& operator=(const Readable&) = delete;

   private:
    static void ready(struct ev_loop* loop, ev_io* watcher, int events);
    struct ev_loop* loop_;
    std::function<void()> on_readable_;
    std::unique_ptr<ev_io> watcher_;
  };

  EventLoop();  // epoll backend
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  struct ev_loop* get() const {
    return loop_;
  }
  // Calls `on_stop` on the loop's thread at every SIGINT/SIGTERM.
  void on_stop_signals(std::function<void()> on_stop);
  // Calls `on_end` at the end of every turn, when every callback of the turn
  // has run and the loop is about to wait for its sockets again.
  void on_end_of_turn(std::function<void()> on_end) { on_end_of_turn_ = std::move(on_end); }
  // The loop's clock (seconds, monotonic), as of this turn's wake-up: no
  // system call, and the same for every callback of the turn.
  double now() const;
  // Runs until stop().
  void run();
  void stop();

  // Turn timing. A turn's busy time runs from the loop's wake-up (an
  // ev_check watcher, right after epoll returns, before any other callback)
  // to the moment it is about to block again (an ev_prepare watcher, after
  // every callback): the longest time one turn kept every other socket
  // waiting. Two monotonic clock reads per turn.
  //
  // Turns completed since the loop was created.
  std::uint64_t turns() const { return turns_; }
  // The longest busy time of a turn completed since the last call, in
  // seconds (0 if none), and starts a new window. The turn running at the
  // call (e.g. the one answering GET /metrics) counts in the next window.
  double take_longest_turn_s();

 private:
  static void signalled(struct ev_loop* loop, ev_signal* watcher, int events);
  static void woke(struct ev_loop* loop, ev_check* watcher, int events);
  static void about_to_block(struct ev_loop* loop, ev_prepare* watcher, int events);
  struct ev_loop* loop_;
  std::function<void()> on_stop_;
  std::function<void()> on_end_of_turn_;
  std::unique_ptr<ev_signal> sigint_, sigterm_;
  std::unique_ptr<ev_check> woke_;
  std::unique_ptr<ev_prepare> about_to_block_;
  std::int64_t woke_at_ns_ = -1;  // -1: not woken yet (the first prepare precedes any check)
  std::int64_t longest_turn_ns_ = 0;
  std::uint64_t turns_ = 0;
};

}  // namespace hubchat::relay
