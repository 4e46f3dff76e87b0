#include "relay/api/api_request.hpp"

#include <vector>

#include "shared/json.hpp"
#include "shared/json_writer.hpp"
#include "shared/names.hpp"
#include "shared/utf8.hpp"

namespace hubchat::relay {
namespace {

// The string fields of a flat JSON object; false (and an error response)
// if it is not one or a named field is missing or not a string.
struct Fields {
  std::vector<json::Field> all;
  const json::Field* find(std::string_view key) const {
    for (const json::Field& f : all)
      if (f.key == key) return &f;
    return nullptr;
  }
};

std::optional<ApiResponse> parse_fields(std::string_view body, Fields& fields) {
  std::string error;
  if (!is_valid_utf8(body) || !json::parse_object(body, fields.all, error))
    return api_error(400, "bad_json", "the body must be one JSON object: " + error);
  return std::nullopt;
}

std::optional<ApiResponse> string_field(const Fields& fields, std::string_view key,
                                        std::string& out) {
  const json::Field* field = fields.find(key);
  if (!field || field->kind != json::Kind::string)
    return api_error(400, "bad_request", "\"" + std::string(key) + "\" (a string) is required");
  out = field->text;
  return std::nullopt;
}

}  // namespace

ApiResponse api_error(unsigned status, std::string_view code, std::string_view message) {
  return {status, json::JsonObject().string("error", code).string("message", message).str()};
}

ApiResponse ApiRequests::published(bool accepted, std::uint64_t seq) {
  if (!accepted)
    return api_error(503, "unavailable", "the message store is unreachable: not posted");
  return {200, json::JsonObject().uint("seq", seq).str()};
}

ApiResponse ApiRequests::moderated(bool done) {
  if (!done)
    return api_error(503, "unavailable", "the message store is unreachable: nothing was done");
  return {200, json::JsonObject().boolean("ok", true).str()};
}

ApiOutcome ApiRequests::handle(bool post, std::string_view path, std::string_view body,
                               std::string_view address) {
  if (path == "/api/rooms") {
    if (post) return {api_error(405, "method_not_allowed", "GET /api/rooms"), 0};
    return {rooms(), 0};
  }
  if (!post) return {api_error(405, "method_not_allowed", "this endpoint takes a POST"), 0};
  if (path == "/api/publish") return publish(body, address);
  if (path == "/api/delete") return remove(body, address);
  if (is_moderation(path)) return moderate(path, body, address);
  return {api_error(404, "not_found", "no such endpoint"), 0};
}

ApiOutcome ApiRequests::publish(std::string_view body, std::string_view address) {
  Fields fields;
  if (auto bad = parse_fields(body, fields)) return {std::move(bad), 0};
  std::string room, from, text;
  if (auto bad = string_field(fields, "room", room)) return {std::move(bad), 0};
  if (auto bad = string_field(fields, "from", from)) return {std::move(bad), 0};
  if (auto bad = string_field(fields, "body", text)) return {std::move(bad), 0};
  if (!is_valid_name(room, options_.max_room_bytes) ||
      !is_valid_name(from, options_.max_nick_bytes))
    return {api_error(400, "bad_name", "room and from must be valid room and nick names"), 0};
  if (text.empty() || text.size() > options_.max_message_bytes)
    return {api_error(400, "bad_body",
                      "body must be 1-" + std::to_string(options_.max_message_bytes) + " bytes"),
            0};
  log_.debug("api: publish by %.*s as '%s' into '%s'", static_cast<int>(address.size()),
             address.data(), from.c_str(), room.c_str());
  return {std::nullopt, hub_.publish_as(room, from, text)};
}

ApiOutcome ApiRequests::remove(std::string_view body, std::string_view address) {
  Fields fields;
  if (auto bad = parse_fields(body, fields)) return {std::move(bad), 0};
  std::string room;
  if (auto bad = string_field(fields, "room", room)) return {std::move(bad), 0};
  const json::Field* seq = fields.find("seq");
  if (!seq || seq->kind != json::Kind::uint || seq->number == 0)
    return {api_error(400, "bad_request", "\"seq\" (a positive integer) is required"), 0};
  // Who deletes, as members see it: the operator, unless the caller names itself.
  std::string by = "operator";
  if (const json::Field* named = fields.find("by"); named && named->kind == json::Kind::string)
    by = named->text;
  if (!is_valid_name(by, options_.max_nick_bytes))
    return {api_error(400, "bad_name", "by must be a valid nick"), 0};
  const auto ticket = hub_.delete_as(room, seq->number, by);
  if (!ticket)
    return {api_error(404, "not_found", "no message with that seq is held in that room"), 0};
  log_.info("moderation: delete by '%s' (api, %.*s) in '%s': %llu", by.c_str(),
            static_cast<int>(address.size()), address.data(), room.c_str(),
            static_cast<unsigned long long>(seq->number));
  return {std::nullopt, *ticket};
}

// POST /api/kick {"room","nick"}; /api/mute, /api/ban {"nick"+"room" | "uid" |
// "address", "seconds"}; "by" optional. The hub checks the rest, as for a
// moderator's request, and logs it.
ApiOutcome ApiRequests::moderate(std::string_view path, std::string_view body,
                                 std::string_view address) {
  Fields fields;
  if (auto bad = parse_fields(body, fields)) return {std::move(bad), 0};
  Hub::ModerationRequest request;
  request.kind = path == "/api/kick"   ? ModerationAction::Kind::kick
                 : path == "/api/mute" ? ModerationAction::Kind::mute
                                       : ModerationAction::Kind::ban;
  for (const json::Field& field : fields.all) {
    std::string* text = field.key == "room"      ? &request.room
                        : field.key == "nick"    ? &request.nick
                        : field.key == "uid"     ? &request.uid
                        : field.key == "address" ? &request.address
                        : field.key == "by"      ? &request.by
                                                 : nullptr;
    if (text && field.kind != json::Kind::string)
      return {api_error(400, "bad_request", "\"" + field.key + "\" must be a string"), 0};
    if (text) *text = field.text;
    if (field.key == "seconds") {
      if (field.kind != json::Kind::uint)
        return {api_error(400, "bad_request", "\"seconds\" must be a positive integer"), 0};
      request.seconds = field.number;
    }
  }
  if (!request.nick.empty() && request.room.empty())
    return {api_error(400, "bad_request", "a nick is looked up in a \"room\""), 0};
  if (request.by.empty()) request.by = "operator";
  if (!is_valid_name(request.by, options_.max_nick_bytes))
    return {api_error(400, "bad_name", "by must be a valid nick"), 0};
  const Hub::ModerationVerdict verdict = hub_.moderate_as(request);
  if (!verdict.code.empty())
    return {api_error(verdict.code == "not_found" ? 404 : 400,
                      verdict.code == "not_found" ? "not_found" : "bad_request", verdict.message),
            0};
  log_.debug("api: %.*s by %.*s", static_cast<int>(path.size()), path.data(),
             static_cast<int>(address.size()), address.data());
  return {std::nullopt, verdict.ticket};
}

ApiResponse ApiRequests::rooms() const {
  std::vector<std::string> items;
  for (const RoomRegistry::InUse& room : hub_.rooms_in_use())
    items.push_back(
        json::JsonObject().string("room", room.name).uint("members", room.members).str());
  return {200, json::JsonObject().raw("rooms", json::array_of(items)).str()};
}

}  // namespace hubchat::relay
