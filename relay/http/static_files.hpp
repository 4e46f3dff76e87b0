// The files of --web-root, served by the relay's own handler for the "/"
// mount (a callback mount, not lws's file mount, which in 4.1.6 sends neither
// Last-Modified nor Vary, answers 304 without the page's CSP, cannot send
// "no-cache", and has no gzip for plain files: docs/operating.md, "Caching
// and compression").
//
// Per request: the path is mapped into the web root (no "." or ".."
// segments; a folder means its index.html); a FILE.gz next to FILE is sent
// instead, with Content-Encoding: gzip, when the request's Accept-Encoding
// takes gzip and the .gz is not older than FILE; every answer carries an ETag
// and Last-Modified of what it sends, "Cache-Control: no-cache" (the browser
// keeps the file and asks each time whether it is still current),
// "Vary: Accept-Encoding" and the file's Content-Security-Policy; a matching
// If-None-Match (or an If-Modified-Since repeating Last-Modified) gets a 304
// without body, HEAD the headers of the 200 without body.
#pragma once

#include <string>
#include <string_view>

#include "relay/http/http_routes.hpp"

struct lws;

namespace hubchat::relay {

class WebRoot {
 public:
  // `dir`: --web-root; `other_files_csp`: --csp, the policy of files that are
  // not the bundled client's ("" for none).
  WebRoot(std::string dir, std::string other_files_csp);

  // Answers a GET or HEAD of `uri_path` (as lws hands it over: %-decoded,
  // no query). Returns what the lws callback returns.
  int serve(lws* wsi, std::string_view uri_path, HttpMethod method) const;

 private:
  std::string dir_;
  std::string other_files_csp_;
};

// The file `uri_path` names inside the web root, relative to it ("sub/a.js",
// "index.html" for "/"), or "" if the path is not one we serve: not
// absolute, or with a "." or ".." segment or a NUL. A trailing "/" means the
// folder's index.html.
std::string web_root_relative_path(std::string_view uri_path);

}  // namespace hubchat::relay
