// The lossless dialect (subprotocol "hubchat.v1"): each event is one line of
// JSON, a frame is events joined by '\n'. See docs/PROTOCOL.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "shared/event.hpp"

namespace hubchat::lossless {

inline constexpr std::string_view kSubprotocol = "hubchat.v1";

// One event as a single JSON line (no '\n' inside, none appended).
std::string encode(const Event& event);
void encode_to(const Event& event, std::string& out);  // appends

struct DecodeError {
  std::string code;     // "bad_json" or "bad_event" (PROTOCOL.md error codes)
  std::string message;  // human readable
};

// Decodes one line. Returns false and fills `error` if the line is not a JSON
// object, has no known "type", or a known field has the wrong JSON type.
bool decode(std::string_view line, Event& out, DecodeError& error);

// Splits a batch frame into its non-empty lines (a trailing '\n' is allowed).
std::vector<std::string_view> split_batch(std::string_view frame);

}  // namespace hubchat::lossless
