// The client's status as JSON, written once for both targets: the page's
// window.hubchat.state() (web_main.cpp adds its font and input fields) and
// the desktop's --trace records (desktop_main.cpp). Built with
// json::JsonObject; nothing here writes JSON by hand.
#pragma once

#include <string>
#include <string_view>

#include "client/model/chat_model.hpp"
#include "shared/json_writer.hpp"

namespace hubchat::client {
class ChatSession;
}
namespace hubchat::ui {
class ChatView;
}

namespace hubchat::app {

// {state, joined, legacy, dialect ("hubchat.v1", "legacy", "" while not
// connected), next_offer, remembered_legacy, attempt, retry_in_ms, server (the
// URL as given), room (the active one), joined_room, nick, status (the status
// bar's text), last_error, sent, verified, uid, role (the signed identity the
// welcome gave; false/""/"" for a guest), refusal: {kind, room, text} (the
// last refusal; kind "none" when none), rooms: {name: {unread, member_count,
// members_complete, members}}}. Open, so a target can add its own fields.
json::JsonObject session_status(const client::ChatSession& session, const ui::ChatView& view,
                                client::TimePoint now);

// One chat message: {room, seq, from, body, ts, replayed, own, uid, deleted, by}.
std::string message_document(std::string_view room, const client::Line& line);

// Every chat message of every room, oldest first, as a JSON array.
std::string messages_document(const client::ChatModel& model);

}  // namespace hubchat::app
