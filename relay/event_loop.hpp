// The relay's event loop: libev over epoll, shared with lws as its "foreign
// loop". lws's default poll() loop costs O(all connections) per wake-up, so
// thousands of idle clients slow every message down; epoll costs O(ready
// sockets). The loop also carries the relay's own watchers (stop signals,
// timers), so no signal handler and no globals are needed.
#pragma once

#include <functional>
#include <memory>

struct ev_loop;
struct ev_timer;
struct ev_signal;

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

  EventLoop();  // epoll backend
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  struct ev_loop* get() const {
    return loop_;
  }
  // Calls `on_stop` on the loop's thread at every SIGINT/SIGTERM.
  void on_stop_signals(std::function<void()> on_stop);
  // Runs until stop().
  void run();
  void stop();

 private:
  static void signalled(struct ev_loop* loop, ev_signal* watcher, int events);
  struct ev_loop* loop_;
  std::function<void()> on_stop_;
  std::unique_ptr<ev_signal> sigint_, sigterm_;
};

}  // namespace hubchat::relay
