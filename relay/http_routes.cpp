#include "relay/http_routes.hpp"

#include <libwebsockets.h>

#include <algorithm>
#include <vector>

#include "relay/options.hpp"

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
  // The mount is at "/"; lws serves its default for "/" itself.
  if (!uri_path.empty() && uri_path.front() == '/') uri_path.remove_prefix(1);
  if (uri_path.empty()) uri_path = "index.html";
  return std::ranges::find(kBundledClientFiles, uri_path) != std::end(kBundledClientFiles);
}

int add_web_root_headers(lws* wsi, void* in, const std::string& web_root_csp) {
  auto* args = static_cast<lws_process_html_args*>(in);
  char* uri = nullptr;
  int uri_len = 0;
  const bool bundled = lws_http_get_uri_and_method(wsi, &uri, &uri_len) < 0 || !uri ||
                       is_bundled_client_path({uri, static_cast<std::size_t>(uri_len)});
  auto* p = reinterpret_cast<unsigned char*>(args->p);
  if (!add_csp_header(wsi, bundled ? std::string_view(kStrictCsp) : web_root_csp, &p,
                      p + args->max_len))
    return 1;  // lws then drops the connection rather than serve it without its policy
  args->max_len -= static_cast<int>(p - reinterpret_cast<unsigned char*>(args->p));
  args->p = reinterpret_cast<char*>(p);
  return 0;
}

}  // namespace hubchat::relay
