#include "relay/event_loop.hpp"

#include <ev.h>

#include <csignal>
#include <stdexcept>

namespace hubchat::relay {

EventLoop::EventLoop() : loop_(ev_loop_new(EVBACKEND_EPOLL)) {
  if (!loop_) loop_ = ev_loop_new(EVFLAG_AUTO);
  if (!loop_) throw std::runtime_error("relay: cannot create an event loop");
  // lws sends with MSG_NOSIGNAL; this covers anything else writing to a
  // socket the peer has closed.
  std::signal(SIGPIPE, SIG_IGN);
}

EventLoop::~EventLoop() {
  for (auto* watcher : {sigint_.get(), sigterm_.get()})
    if (watcher) ev_signal_stop(loop_, watcher);
  ev_loop_destroy(loop_);
}

void EventLoop::on_stop_signals(std::function<void()> on_stop) {
  on_stop_ = std::move(on_stop);
  sigint_ = std::make_unique<ev_signal>();
  sigterm_ = std::make_unique<ev_signal>();
  for (auto [watcher, number] : {std::pair{sigint_.get(), SIGINT}, {sigterm_.get(), SIGTERM}}) {
    ev_signal_init(watcher, &EventLoop::signalled, number);
    watcher->data = this;
    ev_signal_start(loop_, watcher);
  }
}

void EventLoop::signalled(struct ev_loop*, ev_signal* watcher, int) {
  auto* self = static_cast<EventLoop*>(watcher->data);
  if (self->on_stop_) self->on_stop_();
}

void EventLoop::run() {
  ev_run(loop_, 0);
}

void EventLoop::stop() {
  ev_break(loop_, EVBREAK_ALL);
}

EventLoop::Timer::Timer(EventLoop& loop, std::function<void()> on_fire)
    : loop_(loop.get()), on_fire_(std::move(on_fire)), watcher_(std::make_unique<ev_timer>()) {
  ev_init(watcher_.get(), &Timer::fire);
  watcher_->data = this;
}

EventLoop::Timer::~Timer() {
  stop();
}

void EventLoop::Timer::start(double after_s, double repeat_s) {
  // libev ignores ev_timer_start on a running timer: stop it first. Its
  // clock is the time this loop iteration began; callbacks can run for
  // milliseconds, so read the clock again or the timer fires early.
  ev_timer_stop(loop_, watcher_.get());
  ev_now_update(loop_);
  ev_timer_set(watcher_.get(), after_s, repeat_s);
  ev_timer_start(loop_, watcher_.get());
}

void EventLoop::Timer::stop() {
  ev_timer_stop(loop_, watcher_.get());
}

bool EventLoop::Timer::active() const {
  return ev_is_active(watcher_.get());
}

void EventLoop::Timer::fire(struct ev_loop*, ev_timer* watcher, int) {
  static_cast<Timer*>(watcher->data)->on_fire_();
}

}  // namespace hubchat::relay
