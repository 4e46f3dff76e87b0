// How the relay serves --web-root (issue 11), read over raw HTTP/1.1 from a
// real relay: FILE.gz instead of FILE only when the request's Accept-Encoding
// takes gzip (and the .gz is not older than FILE), identity otherwise; ETag,
// Last-Modified and "Cache-Control: no-cache" on every answer; a matching
// If-None-Match (or the same Last-Modified in If-Modified-Since) gets 304
// without a body; HEAD gets the GET's headers and no body; the CSP and the
// other security headers are those of issue 9 on all of them; no path leaves
// the web root. tests/browser/page_load.mjs checks what Chromium makes of it.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "relay_test_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace hubchat::test {
namespace {

namespace fs = std::filesystem;

const std::string kStrict =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "font-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const std::string kUserCsp = "script-src 'unsafe-inline'";

// Stand-ins for the files; the .gz ones need not be real gzip: the relay
// never looks inside, and distinct bytes show which file was sent.
const std::string kWasm = std::string("\0asm plain bytes of client.wasm", 31);
const std::string kWasmGz = "gzipped bytes of client.wasm";
const std::string kHome = "<p>home, edited after its .gz was made</p>";

// parent/root is the web root; parent/secret.txt lies outside it.
class StaticRoot {
 public:
  StaticRoot() {
    fs::create_directory(root());
    parent_.write("secret.txt", "outside the web root");
    parent_.write("root/client.wasm", kWasm);
    parent_.write("root/client.wasm.gz", kWasmGz);
    parent_.write("root/index.html", "<p>index</p>");
    parent_.write("root/index.html.gz", "gzipped index");
    parent_.write("root/notes.txt", "no gzip copy of this one");
    // A user page whose .gz is older than itself: stale, never sent.
    parent_.write("root/home.html.gz", "stale gzip of home.html");
    parent_.write("root/home.html", kHome);
    fs::last_write_time(root() / "home.html.gz",
                        fs::last_write_time(root() / "home.html") - std::chrono::hours(1));
  }
  fs::path root() const { return fs::path(parent_.path()) / "root"; }

 private:
  TempDir parent_{"static"};
};

class StaticFilesTest : public RelayTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(start_relay({"--web-root", root_.root().string(), "--csp", kUserCsp}));
  }
  HttpResponse get(const std::string& path,
                   std::vector<std::pair<std::string, std::string>> headers = {},
                   const std::string& method = "GET") {
    return http_request(port(), {method, path, std::move(headers)});
  }
  StaticRoot root_;
};

// The headers every answer about a file carries, whatever its status.
::testing::AssertionResult common_headers(const HttpResponse& r, const std::string& csp) {
  for (const auto& [name, value] :
       {std::pair<std::string, std::string>{"x-content-type-options", "nosniff"},
        {"x-frame-options", "deny"},
        {"referrer-policy", "no-referrer"},
        {"cache-control", "no-cache"},
        {"vary", "Accept-Encoding"},
        {"content-security-policy", csp}})
    if (r.header(name) != value)
      return ::testing::AssertionFailure()
             << name << " is '" << r.header(name) << "', expected '" << value << "'";
  const std::string etag = r.header("etag");
  if (etag.size() < 3 || etag.front() != '"' || etag.back() != '"')
    return ::testing::AssertionFailure() << "etag '" << etag << "' is not a quoted tag";
  const std::string modified = r.header("last-modified");
  if (modified.size() != 29 || modified.substr(25) != " GMT")
    return ::testing::AssertionFailure() << "last-modified '" << modified << "'";
  return ::testing::AssertionSuccess();
}

TEST_F(StaticFilesTest, GzipOnlyWhenTheRequestTakesIt) {
  for (const std::string accept :
       {"gzip, deflate, br, zstd", "gzip", "x-gzip", "*", "br;q=1, gzip;q=0.5"}) {
    SCOPED_TRACE(accept);
    const HttpResponse r = get("/client.wasm", {{"Accept-Encoding", accept}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-encoding"), "gzip");
    EXPECT_EQ(r.header("content-type"), "application/wasm");
    EXPECT_EQ(r.header("content-length"), std::to_string(kWasmGz.size()));
    EXPECT_EQ(r.body, kWasmGz);
    EXPECT_TRUE(common_headers(r, kStrict));
  }
  for (const std::string accept : {"", "identity", "deflate, br", "gzip;q=0", "*;q=0"}) {
    SCOPED_TRACE(accept.empty() ? "no Accept-Encoding" : accept);
    const HttpResponse r =
        accept.empty() ? get("/client.wasm") : get("/client.wasm", {{"Accept-Encoding", accept}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.count("content-encoding"), 0u) << r.header("content-encoding");
    EXPECT_EQ(r.header("content-type"), "application/wasm");
    EXPECT_EQ(r.body, kWasm);
    EXPECT_TRUE(common_headers(r, kStrict));
  }
  // "/" is index.html, with its gzip copy too.
  const HttpResponse index = get("/", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(index.body, "gzipped index");
  EXPECT_EQ(index.header("content-type"), "text/html");
  // No copy: plain, under the user policy; a stale copy: plain as well.
  const HttpResponse notes = get("/notes.txt", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(notes.body, "no gzip copy of this one");
  EXPECT_EQ(notes.headers.count("content-encoding"), 0u);
  EXPECT_TRUE(common_headers(notes, kUserCsp));
  const HttpResponse home = get("/home.html", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(home.body, kHome);
  EXPECT_EQ(home.headers.count("content-encoding"), 0u);
  // A .gz asked for by name is that file, as it is (and of the same policy
  // as the file it is a copy of).
  const HttpResponse gz = get("/client.wasm.gz", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.body, kWasmGz);
  EXPECT_EQ(gz.header("content-type"), "application/gzip");
  EXPECT_EQ(gz.headers.count("content-encoding"), 0u);
  EXPECT_TRUE(common_headers(gz, kStrict));
}

TEST_F(StaticFilesTest, ValidatorsNameTheRepresentation) {
  const HttpResponse plain = get("/client.wasm");
  const HttpResponse gzip = get("/client.wasm", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(common_headers(plain, kStrict));
  ASSERT_TRUE(common_headers(gzip, kStrict));
  EXPECT_NE(plain.header("etag"), gzip.header("etag"));
  // Stable: asked again, the same validators.
  EXPECT_EQ(get("/client.wasm").header("etag"), plain.header("etag"));
  EXPECT_EQ(get("/client.wasm").header("last-modified"), plain.header("last-modified"));
  // A changed file gets new validators.
  const HttpResponse before = get("/index.html");
  std::ofstream(root_.root() / "index.html", std::ios::binary) << "<p>index, new</p>";
  fs::last_write_time(root_.root() / "index.html",
                      fs::last_write_time(root_.root() / "index.html") + std::chrono::seconds(2));
  const HttpResponse after = get("/index.html");
  EXPECT_EQ(after.body, "<p>index, new</p>");
  EXPECT_NE(after.header("etag"), before.header("etag"));
  EXPECT_NE(after.header("last-modified"), before.header("last-modified"));
}

TEST_F(StaticFilesTest, ACurrentCopyGets304WithoutBody) {
  const HttpResponse plain = get("/client.wasm");
  const HttpResponse gzip = get("/client.wasm", {{"Accept-Encoding", "gzip"}});
  for (const auto& [first, accept] :
       {std::pair{&plain, std::string()}, std::pair{&gzip, std::string("gzip, deflate")}}) {
    SCOPED_TRACE(accept.empty() ? "identity" : "gzip");
    std::vector<std::pair<std::string, std::string>> headers = {
        {"If-None-Match", first->header("etag")}};
    if (!accept.empty()) headers.emplace_back("Accept-Encoding", accept);
    const HttpResponse r = get("/client.wasm", headers);
    EXPECT_EQ(r.status, 304);
    EXPECT_EQ(r.body, "") << "a 304 has no body";
    EXPECT_EQ(r.header("etag"), first->header("etag"));
    EXPECT_EQ(r.header("last-modified"), first->header("last-modified"));
    EXPECT_TRUE(common_headers(r, kStrict));
  }
  // Lists and weak tags match; the other representation's tag does not.
  EXPECT_EQ(get("/client.wasm", {{"If-None-Match", "\"nope\", " + plain.header("etag")}}).status,
            304);
  EXPECT_EQ(get("/client.wasm", {{"If-None-Match", "W/" + plain.header("etag")}}).status, 304);
  const HttpResponse other = get("/client.wasm", {{"If-None-Match", gzip.header("etag")}});
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.body, kWasm);
  // If-Modified-Since counts when it repeats Last-Modified (and only
  // without If-None-Match, which decides when present).
  EXPECT_EQ(get("/client.wasm", {{"If-Modified-Since", plain.header("last-modified")}}).status,
            304);
  EXPECT_EQ(get("/client.wasm", {{"If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"}}).status,
            200);
  EXPECT_EQ(get("/client.wasm", {{"If-None-Match", "\"nope\""},
                                 {"If-Modified-Since", plain.header("last-modified")}})
                .status,
            200);
  // A user page's 304 keeps the user policy.
  const HttpResponse notes = get("/notes.txt");
  const HttpResponse again = get("/notes.txt", {{"If-None-Match", notes.header("etag")}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(common_headers(again, kUserCsp));
}

TEST_F(StaticFilesTest, HeadHasTheHeadersOfGetAndNoBody) {
  for (const std::string accept : {"", "gzip"}) {
    SCOPED_TRACE(accept.empty() ? "identity" : "gzip");
    std::vector<std::pair<std::string, std::string>> headers;
    if (!accept.empty()) headers.emplace_back("Accept-Encoding", accept);
    const HttpResponse g = get("/client.wasm", headers);
    const HttpResponse h = get("/client.wasm", headers, "HEAD");
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.body, "") << "HEAD must not send a body";
    for (const char* name : {"content-type", "content-length", "content-encoding", "etag",
                             "last-modified", "cache-control", "vary", "content-security-policy",
                             "x-content-type-options", "x-frame-options", "referrer-policy"})
      EXPECT_EQ(h.header(name), g.header(name)) << name;
  }
  EXPECT_EQ(get("/missing.html", {}, "HEAD").status, 404);
  EXPECT_EQ(get("/healthz", {}, "HEAD").status, 200);
  EXPECT_EQ(get("/healthz", {}, "HEAD").body, "");
}

// What browsers do: several requests on one connection, revalidations
// among them; each answer must end where its headers say.
TEST_F(StaticFilesTest, AnswersWithoutBodyKeepTheConnectionUsable) {
  const std::string etag = get("/client.wasm", {{"Accept-Encoding", "gzip"}}).header("etag");
  const std::vector<HttpResponse> r = http_exchange(
      port(), {{"GET", "/client.wasm", {{"Accept-Encoding", "gzip"}, {"If-None-Match", etag}}},
               {"HEAD", "/index.html", {}},
               {"GET", "/client.wasm", {{"Accept-Encoding", "gzip"}}},
               {"GET", "/notes.txt", {}}});
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].status, 304);
  EXPECT_EQ(r[1].status, 200);
  EXPECT_EQ(r[2].status, 200);
  EXPECT_EQ(r[2].body, kWasmGz);
  EXPECT_EQ(r[3].status, 200);
  EXPECT_EQ(r[3].body, "no gzip copy of this one");
}

TEST_F(StaticFilesTest, NoPathLeavesTheWebRoot) {
  for (const std::string path :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
        "/sub/../../secret.txt", "//../secret.txt", "/./../secret.txt", "/..\\secret.txt"}) {
    SCOPED_TRACE(path);
    const HttpResponse r = get(path);
    EXPECT_NE(r.status, 200);
    EXPECT_EQ(r.body.find("outside the web root"), std::string::npos);
  }
  // Dot segments inside the root resolve to the file they name.
  EXPECT_EQ(get("/./notes.txt").body, "no gzip copy of this one");
}

}  // namespace
}  // namespace hubchat::test
