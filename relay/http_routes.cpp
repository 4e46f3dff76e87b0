#include "relay/http_routes.hpp"

#include <libwebsockets.h>

#include <algorithm>
#include <vector>

namespace hubchat::relay {

bool write_http_response(lws* wsi, unsigned status, const char* content_type,
                         const std::string& body) {
  // Room for the status line, the vhost's security headers, the CSP and the
  // few headers below, with a margin.
  unsigned char headers[LWS_PRE + 2048];
  unsigned char* start = headers + LWS_PRE;
  unsigned char* p = start;
  unsigned char* end = headers + sizeof headers - 1;
  if (lws_add_http_common_headers(wsi, status, content_type, body.size(), &p, end) ||
      lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                   reinterpret_cast<const unsigned char*>("no-store"), 8, &p,
                                   end) ||
      lws_finalize_write_http_header(wsi, start, &p, end))
    return false;
  // Small bodies: written at once (lws buffers whatever the socket refuses).
  std::vector<unsigned char> out(LWS_PRE + body.size());
  std::copy(body.begin(), body.end(), out.begin() + LWS_PRE);
  return lws_write(wsi, out.data() + LWS_PRE, body.size(), LWS_WRITE_HTTP_FINAL) ==
         static_cast<int>(body.size());
}

int send_http_response(lws* wsi, unsigned status, const char* content_type,
                       const std::string& body) {
  if (!write_http_response(wsi, status, content_type, body)) return 1;
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

}  // namespace hubchat::relay
