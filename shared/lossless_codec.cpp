#include "shared/lossless_codec.hpp"

#include "shared/json.hpp"

namespace hubchat::lossless {
namespace {

void key(std::string& out, std::string_view name) {
  out.push_back(',');
  json::append_string(out, name);
  out.push_back(':');
}

void str(std::string& out, std::string_view name, std::string_view value) {
  key(out, name);
  json::append_string(out, value);
}

void num(std::string& out, std::string_view name, std::uint64_t value) {
  key(out, name);
  json::append_uint(out, value);
}

bool wrong_type(const json::Field& field, DecodeError& error) {
  error = {"bad_event", "field \"" + field.key + "\" has the wrong type"};
  return false;
}

void string_array(std::string& out, std::string_view name, const std::vector<std::string>& items) {
  key(out, name);
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    json::append_string(out, items[i]);
  }
  out.push_back(']');
}

void flag(std::string& out, std::string_view name, bool value) {
  key(out, name);
  out += value ? "true" : "false";
}

}  // namespace

void encode_to(const Event& e, std::string& out) {
  out += "{\"type\":";
  json::append_string(out, to_string(e.type));
  // Relay events carry room and ts; the client's requests leave them out.
  auto room_and_ts = [&] {
    if (!e.room.empty()) str(out, "room", e.room);
    if (e.seq) num(out, "seq", e.seq);
    if (e.ts) num(out, "ts", static_cast<std::uint64_t>(e.ts));
  };
  switch (e.type) {
    case EventType::join:
      room_and_ts();
      if (!e.nick.empty()) str(out, "nick", e.nick);
      if (e.count || e.ts) num(out, "count", e.count);  // the relay's presence event
      if (e.has_since) num(out, "since", e.since);
      if (e.epoch) num(out, "epoch", e.epoch);
      if (!e.key.empty()) str(out, "key", e.key);
      if (!e.token.empty()) str(out, "token", e.token);
      break;
    case EventType::msg:
      room_and_ts();
      if (!e.from.empty()) str(out, "from", e.from);
      if (!e.uid.empty()) str(out, "uid", e.uid);
      str(out, "body", e.body);
      if (!e.id.empty()) str(out, "id", e.id);
      if (e.deleted) flag(out, "deleted", true);
      if (!e.by.empty()) str(out, "by", e.by);
      break;
    case EventType::nick:
      room_and_ts();
      if (!e.from.empty()) str(out, "from", e.from);
      str(out, "nick", e.nick);
      break;
    case EventType::leave:
      room_and_ts();
      str(out, "nick", e.nick);
      num(out, "count", e.count);
      break;
    case EventType::welcome:
      str(out, "room", e.room);
      str(out, "nick", e.nick);
      num(out, "epoch", e.epoch);
      num(out, "seq", e.seq);
      num(out, "first", e.first);
      num(out, "count", e.count);
      string_array(out, "members", e.members);
      flag(out, "more", e.more);
      if (!e.uid.empty()) str(out, "uid", e.uid);
      if (!e.role.empty()) str(out, "role", e.role);
      break;
    case EventType::missed:
      str(out, "room", e.room);
      str(out, "reason", e.reason);
      num(out, "from", e.missed_from);
      num(out, "to", e.missed_to);
      break;
    case EventType::error:
      str(out, "code", e.code);
      str(out, "message", e.message);
      break;
    case EventType::members:
      if (!e.room.empty()) str(out, "room", e.room);
      if (!e.after.empty()) str(out, "after", e.after);
      if (e.count) {  // a page (the relay's reply); a request has no count
        num(out, "count", e.count);
        string_array(out, "members", e.members);
        flag(out, "more", e.more);
      }
      break;
    case EventType::ack:
      str(out, "room", e.room);
      str(out, "id", e.id);
      num(out, "seq", e.seq);
      break;
    case EventType::presence:
      str(out, "room", e.room);
      if (e.ts) num(out, "ts", static_cast<std::uint64_t>(e.ts));
      num(out, "count", e.count);
      break;
    case EventType::delete_msg:
      num(out, "seq", e.seq);
      break;
    case EventType::deleted:
      str(out, "room", e.room);
      num(out, "seq", e.seq);
      str(out, "by", e.by);
      break;
    case EventType::kick:
    case EventType::mute:
    case EventType::ban:
      if (!e.nick.empty()) str(out, "nick", e.nick);
      if (!e.uid.empty()) str(out, "uid", e.uid);
      if (!e.address.empty()) str(out, "address", e.address);
      if (e.seconds) num(out, "seconds", e.seconds);
      break;
  }
  out.push_back('}');
}

std::string encode(const Event& event) {
  std::string out;
  encode_to(event, out);
  return out;
}

bool decode(std::string_view line, Event& out, DecodeError& error) {
  std::vector<json::Field> fields;
  std::string parse_error;
  if (!json::parse_object(line, fields, parse_error)) {
    error = {"bad_json", "not a JSON object: " + parse_error};
    return false;
  }
  out = Event{};
  bool typed = false;
  for (const auto& f : fields) {
    if (f.key == "type") {
      if (f.kind != json::Kind::string) return wrong_type(f, error);
      if (!parse_event_type(f.text, out.type)) {
        error = {"bad_event", "unknown event type \"" + f.text + "\""};
        return false;
      }
      typed = true;
    }
  }
  if (!typed) {
    error = {"bad_event", "missing \"type\""};
    return false;
  }
  const bool is_missed = out.type == EventType::missed;
  for (const auto& f : fields) {
    const std::string& k = f.key;
    std::string* text = nullptr;
    std::uint64_t* number = nullptr;
    if (k == "room")
      text = &out.room;
    else if (k == "nick")
      text = &out.nick;
    else if (k == "from" && !is_missed)
      text = &out.from;
    else if (k == "body")
      text = &out.body;
    else if (k == "reason")
      text = &out.reason;
    else if (k == "code")
      text = &out.code;
    else if (k == "message")
      text = &out.message;
    else if (k == "after")
      text = &out.after;
    else if (k == "id")
      text = &out.id;
    else if (k == "key")
      text = &out.key;
    else if (k == "token")
      text = &out.token;
    else if (k == "uid")
      text = &out.uid;
    else if (k == "by")
      text = &out.by;
    else if (k == "role")
      text = &out.role;
    else if (k == "address")
      text = &out.address;
    else if (k == "seconds")
      number = &out.seconds;
    else if (k == "count")
      number = &out.count;
    else if (k == "seq")
      number = &out.seq;
    else if (k == "first")
      number = &out.first;
    else if (k == "epoch")
      number = &out.epoch;
    else if (k == "from")
      number = &out.missed_from;
    else if (k == "to")
      number = &out.missed_to;
    else if (k == "since") {
      if (f.kind == json::Kind::null) continue;
      number = &out.since;
      out.has_since = true;
    } else if (k == "ts") {
      if (f.kind != json::Kind::uint) return wrong_type(f, error);
      out.ts = static_cast<std::int64_t>(f.number);
      continue;
    } else if (k == "more") {
      if (f.kind != json::Kind::boolean) return wrong_type(f, error);
      out.more = f.flag;
      continue;
    } else if (k == "deleted") {
      if (f.kind != json::Kind::boolean) return wrong_type(f, error);
      out.deleted = f.flag;
      continue;
    } else if (k == "members") {
      if (f.kind != json::Kind::string_array) return wrong_type(f, error);
      out.members = f.items;
      continue;
    }
    if (text) {
      if (f.kind != json::Kind::string) return wrong_type(f, error);
      *text = f.text;
    } else if (number) {
      if (f.kind != json::Kind::uint) return wrong_type(f, error);
      *number = f.number;
    }
  }
  return true;
}

std::vector<std::string_view> split_batch(std::string_view frame) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < frame.size()) {
    std::size_t nl = frame.find('\n', start);
    if (nl == std::string_view::npos) nl = frame.size();
    std::string_view line = frame.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    start = nl + 1;
  }
  return lines;
}

}  // namespace hubchat::lossless
