// Serving --web-root: representation choice, validators, 304 and HEAD
// (static_files.hpp). The body itself is streamed by lws_serve_http_file.
#include "relay/http/static_files.hpp"

#include <libwebsockets.h>

#include <sys/stat.h>

#include <cstdint>
#include <optional>

#include "relay/http/http_validators.hpp"
#include "relay/ops/options.hpp"

namespace hubchat::relay {
namespace {

// Room for the status line, the vhost's security headers, a --csp of up to
// 1024 bytes and the validators, with a margin.
constexpr std::size_t kHeaderSpace = 3072;

struct FileInfo {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t mtime_s = 0;
};

enum class Kind { missing, file, folder };

Kind stat_path(const std::string& path, FileInfo& info) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Kind::missing;
  if (S_ISDIR(st.st_mode)) return Kind::folder;
  if (!S_ISREG(st.st_mode)) return Kind::missing;
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.mtime_s = st.st_mtim.tv_sec;
  info.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return Kind::file;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Our types first (lws 4.1.6 knows no .wasm, which browsers only compile
// streaming as application/wasm, and calls .ttf application/x-font-ttf),
// then lws's list; anything else is a download (nosniff keeps it one).
const char* content_type_of(const std::string& path) {
  static constexpr std::pair<std::string_view, const char*> kTypes[] = {
      {".wasm", "application/wasm"}, {".ttf", "font/ttf"},        {".mjs", "text/javascript"},
      {".js", "text/javascript"},    {".gz", "application/gzip"},
  };
  for (const auto& [suffix, type] : kTypes)
    if (ends_with(path, suffix)) return type;
  const char* type = lws_get_mimetype(path.c_str(), nullptr);
  return type ? type : "application/octet-stream";
}

std::string request_header(lws* wsi, lws_token_indexes token) {
  const int length = lws_hdr_total_length(wsi, token);
  if (length <= 0) return {};
  std::string value(static_cast<std::size_t>(length) + 1, '\0');  // + lws's terminator
  const int copied = lws_hdr_copy(wsi, value.data(), length + 1, token);
  value.resize(copied > 0 ? static_cast<std::size_t>(copied) : 0);
  return value;
}

bool add_header(lws* wsi, const char* name, std::string_view value, unsigned char** p,
                unsigned char* end) {
  return lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>(name),
                                     reinterpret_cast<const unsigned char*>(value.data()),
                                     static_cast<int>(value.size()), p, end) == 0;
}

// What one response is about: the file sent and its validators.
struct Representation {
  std::string path;  // the file whose bytes are sent (FILE or FILE.gz)
  const char* content_type = nullptr;
  bool gzip = false;
  FileInfo info;
  std::string etag, last_modified;
};

// The headers every answer about a file carries (200, HEAD and 304 alike,
// so a 304 refreshes what the browser stored): validators, caching and the
// policy.
bool add_file_headers(lws* wsi, const Representation& r, std::string_view csp, unsigned char** p,
                      unsigned char* end) {
  return add_header(wsi, "etag:", r.etag, p, end) &&
         add_header(wsi, "last-modified:", r.last_modified, p, end) &&
         // Stored, but asked about on every use: the file names carry no
         // version, so a longer lifetime could run an old client.js against
         // a new client.wasm after an upgrade.
         add_header(wsi, "cache-control:", "no-cache", p, end) &&
         // The same URL has two representations: caches must keep them apart.
         add_header(wsi, "vary:", "Accept-Encoding", p, end) && add_csp_header(wsi, csp, p, end);
}

// The coding of a body that is sent or described (200 and HEAD; a 304 has
// none, and the browser keeps the one it stored).
bool add_coding_header(lws* wsi, const Representation& r, unsigned char** p, unsigned char* end) {
  return !r.gzip || add_header(wsi, "content-encoding:", "gzip", p, end);
}

// A response with headers only (304, or the 200 of a HEAD).
int send_headers_only(lws* wsi, unsigned status, const Representation& r, std::string_view csp) {
  unsigned char buffer[LWS_PRE + kHeaderSpace];
  unsigned char* start = buffer + LWS_PRE;
  unsigned char* p = start;
  unsigned char* end = buffer + sizeof buffer - 1;
  if (lws_add_http_header_status(wsi, status, &p, end)) return -1;
  if (status == HTTP_STATUS_OK) {
    // Content-Length by name: lws' own helper would expect that many body
    // bytes to follow.
    const std::string length = std::to_string(r.info.size);
    if (lws_add_http_header_by_token(
            wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
            reinterpret_cast<const unsigned char*>(r.content_type),
            static_cast<int>(std::char_traits<char>::length(r.content_type)), &p, end) ||
        !add_header(wsi, "content-length:", length, &p, end) || !add_coding_header(wsi, r, &p, end))
      return -1;
  }
  if (!add_file_headers(wsi, r, csp, &p, end) ||
      lws_finalize_write_http_header(wsi, start, &p, end))
    return -1;
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int send_file(lws* wsi, const Representation& r, std::string_view csp) {
  // lws_serve_http_file writes the status, type and length, copies these in
  // after them and streams the body; a cache-control among them replaces
  // its own ("no-store" by default). It looks for that with strstr, hence
  // the terminator.
  unsigned char other[kHeaderSpace];
  unsigned char* p = other;
  unsigned char* end = other + sizeof other - 1;
  if (!add_coding_header(wsi, r, &p, end) || !add_file_headers(wsi, r, csp, &p, end)) return -1;
  *p = '\0';
  const int n =
      lws_serve_http_file(wsi, r.path.c_str(), r.content_type, reinterpret_cast<const char*>(other),
                          static_cast<int>(p - other));
  // < 0: failed; > 0: already complete, and the connection may be reused
  // only if completing the transaction says so.
  if (n < 0 || (n > 0 && lws_http_transaction_completed(wsi))) return -1;
  return 0;
}

}  // namespace

std::string web_root_relative_path(std::string_view uri_path) {
  if (uri_path.empty() || uri_path.front() != '/') return {};
  if (uri_path.find('\0') != std::string_view::npos) return {};
  std::string relative;
  std::string_view rest = uri_path.substr(1);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    // lws resolves these before we see the path; refusing them here too
    // means no request path can name a file outside the web root.
    if (segment == "." || segment == "..") return {};
    if (!segment.empty()) {
      if (!relative.empty()) relative += '/';
      relative += segment;
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (relative.empty() || uri_path.back() == '/')
    relative += relative.empty() ? "index.html" : "/index.html";
  return relative;
}

WebRoot::WebRoot(std::string dir, std::string other_files_csp)
    : dir_(std::move(dir)), other_files_csp_(std::move(other_files_csp)) {}

int WebRoot::serve(lws* wsi, std::string_view uri_path, HttpMethod method) const {
  auto not_found = [wsi] {
    return send_http_response(wsi, HTTP_STATUS_NOT_FOUND, "text/plain", "not found\n");
  };
  std::string relative = web_root_relative_path(uri_path);
  if (relative.empty()) return not_found();
  Representation r;
  r.path = dir_ + "/" + relative;
  Kind kind = stat_path(r.path, r.info);
  if (kind == Kind::folder) {
    r.path += "/index.html";
    kind = stat_path(r.path, r.info);
  }
  if (kind != Kind::file) return not_found();
  r.content_type = content_type_of(r.path);

  // The precompressed sibling, if the client takes gzip and the sibling was
  // made from this version of the file (not older: an edited FILE with a
  // stale FILE.gz is sent plain).
  if (!ends_with(r.path, ".gz") &&
      accepts_gzip(request_header(wsi, WSI_TOKEN_HTTP_ACCEPT_ENCODING))) {
    FileInfo gz;
    if (stat_path(r.path + ".gz", gz) == Kind::file && gz.mtime_ns >= r.info.mtime_ns) {
      r.path += ".gz";
      r.info = gz;
      r.gzip = true;
    }
  }
  r.etag = make_etag(r.info.size, r.info.mtime_ns, r.gzip);
  r.last_modified = http_date(r.info.mtime_s);

  const std::string_view csp =
      is_bundled_client_path(uri_path) ? std::string_view(kStrictCsp) : other_files_csp_;
  if (client_copy_current(request_header(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH),
                          request_header(wsi, WSI_TOKEN_HTTP_IF_MODIFIED_SINCE), r.etag,
                          r.last_modified))
    return send_headers_only(wsi, HTTP_STATUS_NOT_MODIFIED, r, csp);
  if (method == HttpMethod::head) return send_headers_only(wsi, HTTP_STATUS_OK, r, csp);
  return send_file(wsi, r, csp);
}

}  // namespace hubchat::relay
