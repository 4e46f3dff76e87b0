#include "relay/http/http_routes.hpp"

#include <libwebsockets.h>

#include <algorithm>
#include <vector>

#include "relay/ops/options.hpp"

namespace hubchat::relay {

bool add_csp_header(lws* wsi, std::string_view policy, unsigned char** p, unsigned char* end) {
  if (policy.empty()) return true;
  return lws_add_http_header_by_name(
             wsi, reinterpret_cast<const unsigned char*>("content-security-policy:"),
             reinterpret_cast<const unsigned char*>(policy.data()), static_cast<int>(policy.size()),
             p, end) == 0;
}

bool write_http_response(lws* wsi, unsigned status, const char* content_type,
                         const std::string& body) {
  // Room for the status line, the vhost's security headers, the CSP and the
  // few headers below, with a margin.
  unsigned char headers[LWS_PRE + 2048];
  unsigned char* start = headers + LWS_PRE;
  unsigned char* p = start;
  unsigned char* end = headers + sizeof headers - 1;
  if (lws_add_http_common_headers(wsi, status, content_type, body.size(), &p, end) ||
      !add_csp_header(wsi, kStrictCsp, &p, end) ||
      lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                   reinterpret_cast<const unsigned char*>("no-store"), 8, &p,
                                   end) ||
      lws_finalize_write_http_header(wsi, start, &p, end))
    return false;
  // HEAD: the headers say what a GET would get; no body follows them.
  if (request_method(wsi) == HttpMethod::head) return true;
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

bool is_bundled_client_path(std::string_view uri_path) {
  if (!uri_path.empty() && uri_path.front() == '/') uri_path.remove_prefix(1);
  if (uri_path.empty()) uri_path = "index.html";
  // A file's precompressed copy is the same file to the policy.
  constexpr std::string_view kGz = ".gz";
  if (uri_path.size() > kGz.size() && uri_path.substr(uri_path.size() - kGz.size()) == kGz)
    uri_path.remove_suffix(kGz.size());
  return std::ranges::find(kBundledClientFiles, uri_path) != std::end(kBundledClientFiles);
}

HttpMethod request_method(lws* wsi) {
  if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0) return HttpMethod::get;
  if (lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0) return HttpMethod::head;
  if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0) return HttpMethod::post;
  // HTTP/2 names the method in a pseudo-header instead (the relay offers
  // only HTTP/1.1 today; this keeps GET and HEAD working if that changes).
  char method[8];
  if (lws_hdr_copy(wsi, method, sizeof method, WSI_TOKEN_HTTP_COLON_METHOD) > 0) {
    const std::string_view m(method);
    if (m == "GET") return HttpMethod::get;
    if (m == "HEAD") return HttpMethod::head;
    if (m == "POST") return HttpMethod::post;
  }
  return HttpMethod::other;
}

}  // namespace hubchat::relay
