// The HTTP side of the operator API (/api/*, on with --api-key-file): the
// key is checked before any body is read; a POST body is gathered up to a
// cap; the request is carried out by ApiRequests; an answer that needs the
// broker's verdict (a publish's seq) is written when the hub reports it, in
// the connection's next HTTP_WRITEABLE. One exchange per connection at a time
// (HTTP/1.1 without pipelining), keyed by its wsi.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "relay/api/api_key.hpp"
#include "relay/api/api_request.hpp"

struct lws;

namespace hubchat::relay {

class ApiRoutes {
 public:
  // `key`: the API key; without one every /api/ path is 404.
  ApiRoutes(const Options& options, Hub& hub, const Log& log, std::optional<std::string> key);

  static bool is_api_path(std::string_view path) { return path.starts_with("/api/"); }
  // LWS_CALLBACK_HTTP for an /api/ path; returns what the callback returns.
  int on_request(lws* wsi, std::string_view path, bool post, std::string address);
  // LWS_CALLBACK_HTTP_BODY / HTTP_BODY_COMPLETION.
  int on_body(lws* wsi, const char* data, std::size_t len);
  int on_body_done(lws* wsi);
  // LWS_CALLBACK_HTTP_WRITEABLE; false: not an API exchange of ours.
  bool on_writeable(lws* wsi, int& result);
  // The connection is gone (LWS_CALLBACK_CLOSED_HTTP).
  void closed(lws* wsi);
  // Hub's verdict on a publish (HubDriver::api_published).
  void published(std::uint64_t ticket, bool accepted, std::uint64_t seq);

  // POST bodies above this are refused with 413: a message plus its envelope.
  std::size_t max_body_bytes() const { return max_body_bytes_; }

 private:
  struct Exchange {
    std::string path;
    std::string address;
    std::string body;
    std::uint64_t ticket = 0;             // waiting for the hub's verdict
    std::optional<ApiResponse> response;  // ready to be written
  };
  int answer(lws* wsi, const ApiResponse& response);
  void start(lws* wsi, Exchange& exchange, ApiOutcome outcome);

  const Log& log_;
  std::unique_ptr<ApiKeyGate> gate_;
  ApiRequests requests_;
  std::size_t max_body_bytes_;
  std::unordered_map<lws*, Exchange> exchanges_;
  std::unordered_map<std::uint64_t, lws*> waiting_;  // publish ticket -> its exchange
};

}  // namespace hubchat::relay
