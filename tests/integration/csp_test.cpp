// Which Content-Security-Policy each HTTP response carries (issue 9, item 8),
// read with raw HTTP GETs from a real relay serving a temporary --web-root:
// the bundled web client's files always get the strict policy; every other
// file of the web root gets --csp POLICY, or no CSP with --csp off, or the
// strict policy without the flag. The other security headers are on
// everything. tests/browser/csp.mjs checks what Chromium makes of it.
#include <filesystem>
#include <fstream>

#include "relay_test_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace hubchat::test {
namespace {

// Must match the relay's kStrictCsp (relay/ops/options.hpp) byte for byte: the
// test is the second opinion on what the bundled client is sent.
const std::string kStrict =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "font-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// The files the wasm build stages (client/CMakeLists.txt), requested by name,
// and "/" (index.html).
const std::vector<std::string> kBundledPaths = {
    "/",          "/index.html",  "/hubchat.js",      "/style.css",
    "/client.js", "/client.wasm", "/NanumGothic.ttf", "/index.html?room=x"};
// A user's own pages: other names, a subfolder's index.html, the folder.
const std::vector<std::string> kUserPaths = {"/home.html", "/sub/index.html", "/sub/",
                                             "/notes.txt"};
// The relay's own responses.
const std::vector<std::string> kRelayPaths = {"/healthz", "/metrics", "/missing.html"};

// A temporary web root holding stand-ins for the bundled files and a few
// user files; removed with the object.
class WebRoot {
 public:
  WebRoot() {
    for (const char* name : {"index.html", "hubchat.js", "style.css", "client.js", "client.wasm",
                             "NanumGothic.ttf", "home.html", "notes.txt"})
      dir_.write(name, std::string("content of ") + name);
    std::filesystem::create_directory(dir_.path() + "/sub");
    dir_.write("sub/index.html", "<script>document.title = 'ran'</script>");
  }
  std::string path() const { return dir_.path(); }

 private:
  TempDir dir_{"webroot"};
};

// Every response: 200 (404 for the missing file), the other security
// headers, and a CSP equal to `csp` ("" meaning: no CSP header at all).
::testing::AssertionResult served_with(std::uint16_t port, const std::string& path,
                                       const std::string& csp) {
  const HttpResponse r = http_get(port, path);
  const int want_status = path == "/missing.html" ? 404 : 200;
  if (r.status != want_status)
    return ::testing::AssertionFailure() << path << ": status " << r.status;
  for (const auto& [name, value] : {std::pair{"x-content-type-options", "nosniff"},
                                    {"x-frame-options", "deny"},
                                    {"referrer-policy", "no-referrer"}})
    if (r.header(name) != value)
      return ::testing::AssertionFailure()
             << path << ": " << name << " is '" << r.header(name) << "'";
  const bool has_csp = r.headers.count("content-security-policy") > 0;
  if (csp.empty() && has_csp)
    return ::testing::AssertionFailure()
           << path << ": expected no CSP, got '" << r.header("content-security-policy") << "'";
  if (!csp.empty() && r.header("content-security-policy") != csp)
    return ::testing::AssertionFailure() << path << ": CSP '" << r.header("content-security-policy")
                                         << "', expected '" << csp << "'";
  return ::testing::AssertionSuccess();
}

void expect_policies(std::uint16_t port, const std::string& user_csp) {
  for (const std::string& path : kBundledPaths) EXPECT_TRUE(served_with(port, path, kStrict));
  for (const std::string& path : kUserPaths) EXPECT_TRUE(served_with(port, path, user_csp));
  for (const std::string& path : kRelayPaths) EXPECT_TRUE(served_with(port, path, kStrict));
}

class CspTest : public RelayTest {
 protected:
  WebRoot web_root_;
};

TEST_F(CspTest, CspOffDropsTheHeaderForUserPagesOnly) {
  ASSERT_TRUE(start_relay({"--web-root", web_root_.path(), "--csp", "off"}));
  expect_policies(port(), "");
  // Without the flag (safe by default): the strict policy everywhere.
  RelayProcess defaults({"--web-root", web_root_.path()});
  ASSERT_TRUE(defaults.start()) << defaults.error();
  expect_policies(defaults.port(), kStrict);
}

TEST_F(CspTest, CustomCspAppliesToUserPagesOnly) {
  const std::string policy = "script-src 'unsafe-inline'";
  ASSERT_TRUE(start_relay({"--web-root", web_root_.path(), "--csp", policy}));
  expect_policies(port(), policy);
  // A WebSocket upgrade still works next to it (its 101 gets no page policy).
  LosslessClient c;
  EXPECT_TRUE(c.connect_and_join(port(), "csp", "c"));
}

// --csp is at most 1024 bytes (it has to fit lws's header buffer of a file
// response): exactly that is served whole, one more byte is refused at start,
// as is anything that could end the header line.
TEST_F(CspTest, CspLengthAndBytesAreChecked) {
  auto policy_of_size = [](std::size_t size) {
    std::string p = "default-src 'self' https://";
    const std::string tail = ".example";
    p.append(size - p.size() - tail.size(), 'a');
    return p + tail;
  };
  const std::string at_limit = policy_of_size(1024);
  ASSERT_EQ(at_limit.size(), 1024u);
  ASSERT_TRUE(start_relay({"--web-root", web_root_.path(), "--csp", at_limit}));
  EXPECT_TRUE(served_with(port(), "/home.html", at_limit));
  EXPECT_TRUE(served_with(port(), "/index.html", kStrict));

  for (const std::string& bad :
       {policy_of_size(1025), std::string(), std::string("a\r\nx-evil: 1"), std::string("a\nb"),
        std::string("script-src \x01"), std::string("script-src 'self' \xc3\xa9")}) {
    SCOPED_TRACE(bad.substr(0, 40));
    CommandResult r =
        run_relay_command({"--port", "1", "--web-root", web_root_.path(), "--csp", bad});
    EXPECT_TRUE(r.status.exited) << r.status.describe();
    EXPECT_NE(r.status.code, 0) << r.output;
    EXPECT_NE(r.output.find("--csp"), std::string::npos)
        << "the error names the flag: " << r.output;
  }
}

}  // namespace
}  // namespace hubchat::test
