// The relay as a process and an HTTP server: clean shutdown on SIGTERM
// (every client gets close 1001, exit 0 within 1 s), /healthz, /metrics,
// static files from --web-root, --help and --version.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

TEST_F(RelayTest, SigtermClosesEveryClientWith1001AndExitsZeroWithinOneSecond) {
  ASSERT_TRUE(start_relay());
  std::vector<std::unique_ptr<LosslessClient>> lossless;
  for (int i = 0; i < 3; ++i) {
    auto c = std::make_unique<LosslessClient>();
    ASSERT_TRUE(c->connect_and_join(port(), i == 2 ? "other" : "lobby", "n" + std::to_string(i)));
    lossless.push_back(std::move(c));
  }
  std::vector<std::unique_ptr<LegacyClient>> legacy;
  for (int i = 0; i < 2; ++i) {
    auto g = std::make_unique<LegacyClient>();
    ASSERT_TRUE(g->connect(port(), "lobby").upgraded());
    ASSERT_TRUE(g->send("legacy " + std::to_string(i)));
    ASSERT_TRUE(g->wait_for("legacy " + std::to_string(i), deadline_in(5s)));
    legacy.push_back(std::move(g));
  }

  // Every client is already waiting when the signal lands, as live peers
  // would be (and reads before the relay's sockets are gone).
  std::vector<std::future<Received>> closes;
  for (auto& c : lossless)
    closes.push_back(std::async(std::launch::async,
                                [&ws = c->ws()] { return ws.wait_closed(deadline_in(5s)); }));
  for (auto& g : legacy)
    closes.push_back(std::async(std::launch::async,
                                [&ws = g->ws()] { return ws.wait_closed(deadline_in(5s)); }));

  ExitStatus st = relay().stop(5s);
  EXPECT_TRUE(st.exited) << st.describe();
  EXPECT_EQ(st.signal, 0) << st.describe();
  EXPECT_EQ(st.code, 0) << st.describe();
  EXPECT_LE(st.took.count(), 1000) << st.describe();

  for (std::size_t i = 0; i < closes.size(); ++i) {
    SCOPED_TRACE(i < lossless.size() ? "lossless " + std::to_string(i)
                                     : "legacy " + std::to_string(i - lossless.size()));
    Received r = closes[i].get();
    EXPECT_EQ(r.kind, Received::Kind::close) << r.describe();
    EXPECT_EQ(r.close_code, 1001) << r.describe();
    EXPECT_EQ(r.close_reason, "relay shutting down");
  }
}

TEST_F(RelayTest, SigtermWithNoClientsExitsZeroQuickly) {
  ASSERT_TRUE(start_relay());
  ExitStatus st = relay().stop(5s);
  EXPECT_TRUE(st.exited && st.code == 0 && st.signal == 0) << st.describe();
  EXPECT_LE(st.took.count(), 1000) << st.describe();
}

TEST_F(RelayTest, HealthzAndMetrics) {
  ASSERT_TRUE(start_relay());
  HttpResponse health = relay().get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body.substr(0, 2), "ok") << health.body;
  EXPECT_LE(health.body.size(), 3u) << "just \"ok\" (+ newline): " << health.body;

  LosslessClient c;
  ASSERT_TRUE(c.connect_and_join(port(), "m", "metered"));
  ASSERT_TRUE(c.send_msg("count me"));
  ASSERT_TRUE(c.wait_for([](const Event& e) { return e.body == "count me"; }, deadline_in(5s)));

  HttpResponse m = relay().get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.header("content-type").find("text/plain"), std::string::npos)
      << m.header("content-type");
  for (const char* name :
       {"hubchat_connections", "hubchat_connections_total", "hubchat_messages_in_total",
        "hubchat_messages_out_total", "hubchat_frames_out_total", "hubchat_bytes_out_total",
        "hubchat_max_frame_bytes_out", "hubchat_rooms"}) {
    EXPECT_TRUE(metric(m.body, name).has_value()) << name << " missing in:\n" << m.body;
  }
  EXPECT_FALSE(metric_lines(m.body, "hubchat_closes_total").empty()) << m.body;
  for (const std::string& line : metric_lines(m.body, "hubchat_closes_total"))
    EXPECT_NE(line.find("{reason=\""), std::string::npos) << line;

  // The values reflect what just happened.
  EXPECT_EQ(metric(m.body, "hubchat_connections").value_or(-1), 1);
  EXPECT_GE(metric(m.body, "hubchat_connections_total").value_or(-1), 1);
  EXPECT_EQ(metric(m.body, "hubchat_messages_in_total").value_or(-1), 1);
  EXPECT_GE(metric(m.body, "hubchat_messages_out_total").value_or(-1), 2);  // welcome + msg
  EXPECT_GE(metric(m.body, "hubchat_frames_out_total").value_or(-1), 1);
  EXPECT_GE(metric(m.body, "hubchat_bytes_out_total").value_or(-1),
            static_cast<double>(c.stats().bytes));
  EXPECT_EQ(metric(m.body, "hubchat_rooms").value_or(-1), 1);
}

TEST_F(RelayTest, ServesWebRootWithWasmMimeType) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("hubchat-webroot-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "index.html") << "<!doctype html><title>hubchat</title>";
  std::ofstream(dir / "client.wasm", std::ios::binary) << std::string("\0asm\1\0\0\0", 8);
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
    }
  } cleanup{dir};

  ASSERT_TRUE(start_relay({"--web-root", dir.string()}));
  HttpResponse index = relay().get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html><title>hubchat</title>");
  EXPECT_NE(index.header("content-type").find("text/html"), std::string::npos);
  HttpResponse wasm = relay().get("/client.wasm");
  EXPECT_EQ(wasm.status, 200);
  EXPECT_EQ(wasm.body, std::string("\0asm\1\0\0\0", 8));
  EXPECT_EQ(wasm.header("content-type"), "application/wasm");
  EXPECT_EQ(relay().get("/no-such-file.js").status, 404);
  // The WebSocket endpoint still works next to the files.
  LosslessClient c;
  EXPECT_TRUE(c.connect_and_join(port(), "lobby", "web"));
}

// A non-loopback IPv4 address of this machine, if it has one.
std::optional<in_addr> external_ipv4() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return std::nullopt;
  std::optional<in_addr> found;
  for (ifaddrs* i = list; i && !found; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    const in_addr a = reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr;
    if ((ntohl(a.s_addr) >> 24) != 127) found = a;
  }
  ::freeifaddrs(list);
  return found;
}

bool can_connect(const sockaddr* addr, socklen_t len) {
  UniqueFd fd(::socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return fd.valid() && ::connect(fd.get(), addr, len) == 0;
}

TEST_F(RelayTest, HostFlagRestrictsTheListeningAddress) {
  // The harness starts every relay with --host 127.0.0.1: it must not be
  // reachable on the machine's other addresses.
  ASSERT_TRUE(start_relay());
  auto ip = external_ipv4();
  if (!ip) GTEST_SKIP() << "no non-loopback IPv4 address to probe";
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(port());
  v4.sin_addr = *ip;
  char text[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &*ip, text, sizeof text);
  EXPECT_FALSE(can_connect(reinterpret_cast<sockaddr*>(&v4), sizeof v4))
      << "relay started with --host 127.0.0.1 accepts connections on " << text << ":" << port();
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(port());
  v6.sin6_addr = in6addr_loopback;
  EXPECT_FALSE(can_connect(reinterpret_cast<sockaddr*>(&v6), sizeof v6))
      << "relay started with --host 127.0.0.1 accepts connections on [::1]:" << port();
}

TEST(RelayCommandLine, HelpExitsZeroAndMentionsPort) {
  CommandResult r = run_relay_command({"--help"});
  EXPECT_TRUE(r.status.exited && r.status.code == 0) << r.status.describe() << "\n" << r.output;
  EXPECT_NE(r.output.find("--port"), std::string::npos) << r.output;
}

TEST(RelayCommandLine, VersionExitsZero) {
  CommandResult r = run_relay_command({"--version"});
  EXPECT_TRUE(r.status.exited && r.status.code == 0) << r.status.describe() << "\n" << r.output;
  EXPECT_FALSE(r.output.empty());
}

TEST(RelayCommandLine, BadOptionExitsNonZero) {
  CommandResult r = run_relay_command({"--no-such-option"});
  EXPECT_TRUE(r.status.exited) << r.status.describe();
  EXPECT_NE(r.status.code, 0) << r.output;
}

}  // namespace
}  // namespace hubchat::test

namespace hubchat::test {
namespace {

// While it stops, the relay refuses new upgrades with 503 instead of
// accepting them only to close them 1001: clients that reconnect at once
// would otherwise keep a busy relay from stopping.
TEST_F(RelayTest, AnUpgradeWhileStoppingGets503) {
  ASSERT_TRUE(start_relay());
  // `holder` reads nothing, so its close handshake keeps the relay in its
  // 700 ms shutdown window; `witness` reads its 1001: the stop has begun.
  LosslessClient holder, witness;
  ASSERT_TRUE(holder.connect_and_join(port(), "lobby", "holder"));
  ASSERT_TRUE(witness.connect_and_join(port(), "lobby", "witness"));
  ASSERT_EQ(::kill(relay().pid(), SIGTERM), 0);
  const Received closed = witness.ws().wait_closed(deadline_in(2s));
  ASSERT_EQ(closed.close_code, 1001) << closed.describe();
  LosslessClient late;
  const HandshakeResult h = late.connect(port());
  EXPECT_FALSE(h.upgraded());
  EXPECT_EQ(h.status, 503) << h.response_head;
  EXPECT_TRUE(relay().stop(5s).exited);
}

}  // namespace
}  // namespace hubchat::test
