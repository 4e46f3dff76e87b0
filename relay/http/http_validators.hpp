// HTTP content coding and cache validators for the files of --web-root, without
// lws (static_files.cpp applies them): whether a request's Accept-Encoding
// takes gzip, a file's ETag and Last-Modified, and whether If-None-Match /
// If-Modified-Since say the client's copy is still current (a 304).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hubchat::relay {

// True if `accept_encoding` (the header's value, "" when absent) lets us send
// gzip: "gzip" or "x-gzip" with a q above 0, or else "*" with a q above 0.
// An absent header means identity only (RFC 9110 12.5.3 allows anything,
// but a client that names nothing is safest served plain).
bool accepts_gzip(std::string_view accept_encoding);

// A strong ETag (with its quotes) for one representation of a file: its size
// and modification time (nanoseconds) in hex, "-gz" for the gzip one. Both
// change when the file is rebuilt or edited; the gzip and identity
// representations never share one (RFC 9110 8.8.3).
std::string make_etag(std::uint64_t size, std::int64_t mtime_ns, bool gzip);

// True if `if_none_match` ("*" or a comma-separated list of entity tags)
// matches `etag`, by the weak comparison If-None-Match uses (a W/ prefix on
// either side is ignored; RFC 9110 13.1.2).
bool none_match_hits(std::string_view if_none_match, std::string_view etag);

// `unix_seconds` as an HTTP date (IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT").
std::string http_date(std::int64_t unix_seconds);

// Whether the client's copy is current: If-None-Match decides when it is
// present (RFC 9110 13.2.2); otherwise If-Modified-Since, which counts only
// when it repeats our Last-Modified exactly (browsers echo what they were
// sent; any other date is treated as "changed", which costs one full answer,
// never a stale page).
bool client_copy_current(std::string_view if_none_match, std::string_view if_modified_since,
                         std::string_view etag, std::string_view last_modified);

}  // namespace hubchat::relay
