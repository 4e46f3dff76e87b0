// The Origin allowlist reads the whole header (issue 9, item 1): an Origin
// longer than a fixed buffer, or an allowed origin with more after it, must be
// refused like any other foreign Origin, and the refusal is an HTTP 403 (no
// 101). Absent Origin (non-browser clients) stays accepted.
#include <poll.h>
#include <sys/socket.h>

#include "relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

const std::string kAllowed = "https://chat.example.org";

// An origin of exactly `size` bytes that starts with `prefix` (padded with a
// path-like tail, as a hostile page could send).
std::string origin_of_size(std::size_t size, const std::string& prefix) {
  std::string o = prefix + "/";
  o.append(size - o.size(), 'a');
  return o;
}

// Sends `request` as is and returns the reply's status (0 if the relay hung up
// without one).
int raw_status(std::uint16_t port, const std::string& request) {
  UniqueFd fd = connect_tcp(port);
  const Deadline deadline = deadline_in(5s);
  if (!fd.valid() || !write_all(fd.get(), request, deadline)) return -1;
  std::string head;
  char buf[4096];
  while (head.find("\r\n\r\n") == std::string::npos && Clock::now() < deadline) {
    pollfd p{fd.get(), POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (::poll(&p, 1, static_cast<int>(std::max<long long>(left, 1))) <= 0) break;
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n <= 0) break;
    head.append(buf, static_cast<std::size_t>(n));
  }
  if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) return 0;
  return std::atoi(head.substr(9, 3).c_str());
}

std::string upgrade_request(std::uint16_t port, const std::string& extra_headers) {
  return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
         extra_headers + "\r\n";
}

// Refused: no 101, and the reply says so with 403 Forbidden.
::testing::AssertionResult refused(const HandshakeResult& r) {
  if (r.upgraded() || r.status == 101)
    return ::testing::AssertionFailure() << "upgraded: " << r.response_head;
  if (r.status != 403)
    return ::testing::AssertionFailure()
           << "expected 403, got " << r.status << ": " << r.response_head;
  return ::testing::AssertionSuccess();
}

class OriginTest : public RelayTest {
 protected:
  void SetUp() override { ASSERT_TRUE(start_relay({"--origin", kAllowed})); }
};

TEST_F(OriginTest, AbsentAndAllowedAreAcceptedOthersGet403) {
  // Non-browser clients (the desktop client, gorilla-style tools) send none.
  EXPECT_TRUE(handshake(port(), std::nullopt).upgraded());
  EXPECT_TRUE(handshake(port(), std::nullopt, std::nullopt).upgraded()) << "legacy dialect";
  HandshakeResult r = handshake(port(), kAllowed);
  EXPECT_TRUE(r.upgraded()) << r.response_head;
  EXPECT_TRUE(handshake(port(), kAllowed, std::nullopt).upgraded()) << "legacy dialect";

  EXPECT_TRUE(refused(handshake(port(), "https://evil.example")));
  EXPECT_TRUE(refused(handshake(port(), "https://evil.example", std::nullopt))) << "legacy";
  // One refusal per handshake is counted.
  EXPECT_EQ(metric(relay().metrics_text(), "hubchat_rejected_handshakes_total"), 2);
  EXPECT_EQ(relay().get("/healthz").status, 200);
}

TEST_F(OriginTest, LongDisallowedOriginIsRefused) {
  // 300 bytes: the case of issue 9 (it used to overflow a 256-byte copy and
  // count as "no Origin"). Also just below, at and above that old buffer.
  for (std::size_t size : {254u, 255u, 256u, 257u, 300u, 2000u}) {
    SCOPED_TRACE(size);
    const std::string origin = origin_of_size(size, "https://evil.example");
    ASSERT_EQ(origin.size(), size);
    EXPECT_TRUE(refused(handshake(port(), origin)));
  }
  // Above what lws holds for all headers of a request (4096 bytes): such a
  // request never reaches the allowlist and must not be upgraded either.
  const HandshakeResult r = handshake(port(), origin_of_size(5000, kAllowed));
  EXPECT_FALSE(r.upgraded()) << r.response_head;
  EXPECT_NE(r.status, 101);
  EXPECT_EQ(relay().get("/healthz").status, 200);
}

TEST_F(OriginTest, AllowedOriginAsPrefixOfALongerOneIsRefused) {
  for (const std::string& origin : {kAllowed + ".evil.example", kAllowed + ":8443", kAllowed + "/",
                                    origin_of_size(300, kAllowed), origin_of_size(256, kAllowed)}) {
    SCOPED_TRACE(origin.substr(0, 60) + " (" + std::to_string(origin.size()) + " bytes)");
    EXPECT_TRUE(refused(handshake(port(), origin)));
  }
  // ...and a shorter one.
  EXPECT_TRUE(refused(handshake(port(), kAllowed.substr(0, kAllowed.size() - 1))));
}

TEST_F(OriginTest, EmptyOrRepeatedOriginIsRefused) {
  // An empty Origin is present, so it is not the non-browser case.
  EXPECT_TRUE(refused(handshake(port(), std::string())));
  // Two Origin headers, even both allowed, are not one allowed origin.
  EXPECT_EQ(raw_status(port(), upgrade_request(port(), "Origin: " + kAllowed +
                                                           "\r\nOrigin: " + kAllowed + "\r\n")),
            403);
  EXPECT_EQ(raw_status(port(), upgrade_request(port(), "Origin: " + kAllowed + "\r\n")), 101)
      << "the raw request itself is a valid handshake";
}

// Long allowed origins work: nothing about the length itself is refused.
TEST_F(RelayTest, LongAllowedOriginIsAccepted) {
  const std::string at_old_buffer = origin_of_size(255, kAllowed);
  const std::string over_old_buffer = origin_of_size(256, kAllowed);
  const std::string long_origin = origin_of_size(2000, kAllowed);
  ASSERT_TRUE(start_relay(
      {"--origin", at_old_buffer, "--origin", over_old_buffer, "--origin", long_origin}));
  for (const std::string& origin : {at_old_buffer, over_old_buffer, long_origin}) {
    SCOPED_TRACE(origin.size());
    HandshakeResult r = handshake(port(), origin);
    EXPECT_TRUE(r.upgraded()) << r.response_head;
  }
  // One byte less than an allowed long origin is another origin.
  EXPECT_TRUE(refused(handshake(port(), long_origin.substr(0, long_origin.size() - 1))));
}

}  // namespace
}  // namespace hubchat::test
