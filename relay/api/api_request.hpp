// The operator API's requests (docs/PROTOCOL.md, "Operator API"), without
// lws: a method, a path and a JSON body in; a status and a JSON body out,
// now or (a publish, whose seq the broker assigns at the end of the loop
// turn) later under a ticket. The server (api_routes in transport/server.cpp)
// does the HTTP; this decides what a request means.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "relay/hub/hub.hpp"
#include "relay/ops/log.hpp"
#include "relay/ops/options.hpp"

namespace hubchat::relay {

struct ApiResponse {
  unsigned status = 200;
  std::string body;  // one JSON object
};

// Answered at once (`response`), or waiting for Hub's verdict on `ticket`.
struct ApiOutcome {
  std::optional<ApiResponse> response;
  std::uint64_t ticket = 0;
};

// A JSON error body: {"error":code,"message":message}.
ApiResponse api_error(unsigned status, std::string_view code, std::string_view message);

class ApiRequests {
 public:
  ApiRequests(const Options& options, Hub& hub, const Log& log)
      : options_(options), hub_(hub), log_(log) {}

  // `post`: POST (else GET); `address`: who asked, for the log.
  ApiOutcome handle(bool post, std::string_view path, std::string_view body,
                    std::string_view address);
  // The answer to a publish, once the hub reports its verdict.
  static ApiResponse published(bool accepted, std::uint64_t seq);
  // The answer to a kick, mute or ban, once the broker took it (or could not).
  static ApiResponse moderated(bool done);
  static bool is_moderation(std::string_view path) {
    return path == "/api/kick" || path == "/api/mute" || path == "/api/ban";
  }

 private:
  ApiOutcome publish(std::string_view body, std::string_view address);
  ApiOutcome remove(std::string_view body, std::string_view address);
  ApiOutcome moderate(std::string_view path, std::string_view body, std::string_view address);
  ApiResponse rooms() const;

  const Options& options_;
  Hub& hub_;
  const Log& log_;
};

}  // namespace hubchat::relay
