// The relay's own HTTP endpoints: GET /healthz and GET /metrics, and the small
// responses the relay writes itself (404, 403 for a refused upgrade).
#pragma once

#include <string>

struct lws;

namespace hubchat::relay {

// Writes a complete small response (headers and body) and nothing else; false
// if lws refused it. For callbacks where lws itself completes the transaction
// (LWS_CALLBACK_HTTP_CONFIRM_UPGRADE returning > 0).
bool write_http_response(lws* wsi, unsigned status, const char* content_type,
                         const std::string& body);

// write_http_response, then completes the HTTP transaction; returns what the
// lws callback returns.
int send_http_response(lws* wsi, unsigned status, const char* content_type,
                       const std::string& body);

}  // namespace hubchat::relay
