// The status documents (see status_document.hpp).
#include "client/app/status_document.hpp"

#include <vector>

#include "client/session/chat_session.hpp"
#include "client/ui/chat_view.hpp"

namespace hubchat::app {
namespace {

using client::ConnectionState;

std::string rooms_document(const client::ChatModel& model) {
  json::JsonObject rooms;
  for (const auto& [name, room] : model.rooms()) {
    json::JsonObject r;
    r.integer("unread", room.unread())
        .uint("member_count", room.member_count())
        .boolean("members_complete", room.members_complete())
        .strings("members", room.members());
    rooms.raw(name, r.str());
  }
  return rooms.str();
}

std::string refusal_document(const client::Refusal& refusal) {
  json::JsonObject r;
  r.string("kind", to_string(refusal.kind))
      .string("room", refusal.room)
      .string("text", refusal.text);
  return r.str();
}

}  // namespace

json::JsonObject session_status(const client::ChatSession& session, const ui::ChatView& view,
                                client::TimePoint now) {
  const auto& model = session.model();
  const auto& conn = model.connection();
  const bool connected = conn.state == ConnectionState::connected;
  const auto retry =
      conn.state == ConnectionState::reconnecting
          ? std::chrono::duration_cast<std::chrono::milliseconds>(conn.next_retry - now).count()
          : 0;
  json::JsonObject out;
  out.string("state", to_string(conn.state))
      .boolean("joined", connected && conn.joined)
      .boolean("legacy", session.legacy())
      .string("dialect", !connected         ? ""
                         : session.legacy() ? "legacy"
                                            : "hubchat.v1")
      // What the next attempt offers, and whether legacy is remembered for
      // this server (see DialectChooser).
      .string("next_offer", session.dialect().offer_lossless() ? "hubchat.v1" : "")
      .boolean("remembered_legacy", session.dialect().remembered_legacy())
      .integer("attempt", conn.attempt)
      .integer("retry_in_ms", retry > 0 ? retry : 0)
      .string("server", session.params().url)
      .string("room", model.active_room())
      .string("joined_room", model.joined_room())
      .string("nick", model.nick())
      .string("status", model.status_text(now))
      .string("last_error", conn.last_error)
      .uint("sent", view.sent_count())
      .boolean("verified", model.verified())
      .string("uid", model.uid())
      .string("role", model.role())
      .raw("refusal", refusal_document(model.refusal()))
      .raw("rooms", rooms_document(model));
  return out;
}

std::string message_document(std::string_view room, const client::Line& line) {
  json::JsonObject m;
  m.string("room", room)
      .uint("seq", line.seq)
      .string("from", line.from)
      .string("body", line.body)
      .integer("ts", line.ts)
      .boolean("replayed", line.replayed)
      .boolean("own", line.own)
      .string("uid", line.uid)
      .boolean("deleted", line.deleted)
      .string("by", line.by);
  return m.str();
}

std::string messages_document(const client::ChatModel& model) {
  std::vector<std::string> out;
  for (const auto& [name, room] : model.rooms()) {
    for (const auto& line : room.lines()) {
      if (line.kind == client::LineKind::message) out.push_back(message_document(name, line));
    }
  }
  return json::array_of(out);
}

}  // namespace hubchat::app
