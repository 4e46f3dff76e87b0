#include "relay/hub/moderation_book.hpp"

#include <algorithm>

namespace hubchat::relay {
namespace {

std::string entry_key(char kind, std::string_view target) {
  std::string key(1, kind);
  key.push_back(':');
  key.append(target);
  return key;
}

}  // namespace

void ModerationBook::apply(const ModerationAction& action, Clock::time_point now) {
  if (action.kind == ModerationAction::Kind::kick || action.duration_ms == 0) return;
  Table& table = action.kind == ModerationAction::Kind::ban ? bans_ : mutes_;
  sweep(table, now);  // writes are rare: the table holds only what is in force
  const std::string key =
      action.uid.empty() ? entry_key('a', action.address) : entry_key('u', action.uid);
  table[key] = now + std::chrono::milliseconds(action.duration_ms);
}

std::optional<std::chrono::milliseconds> ModerationBook::lookup(const Table& table,
                                                                std::string_view uid,
                                                                std::string_view address,
                                                                Clock::time_point now) {
  if (table.empty()) return std::nullopt;  // the common case: nobody is banned or muted
  Clock::time_point until = now;
  for (const std::string& key : {uid.empty() ? std::string() : entry_key('u', uid),
                                 address.empty() ? std::string() : entry_key('a', address)}) {
    if (key.empty()) continue;
    const auto it = table.find(key);
    if (it != table.end()) until = std::max(until, it->second);
  }
  if (until <= now) return std::nullopt;
  return std::chrono::ceil<std::chrono::milliseconds>(until - now);
}

std::optional<std::chrono::milliseconds> ModerationBook::banned(std::string_view uid,
                                                                std::string_view address,
                                                                Clock::time_point now) const {
  return lookup(bans_, uid, address, now);
}

std::optional<std::chrono::milliseconds> ModerationBook::muted(std::string_view uid,
                                                               std::string_view address,
                                                               Clock::time_point now) const {
  return lookup(mutes_, uid, address, now);
}

void ModerationBook::sweep(Table& table, Clock::time_point now) {
  std::erase_if(table, [&](const auto& entry) { return entry.second <= now; });
}

}  // namespace hubchat::relay
