// The relay's table of bans and mutes (docs/PROTOCOL.md, "Moderation"): who
// (a user id or a client address) may not join, or not post, and until when.
// Relay-wide, not per room. Its one writer is the hub applying the broker's
// `moderation` news, so memory and Redis modes fill it the same way; it is
// read at every join and post. Entries expire by themselves (checked when
// looked up, swept when the table is written).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "relay/broker/broker.hpp"

namespace hubchat::relay {

class ModerationBook {
 public:
  using Clock = std::chrono::steady_clock;

  // A mute or ban from the broker's news (a kick leaves nothing behind).
  // A shorter action replaces a longer one: the latest word counts (so a
  // moderator can lift a ban early with a 1-second one).
  void apply(const ModerationAction& action, Clock::time_point now);

  // How long `uid` (empty: a guest) from `address` is still banned / muted;
  // nullopt when not.
  std::optional<std::chrono::milliseconds> banned(std::string_view uid, std::string_view address,
                                                  Clock::time_point now) const;
  std::optional<std::chrono::milliseconds> muted(std::string_view uid, std::string_view address,
                                                 Clock::time_point now) const;

  std::size_t size() const { return bans_.size() + mutes_.size(); }

 private:
  // Keyed "u:<uid>" or "a:<address>".
  using Table = std::unordered_map<std::string, Clock::time_point>;
  static std::optional<std::chrono::milliseconds> lookup(const Table& table, std::string_view uid,
                                                         std::string_view address,
                                                         Clock::time_point now);
  static void sweep(Table& table, Clock::time_point now);

  Table bans_, mutes_;
};

}  // namespace hubchat::relay
