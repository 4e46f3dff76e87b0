// MemberFetcher (see member_fetcher.hpp): when to ask for member-list pages.
#include "client/session/member_fetcher.hpp"

#include <algorithm>
#include <utility>

namespace hubchat::client {
namespace {

// Where the page after `page` starts: its last nick (pages are sorted; the
// largest is taken so an unsorted page cannot make us ask for the same again).
std::string last_nick(const std::vector<std::string>& page) {
  return *std::max_element(page.begin(), page.end());
}

}  // namespace

void MemberFetcher::observe(const Event& event, TimePoint now) {
  switch (event.type) {
    case EventType::welcome:
      // A new join (a room switch cancelled what was asked before it): the
      // welcome is the first page; the rest follows if it says `more`.
      room_ = event.room;
      in_flight_ = false;
      refetch_wanted_ = false;
      continue_.reset();
      if (event.more) continue_ = event.members.empty() ? std::string{} : last_nick(event.members);
      break;
    case EventType::members:
      if (!in_flight_ || event.room != room_ || event.after != asked_after_) break;  // not ours
      in_flight_ = false;
      // An empty page that says more follow would only be asked for again.
      if (event.more && !event.members.empty()) {
        continue_ = last_nick(event.members);
      } else {
        continue_.reset();
      }
      break;
    case EventType::presence:
      if (event.room == room_) refetch_wanted_ = true;
      break;
    case EventType::error:
      // An error does not say which request it refuses: if it may be ours,
      // ask for the same page again once the budget has refilled a little.
      // Should it have been another request's, our reply still comes, and
      // the one extra request is the price.
      if (in_flight_ && event.code == "rate_limited") {
        in_flight_ = false;
        continue_ = asked_after_;
        not_before_ = now + options_.retry_after_refusal;
      }
      break;
    default:
      break;
  }
}

std::optional<std::string> MemberFetcher::next_request(TimePoint now) {
  if (room_.empty() || in_flight_ || now < not_before_) return std::nullopt;
  // A full refetch starts only between passes, so a pass always finishes.
  if (!continue_ && refetch_wanted_ &&
      (!last_refetch_ || now - *last_refetch_ >= options_.min_refetch_interval)) {
    refetch_wanted_ = false;
    last_refetch_ = now;
    continue_ = std::string{};
  }
  if (!continue_) return std::nullopt;
  in_flight_ = true;
  asked_after_ = std::move(*continue_);
  continue_.reset();
  return asked_after_;
}

void MemberFetcher::cancel() {
  room_.clear();
  in_flight_ = false;
  continue_.reset();
  refetch_wanted_ = false;
}

}  // namespace hubchat::client
