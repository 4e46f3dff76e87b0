// The web root's content-coding and cache-validator rules (relay core):
// when gzip may be sent, what the ETag and Last-Modified look like, and when a
// conditional request gets a 304.
#include "relay/http/http_validators.hpp"

#include <gtest/gtest.h>

namespace hubchat::relay {
namespace {

TEST(AcceptsGzip, WhatBrowsersSendTakesGzip) {
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br, zstd"));  // Chromium
  EXPECT_TRUE(accepts_gzip("gzip, deflate"));
  EXPECT_TRUE(accepts_gzip("GZIP"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_TRUE(accepts_gzip(" deflate ,gzip ; q=0.001"));
}

TEST(AcceptsGzip, AbsentEmptyOrRefusedMeansIdentity) {
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("deflate, br"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000, deflate"));
  EXPECT_FALSE(accepts_gzip("*;q=0"));
  // An explicit refusal wins over the wildcard, in either order.
  EXPECT_FALSE(accepts_gzip("*, gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0, *"));
  // A coding whose name merely contains "gzip" is another coding.
  EXPECT_FALSE(accepts_gzip("nogzip, gzipped"));
}

TEST(Etag, NamesSizeTimeAndCoding) {
  EXPECT_EQ(make_etag(0x1234, 0x17a2b3c4d5e6f789, false), "\"1234-17a2b3c4d5e6f789\"");
  EXPECT_EQ(make_etag(0x1234, 0x17a2b3c4d5e6f789, true), "\"1234-17a2b3c4d5e6f789-gz\"");
  EXPECT_NE(make_etag(10, 5, false), make_etag(11, 5, false));
  EXPECT_NE(make_etag(10, 5, false), make_etag(10, 6, false));
}

TEST(NoneMatch, ListsWildcardAndWeakTags) {
  const std::string tag = "\"a1-b2\"";
  EXPECT_TRUE(none_match_hits("\"a1-b2\"", tag));
  EXPECT_TRUE(none_match_hits("\"x\", \"a1-b2\"", tag));
  EXPECT_TRUE(none_match_hits("W/\"a1-b2\"", tag));
  EXPECT_TRUE(none_match_hits(" * ", tag));
  EXPECT_FALSE(none_match_hits("\"a1-b2-gz\"", tag));
  EXPECT_FALSE(none_match_hits("a1-b2", tag));  // unquoted: another tag
  EXPECT_FALSE(none_match_hits("", tag));
  EXPECT_FALSE(none_match_hits("\"a1\", \"b2\"", tag));
}

TEST(HttpDate, IsImfFixdateInGmt) {
  EXPECT_EQ(http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(http_date(1798761600), "Fri, 01 Jan 2027 00:00:00 GMT");
}

TEST(ClientCopyCurrent, IfNoneMatchDecidesWhenPresent) {
  const std::string tag = "\"1-2\"", date = "Sun, 06 Nov 1994 08:49:37 GMT";
  EXPECT_TRUE(client_copy_current(tag, "", tag, date));
  EXPECT_FALSE(client_copy_current("\"other\"", date, tag, date));  // the date is not consulted
  EXPECT_TRUE(client_copy_current("", date, tag, date));
  EXPECT_FALSE(client_copy_current("", "Mon, 07 Nov 1994 08:49:37 GMT", tag, date));
  EXPECT_FALSE(client_copy_current("", "", tag, date));
}

}  // namespace
}  // namespace hubchat::relay
