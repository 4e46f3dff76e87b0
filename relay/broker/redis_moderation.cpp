// The Redis broker's moderation (docs/redis.md, "Moderation"): a kick, mute
// or ban goes out on <prefix>mod through lua/moderate.lua (a mute or ban
// stored first, under its TTL); every relay's subscriber hears it and reports
// it as `moderation` news; the relay that asked reports it when Redis
// answers. At every confirmed subscription the entries in force are read
// again (lua/sanctions.lua, SCAN pages), so a relay that starts or reconnects
// after a ban knows it.
#include <hiredis/hiredis.h>

#include <array>
#include <utility>

#include "relay/broker/redis_broker.hpp"
#include "relay/broker/redis_text.hpp"
#include "relay/lua_scripts.hpp"  // generated from lua/*.lua at build time

namespace hubchat::relay {
namespace {

using namespace redis_text;
using Kind = ModerationAction::Kind;

char kind_letter(Kind kind) {
  return kind == Kind::kick ? 'k' : kind == Kind::mute ? 'm' : 'b';
}

// "relay\nkind\nhex uid\nhex address\nms\nhex room\nhex nick\nby": names in
// hex, so no line of it can hold a newline; `by` (a nick) last.
std::string announcement(std::string_view relay, const ModerationAction& action) {
  std::string text(relay);
  text.append("\n").push_back(kind_letter(action.kind));
  for (const std::string& field :
       {hex(action.uid), hex(action.address), std::to_string(action.duration_ms), hex(action.room),
        hex(action.nick), action.by})
    text.append("\n").append(field);
  return text;
}

bool parse_announcement(std::string_view payload, std::string_view& relay,
                        ModerationAction& action) {
  std::array<std::string_view, 7> fields;
  for (std::string_view& field : fields) {
    const auto end = payload.find('\n');
    if (end == std::string_view::npos) return false;
    field = payload.substr(0, end);
    payload.remove_prefix(end + 1);
  }
  relay = fields[0];
  if (fields[1] == "k")
    action.kind = Kind::kick;
  else if (fields[1] == "m")
    action.kind = Kind::mute;
  else if (fields[1] == "b")
    action.kind = Kind::ban;
  else
    return false;
  action.by = std::string(payload);
  return unhex(fields[2], action.uid) && unhex(fields[3], action.address) &&
         to_u64(fields[4], action.duration_ms) && unhex(fields[5], action.room) &&
         unhex(fields[6], action.nick);
}

// A key's prefix, as a SCAN MATCH pattern that matches it literally.
std::string glob_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// <prefix>mod:<ban|mute>:<uid|addr>:<hex> back into an action.
bool parse_sanction_key(std::string_view key, std::string_view prefix, ModerationAction& action) {
  if (!key.starts_with(prefix)) return false;
  key.remove_prefix(prefix.size());
  std::string_view target;
  if (key.starts_with("mod:ban:")) {
    action.kind = Kind::ban;
    target = key.substr(8);
  } else if (key.starts_with("mod:mute:")) {
    action.kind = Kind::mute;
    target = key.substr(9);
  } else {
    return false;
  }
  if (target.starts_with("uid:")) return unhex(target.substr(4), action.uid);
  if (target.starts_with("addr:")) return unhex(target.substr(5), action.address);
  return false;
}

}  // namespace

std::string RedisBroker::sanction_key(std::string_view prefix, const ModerationAction& action) {
  std::string key(prefix);
  key.append(action.kind == Kind::ban ? "mod:ban:" : "mod:mute:");
  key.append(action.uid.empty() ? "addr:" + hex(action.address) : "uid:" + hex(action.uid));
  return key;
}

void RedisBroker::report_moderation(ModerationAction action, PublishStatus status) {
  BrokerNews news;
  news.kind = BrokerNews::Kind::moderation;
  news.status = status;
  news.moderation = std::move(action);
  news_.push_back(std::move(news));
}

void RedisBroker::moderate(ModerationAction action) {
  if (moderation_channel_.empty() || !commands_->is_up() || redis_run_.empty()) {
    report_moderation(std::move(action), PublishStatus::unavailable);
    return;
  }
  std::vector<std::string> args;
  if (action.kind == Kind::kick) {
    args.push_back("0");
  } else {
    args.push_back("1");
    args.push_back(sanction_key(options_.redis_prefix, action));
  }
  args.push_back(moderation_channel_);
  args.push_back(announcement(relay_id_, action));
  args.push_back(action.by);
  args.push_back(std::to_string(action.duration_ms));
  auto done = [this, action](const redisReply* reply) mutable {
    const bool stored = reply && reply->type == REDIS_REPLY_INTEGER;
    // Other relays hear it on the channel; this one reports it now.
    report_moderation(std::move(action),
                      stored ? PublishStatus::accepted : PublishStatus::unavailable);
  };
  if (!eval(kModerateLua, kModerateSha, std::move(args), std::move(done)))
    report_moderation(std::move(action), PublishStatus::unavailable);
}

void RedisBroker::on_moderation_news(std::string_view payload) {
  std::string_view relay;
  ModerationAction action;
  if (!parse_announcement(payload, relay, action)) return;
  if (relay == relay_id_) return;  // reported when Redis answered
  report_moderation(std::move(action), PublishStatus::accepted);
}

void RedisBroker::load_sanctions() {
  if (!sanctions_owed_ || sanctions_reading_ || !commands_->is_up() || redis_run_.empty()) return;
  sanctions_reading_ = true;
  std::vector<std::string> args{"0", sanctions_cursor_,
                                glob_escaped(options_.redis_prefix) + "mod:*",
                                std::to_string(kSanctionsPerPage)};
  if (!eval(kSanctionsLua, kSanctionsSha, std::move(args),
            [this](const redisReply* reply) { on_sanctions(reply); }))
    sanctions_reading_ = false;  // the tick asks again
}

void RedisBroker::on_sanctions(const redisReply* reply) {
  sanctions_reading_ = false;
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      !is_string(reply->element[0]) || reply->element[1]->type != REDIS_REPLY_ARRAY) {
    // The tick asks again from the same cursor; rooms are not held back by
    // a read that fails (announcements still arrive).
    if (!sanctions_known_) log_.warn("redis: could not read the bans and mutes in force; retrying");
    sanctions_known_ = true;
    start_fetches();
    return;
  }
  const redisReply& found = *reply->element[1];
  for (std::size_t i = 0; i + 2 < found.elements; i += 3) {
    const redisReply* key = found.element[i];
    const redisReply* by = found.element[i + 1];
    const redisReply* left = found.element[i + 2];
    ModerationAction action;
    if (!is_string(key) || !is_string(by) || left->type != REDIS_REPLY_INTEGER ||
        left->integer <= 0 || !parse_sanction_key(text_of(*key), options_.redis_prefix, action))
      continue;
    action.by = std::string(text_of(*by));
    action.duration_ms = static_cast<std::uint64_t>(left->integer);
    report_moderation(std::move(action), PublishStatus::accepted);
  }
  sanctions_cursor_ = std::string(text_of(*reply->element[0]));
  if (sanctions_cursor_ == "0") {
    sanctions_owed_ = false;
    if (!std::exchange(sanctions_known_, true)) start_fetches();  // rooms waited for this
    return;
  }
  load_sanctions();
}

}  // namespace hubchat::relay
