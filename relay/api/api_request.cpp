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

ApiOutcome ApiRequests::handle(bool post, std::string_view path, std::string_view body,
                               std::string_view address) {
  if (path == "/api/rooms") {
    if (post) return {api_error(405, "method_not_allowed", "GET /api/rooms"), 0};
    return {rooms(), 0};
  }
  if (!post) return {api_error(405, "method_not_allowed", "this endpoint takes a POST"), 0};
  if (path == "/api/publish") return publish(body, address);
  if (path == "/api/delete") return remove(body, address);
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

ApiResponse ApiRequests::rooms() const {
  std::vector<std::string> items;
  for (const RoomRegistry::InUse& room : hub_.rooms_in_use())
    items.push_back(
        json::JsonObject().string("room", room.name).uint("members", room.members).str());
  return {200, json::JsonObject().raw("rooms", json::array_of(items)).str()};
}

}  // namespace hubchat::relay
