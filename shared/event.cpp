#include "shared/event.hpp"

#include <array>
#include <utility>

namespace hubchat {
namespace {

constexpr std::array<std::pair<EventType, std::string_view>, 15> kNames{{
    {EventType::join, "join"},
    {EventType::msg, "msg"},
    {EventType::nick, "nick"},
    {EventType::leave, "leave"},
    {EventType::welcome, "welcome"},
    {EventType::missed, "missed"},
    {EventType::error, "error"},
    {EventType::members, "members"},
    {EventType::presence, "presence"},
    {EventType::ack, "ack"},
    {EventType::delete_msg, "delete"},
    {EventType::deleted, "deleted"},
    {EventType::kick, "kick"},
    {EventType::mute, "mute"},
    {EventType::ban, "ban"},
}};

}  // namespace

std::string_view to_string(EventType type) {
  for (const auto& [t, name] : kNames)
    if (t == type) return name;
  return "?";
}

bool parse_event_type(std::string_view name, EventType& out) {
  for (const auto& [t, n] : kNames) {
    if (n == name) {
      out = t;
      return true;
    }
  }
  return false;
}

}  // namespace hubchat
