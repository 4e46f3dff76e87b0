// MemberFetcher: decides when the session asks the relay for pages of the
// joined room's member list (`members` requests, docs/PROTOCOL.md). It only
// decides; ChatSession sends the requests and ChatModel applies the replies.
//
// The policy, because every request spends a token of the connection's
// budget (burst 60, 20/s) that the user's own messages need too:
//  - after a welcome with `more`, the rest of the list, one page at a time:
//    the next request goes out only once the previous page has arrived, with
//    `after` = that page's last nick;
//  - after a `presence` summary, the whole list again from the start, but at
//    most one such full refetch per `min_refetch_interval` (5 s): a busy
//    10,000-member room, whose relay sends a summary every 250 ms, costs
//    20 pages per 5 s instead of all of the budget. A summary that arrives
//    while pages are being fetched lets that pass finish (its pages are still
//    the truth for their ranges) and asks for another one after it;
//  - one request in flight at a time;
//  - a room switch or a new connection cancels the fetch in progress (see
//    cancel()); a `rate_limited` error ends it too, and it is asked again
//    after `retry_after_refusal`.
// Replies are matched by room and `after`, so a late reply to a cancelled or
// retried request is never taken for the current one (the model still
// applies it: pages are the truth whenever they arrive, in order).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "client/model/chat_model.hpp"
#include "shared/event.hpp"

namespace hubchat::client {

class MemberFetcher {
 public:
  struct Options {
    std::chrono::milliseconds min_refetch_interval{5000};
    std::chrono::milliseconds retry_after_refusal{1000};
  };

  MemberFetcher() = default;
  explicit MemberFetcher(Options options) : options_(options) {}

  // Every relay event of the connection, in arrival order.
  void observe(const Event& event, TimePoint now);

  // The `after` of the members request to send now ("" = from the start),
  // or nothing. A returned request counts as in flight until its reply.
  std::optional<std::string> next_request(TimePoint now);

  // Forgets the fetch in progress and any refetch wanted: the client is
  // leaving the room, or the connection is gone. The next welcome starts
  // afresh. The last full refetch's time is kept (the rate rule holds across).
  void cancel();

  bool in_flight() const { return in_flight_; }

 private:
  Options options_;
  std::string room_;  // the room welcomed into; "" = none, ask nothing
  bool in_flight_ = false;
  std::string asked_after_;                // the request in flight
  std::optional<std::string> continue_;    // the next page of the current pass
  bool refetch_wanted_ = false;            // a summary arrived since the last full fetch began
  std::optional<TimePoint> last_refetch_;  // when the last full refetch was asked
  TimePoint not_before_{};                 // after a refusal: wait until then
};

}  // namespace hubchat::client
