// The relay's own HTTP endpoints: GET /healthz and GET /metrics.
#pragma once

#include <string>

struct lws;

namespace hubchat::relay {

// Writes a complete small response; returns what the lws callback returns.
int send_http_response(lws* wsi, unsigned status, const char* content_type,
                       const std::string& body);

}  // namespace hubchat::relay
