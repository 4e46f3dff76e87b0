// The relay's own HTTP endpoints (GET /healthz, GET /metrics), the small
// responses it writes itself (404, 403 for a refused upgrade), which
// Content-Security-Policy a file from --web-root gets, and the request's
// method. The files themselves are served by static_files.
#pragma once

#include <string>
#include <string_view>

struct lws;

namespace hubchat::relay {

// Writes a complete small response (headers, with the strict CSP, and body)
// and nothing else; false if lws refused it. For callbacks where lws itself
// completes the transaction (LWS_CALLBACK_HTTP_CONFIRM_UPGRADE returning > 0).
bool write_http_response(lws* wsi, unsigned status, const char* content_type,
                         const std::string& body);

// write_http_response, then completes the HTTP transaction; returns what the
// lws callback returns.
int send_http_response(lws* wsi, unsigned status, const char* content_type,
                       const std::string& body);

// The files the wasm build stages into build/wasm/web (client/CMakeLists.txt:
// web/index.html, hubchat.js, style.css, client.js, client.wasm and the
// font), each with its precompressed FILE.gz. A fixed list rather than
// anything read from --web-root, so a missing or edited file there cannot take
// the bundled client out of the strict policy; a user's own page must use
// another name.
inline constexpr std::string_view kBundledClientFiles[] = {
    "index.html", "hubchat.js", "style.css", "client.js", "client.wasm", "NanumGothic.ttf",
};

// True if `uri_path` (a request path as lws hands it over: %-decoded, with
// "//", "/./" and "/../" resolved, no query) is one of kBundledClientFiles, or
// one of them + ".gz", at the top of --web-root; "/" is its index.html.
bool is_bundled_client_path(std::string_view uri_path);

// Appends "content-security-policy: policy" at *p (nothing if policy is
// empty); false if it does not fit before `end`.
bool add_csp_header(lws* wsi, std::string_view policy, unsigned char** p, unsigned char* end);

enum class HttpMethod { get, head, post, other };

// The request's method as far as the relay's routes care.
HttpMethod request_method(lws* wsi);

}  // namespace hubchat::relay
