#include "relay/transport/event_loop.hpp"

#include <ev.h>

#include <time.h>

#include <algorithm>
#include <csignal>
#include <stdexcept>

namespace hubchat::relay {
namespace {

// Not ev_now(): that is cached at the wake-up, so it cannot see how long the
// callbacks took. Not ev_time(): wall-clock time jumps with NTP.
std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

EventLoop::EventLoop()
    : loop_(ev_loop_new(EVBACKEND_EPOLL)),
      woke_(std::make_unique<ev_check>()),
      about_to_block_(std::make_unique<ev_prepare>()) {
  if (!loop_) loop_ = ev_loop_new(EVFLAG_AUTO);
  if (!loop_) throw std::runtime_error("relay: cannot create an event loop");
  // lws sends with MSG_NOSIGNAL; this covers anything else writing to a
  // socket the peer has closed.
  std::signal(SIGPIPE, SIG_IGN);

  // Pending watchers run highest priority first: the check watcher at the
  // top runs before any I/O or timer callback of the turn, the prepare
  // watcher at the bottom after every other prepare watcher (lws's).
  ev_check_init(woke_.get(), &EventLoop::woke);
  ev_set_priority(woke_.get(), EV_MAXPRI);
  woke_->data = this;
  ev_check_start(loop_, woke_.get());
  ev_prepare_init(about_to_block_.get(), &EventLoop::about_to_block);
  ev_set_priority(about_to_block_.get(), EV_MINPRI);
  about_to_block_->data = this;
  ev_prepare_start(loop_, about_to_block_.get());
  // Neither watcher is a reason to keep ev_run() going.
  ev_unref(loop_);
  ev_unref(loop_);
}

EventLoop::~EventLoop() {
  for (auto* watcher : {sigint_.get(), sigterm_.get()})
    if (watcher) ev_signal_stop(loop_, watcher);
  // Undo the constructor's ev_unref() before stopping (libev's rule).
  ev_ref(loop_);
  ev_ref(loop_);
  ev_check_stop(loop_, woke_.get());
  ev_prepare_stop(loop_, about_to_block_.get());
  ev_loop_destroy(loop_);
}

EventLoop::Readable::Readable(EventLoop& loop, int fd, std::function<void()> on_readable)
    : loop_(loop.get()), on_readable_(std::move(on_readable)), watcher_(std::make_unique<ev_io>()) {
  ev_io_init(watcher_.get(), &Readable::ready, fd, EV_READ);
  watcher_->data = this;
  ev_io_start(loop_, watcher_.get());
}

EventLoop::Readable::~Readable() {
  ev_io_stop(loop_, watcher_.get());
}

void EventLoop::Readable::ready(struct ev_loop*, ev_io* watcher, int) {
  static_cast<Readable*>(watcher->data)->on_readable_();
}

void EventLoop::woke(struct ev_loop*, ev_check* watcher, int) {
  static_cast<EventLoop*>(watcher->data)->woke_at_ns_ = monotonic_ns();
}

void EventLoop::about_to_block(struct ev_loop*, ev_prepare* watcher, int) {
  auto* self = static_cast<EventLoop*>(watcher->data);
  if (self->on_end_of_turn_) self->on_end_of_turn_();  // its work is part of the turn
  if (self->woke_at_ns_ < 0) return;                   // the first prepare: no turn has run yet
  self->longest_turn_ns_ = std::max(self->longest_turn_ns_, monotonic_ns() - self->woke_at_ns_);
  ++self->turns_;
  self->woke_at_ns_ = -1;
}

double EventLoop::now() const {
  return ev_now(loop_);
}

double EventLoop::take_longest_turn_s() {
  const double longest = static_cast<double>(longest_turn_ns_) / 1e9;
  longest_turn_ns_ = 0;
  return longest;
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
