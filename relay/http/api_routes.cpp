#include "relay/http/api_routes.hpp"

#include <libwebsockets.h>

#include <charconv>

#include "relay/http/http_routes.hpp"

namespace hubchat::relay {
namespace {

constexpr const char* kJson = "application/json";

std::string header_text(lws* wsi, lws_token_indexes token) {
  const int length = lws_hdr_total_length(wsi, token);
  if (length <= 0) return {};
  std::string value(static_cast<std::size_t>(length), '\0');
  if (lws_hdr_copy(wsi, value.data(), length + 1, token) != length) return {};
  return value;
}

}  // namespace

ApiRoutes::ApiRoutes(const Options& options, Hub& hub, const Log& log,
                     std::optional<std::string> key)
    : log_(log),
      gate_(key ? std::make_unique<ApiKeyGate>(std::move(*key)) : nullptr),
      requests_(options, hub, log),
      max_body_bytes_(options.max_message_bytes + 4096) {}

int ApiRoutes::answer(lws* wsi, const ApiResponse& response) {
  return send_http_response(wsi, response.status, kJson, response.body + "\n");
}

int ApiRoutes::on_request(lws* wsi, std::string_view path, bool post, std::string address) {
  if (!gate_) {
    if (!post) return send_http_response(wsi, HTTP_STATUS_NOT_FOUND, "text/plain", "not found\n");
    write_http_response(wsi, HTTP_STATUS_NOT_FOUND, "text/plain", "not found\n");
    return -1;  // a body we will not read follows: close
  }
  const ApiAuth auth = gate_->check(address, header_text(wsi, WSI_TOKEN_HTTP_AUTHORIZATION),
                                    ApiKeyGate::Clock::now());
  if (auth != ApiAuth::ok) {
    const bool throttled = auth == ApiAuth::throttled;
    log_.info("api: %s %.*s from %s refused (%s)", post ? "POST" : "GET",
              static_cast<int>(path.size()), path.data(), address.c_str(),
              throttled ? "throttled" : "bad key");
    const ApiResponse refusal =
        throttled ? api_error(429, "throttled", "too many failed attempts; wait a minute")
                  : api_error(401, "unauthorized", "Authorization: Bearer KEY required");
    if (!post) return answer(wsi, refusal);
    // A body we will not read follows: answer, then close.
    write_http_response(wsi, refusal.status, kJson, refusal.body + "\n");
    return -1;
  }
  Exchange& exchange = exchanges_[wsi];
  exchange = Exchange{std::string(path), std::move(address), {}, 0, std::nullopt};
  if (!post) {
    start(wsi, exchange, requests_.handle(false, path, {}, exchange.address));
    return 0;
  }
  const std::string length_text = header_text(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
  std::size_t length = 0;
  const auto [end, error] =
      std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  if (length_text.empty() || error != std::errc() ||
      end != length_text.data() + length_text.size() || length > max_body_bytes_) {
    exchanges_.erase(wsi);
    const ApiResponse refusal =
        length_text.empty()
            ? api_error(411, "length_required", "a Content-Length is required")
            : api_error(413, "too_large", "the body is over " + std::to_string(max_body_bytes_));
    write_http_response(wsi, refusal.status, kJson, refusal.body + "\n");
    return -1;
  }
  exchange.body.reserve(length);
  if (length == 0) return on_body_done(wsi);
  return 0;  // the body follows (HTTP_BODY ... HTTP_BODY_COMPLETION)
}

int ApiRoutes::on_body(lws* wsi, const char* data, std::size_t len) {
  const auto it = exchanges_.find(wsi);
  if (it == exchanges_.end()) return -1;
  if (it->second.body.size() + len > max_body_bytes_) return -1;  // more than Content-Length said
  it->second.body.append(data, len);
  return 0;
}

int ApiRoutes::on_body_done(lws* wsi) {
  const auto it = exchanges_.find(wsi);
  if (it == exchanges_.end()) return -1;
  Exchange& exchange = it->second;
  start(wsi, exchange, requests_.handle(true, exchange.path, exchange.body, exchange.address));
  return 0;
}

void ApiRoutes::start(lws* wsi, Exchange& exchange, ApiOutcome outcome) {
  exchange.body = std::string();
  if (outcome.response) {
    exchange.response = std::move(outcome.response);
    lws_callback_on_writable(wsi);
    return;
  }
  exchange.ticket = outcome.ticket;
  waiting_[outcome.ticket] = wsi;
}

void ApiRoutes::published(std::uint64_t ticket, bool accepted, std::uint64_t seq) {
  const auto it = waiting_.find(ticket);
  if (it == waiting_.end()) return;  // the caller hung up
  lws* wsi = it->second;
  waiting_.erase(it);
  Exchange& exchange = exchanges_.at(wsi);
  exchange.ticket = 0;
  exchange.response = ApiRequests::is_moderation(exchange.path)
                          ? ApiRequests::moderated(accepted)
                          : ApiRequests::published(accepted, seq);
  lws_callback_on_writable(wsi);
}

bool ApiRoutes::on_writeable(lws* wsi, int& result) {
  const auto it = exchanges_.find(wsi);
  if (it == exchanges_.end() || !it->second.response) return false;
  const ApiResponse response = std::move(*it->second.response);
  exchanges_.erase(it);
  result = answer(wsi, response);
  return true;
}

void ApiRoutes::closed(lws* wsi) {
  const auto it = exchanges_.find(wsi);
  if (it == exchanges_.end()) return;
  if (it->second.ticket) waiting_.erase(it->second.ticket);
  exchanges_.erase(it);
}

}  // namespace hubchat::relay
