// The relay over TLS (--tls-cert/--tls-key): https:// for /healthz and
// /metrics, wss:// end to end with the desktop client's own transport
// (NativeTransport on libwebsockets), certificate verification really on,
// and the option checks (a certificate without a key is refused at start).
//
// The certificate is self-signed and made per test process with the openssl
// CLI. The native transport verifies servers against OpenSSL's default trust
// store, which honours $SSL_CERT_FILE: pointing it at our certificate is how
// the test trusts it without any change to the client. The PrivateCa tests
// use a CA made per test instead, trusted only through the transport's
// Options::ca_file (the desktop client's --ca).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/transport/native_transport.hpp"
#include "shared/event.hpp"
#include "shared/legacy_codec.hpp"
#include "shared/lossless_codec.hpp"
#include "tests/support/relay_process.hpp"
#include "tests/support/ws_test_client.hpp"
#include "tests/tls/tls_support.hpp"

namespace hubchat::test::tls {
namespace {

using namespace std::chrono_literals;
using client::NativeTransport;
using client::TransportEvent;

// A temporary folder holding a fresh self-signed certificate and its key.
class SelfSignedCertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.valid());
    cert_ = dir_.path() + "/cert.pem";
    key_ = dir_.path() + "/key.pem";
    const CommandResult made = make_self_signed_cert(cert_, key_);
    ASSERT_TRUE(made.exited && made.code == 0) << made.describe();
  }

  TempDir dir_{"tls"};
  std::string cert_, key_;
};

// A relay serving TLS with that certificate.
class TlsRelayTest : public SelfSignedCertTest {
 protected:
  void SetUp() override {
    SelfSignedCertTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(relay_.start({"--tls-cert", cert_, "--tls-key", key_}, dir_.path() + "/relay.log"))
        << relay_.error();
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "---- relay log ----\n" << relay_.log() << "\n----\n";
    ::unsetenv("SSL_CERT_FILE");
  }

  std::string url(const std::string& scheme, const std::string& host,
                  const std::string& path) const {
    return scheme + "://" + host + ":" + std::to_string(relay_.port()) + path;
  }

  TlsRelay relay_;
};

// Polls a transport (it queues events from its own service thread) until an
// event satisfies `pred`; every event polled is appended to `seen`.
bool wait_event(NativeTransport& transport, std::vector<TransportEvent>& seen,
                const std::function<bool(const TransportEvent&)>& pred, Deadline deadline) {
  std::size_t checked = 0;
  for (;;) {
    transport.poll(seen);
    for (; checked < seen.size(); ++checked)
      if (pred(seen[checked])) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);  // the transport has no waitable handle
  }
}

std::string describe(const std::vector<TransportEvent>& events) {
  static const char* const kKinds[] = {"opened", "message", "closed", "error"};
  std::string out;
  for (const TransportEvent& e : events)
    out += std::string(kKinds[static_cast<int>(e.kind)]) + " code=" + std::to_string(e.code) +
           " '" + e.text.substr(0, 200) + "'\n";
  return out;
}

// Waits for the connection's end (error or close) and checks that it never
// opened: the handshake was refused.
void expect_refused(NativeTransport& transport, std::vector<TransportEvent>& events) {
  ASSERT_TRUE(wait_event(
      transport, events,
      [](const TransportEvent& e) {
        return e.kind == TransportEvent::Kind::error || e.kind == TransportEvent::Kind::closed;
      },
      deadline_in(10s)))
      << describe(events);
  for (const TransportEvent& e : events)
    EXPECT_NE(e.kind, TransportEvent::Kind::opened) << describe(events);
}

// Lossless events decoded from every message among `events`.
std::vector<Event> decode_all(const std::vector<TransportEvent>& events) {
  std::vector<Event> out;
  for (const TransportEvent& t : events) {
    if (t.kind != TransportEvent::Kind::message) continue;
    for (std::string_view line : lossless::split_batch(t.text)) {
      Event e;
      lossless::DecodeError error;
      if (lossless::decode(line, e, error)) out.push_back(std::move(e));
    }
  }
  return out;
}

bool has_msg(const std::vector<TransportEvent>& events, const std::string& from,
             const std::string& body) {
  for (const Event& e : decode_all(events))
    if (e.type == EventType::msg && e.from == from && e.body == body) return true;
  return false;
}

bool has_legacy_body(const std::vector<TransportEvent>& events, const std::string& body) {
  for (const TransportEvent& t : events) {
    if (t.kind != TransportEvent::Kind::message) continue;
    for (std::string_view b : legacy::split_frame(t.text))
      if (b == body) return true;
  }
  return false;
}

TEST_F(TlsRelayTest, HealthzAnswersOverHttps) {
  const HttpsResponse r = https_get(relay_.port(), "/healthz");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "ok\n");
  EXPECT_EQ(r.alpn, "http/1.1");

  // curl with verification off, then on: against the certificate as CA, by
  // DNS name and by IP address (the certificate carries both SANs). HTTP/1.1
  // explicitly here; ResponsesAreCompleteOverHttp2 covers clients offering h2.
  const CommandResult insecure = run_command(
      {"curl", "-sS", "-k", "--http1.1", "--max-time", "5", url("https", "127.0.0.1", "/healthz")},
      10s);
  EXPECT_TRUE(insecure.exited && insecure.code == 0) << insecure.describe();
  EXPECT_EQ(insecure.output, "ok\n");
  for (const char* host : {"localhost", "127.0.0.1"}) {
    const CommandResult verified = run_command({"curl", "-sS", "--http1.1", "--cacert", cert_,
                                                "--max-time", "5", url("https", host, "/healthz")},
                                               10s);
    EXPECT_TRUE(verified.exited && verified.code == 0) << host << ": " << verified.describe();
    EXPECT_EQ(verified.output, "ok\n") << host;
  }
}

TEST_F(TlsRelayTest, MetricsAnswerOverHttps) {
  const HttpsResponse r = https_get(relay_.port(), "/metrics");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_TRUE(metric(r.body, "hubchat_connections").has_value()) << r.body;
  EXPECT_TRUE(metric(r.body, "hubchat_closes_total{reason=\"peer\"}").has_value()) << r.body;
}

// Clients that offer HTTP/2 first (curl, browsers) must still get complete
// responses: the relay advertises only http/1.1 by ALPN (its responses and
// upgrades are written for HTTP/1.1; over h2 they never completed).
TEST_F(TlsRelayTest, ResponsesAreCompleteOverHttp2) {
  // The event loop's series change with every scrape (turns, the longest turn
  // since the previous scrape); their values are left out of the comparison.
  auto stable = [](const std::string& body) {
    std::string out;
    std::size_t start = 0;
    while (start < body.size()) {
      const std::size_t end = std::min(body.find('\n', start), body.size());
      const std::string line = body.substr(start, end - start);
      out += line.rfind("hubchat_loop_", 0) == 0 ? line.substr(0, line.find(' ')) : line;
      out += '\n';
      start = end + 1;
    }
    return out;
  };
  for (const char* path : {"/healthz", "/metrics"}) {
    const HttpsResponse h1 = https_get(relay_.port(), path);
    ASSERT_EQ(h1.status, 200) << h1.error;
    const CommandResult h2 = run_command(
        {"curl", "-sS", "-k", "--http2", "--max-time", "5", url("https", "127.0.0.1", path)}, 10s);
    EXPECT_TRUE(h2.exited && h2.code == 0) << path << ": " << h2.describe();
    EXPECT_EQ(stable(h2.output), stable(h1.body))
        << path << " over h2 differs from HTTP/1.1 (" << h1.body.size() << " bytes)";
  }
}

TEST_F(TlsRelayTest, PlainHttpOnTheTlsPortIsNotServed) {
  const HttpResponse r = http_get(relay_.port(), "/healthz", 3s);
  EXPECT_NE(r.status, 200) << "a TLS-only port answered cleartext HTTP: " << r.body;
  // And the relay is still fine afterwards.
  EXPECT_EQ(https_get(relay_.port(), "/healthz").status, 200);
}

TEST_F(TlsRelayTest, NativeTransportChatsOverWss) {
  ASSERT_EQ(::setenv("SSL_CERT_FILE", cert_.c_str(), 1), 0);
  const Deadline deadline = deadline_in(15s);
  auto is_opened = [](const TransportEvent& e) { return e.kind == TransportEvent::Kind::opened; };

  // A lossless peer and a legacy (gorilla dialect) peer in one room, both on
  // wss:// with the certificate verified against "localhost".
  NativeTransport lossless;
  std::vector<TransportEvent> l_events;
  ASSERT_TRUE(lossless.connect(url("wss", "localhost", "/ws"), {"hubchat.v1"}));
  ASSERT_TRUE(wait_event(lossless, l_events, is_opened, deadline)) << describe(l_events);
  EXPECT_EQ(l_events.back().subprotocol, "hubchat.v1");

  Event join;
  join.type = EventType::join;
  join.room = "보안-room";
  join.nick = "민아";
  ASSERT_TRUE(lossless.send_text(lossless::encode(join)));
  ASSERT_TRUE(wait_event(
      lossless, l_events,
      [](const TransportEvent& t) { return t.text.find("\"welcome\"") != std::string::npos; },
      deadline))
      << describe(l_events);

  NativeTransport legacy;
  std::vector<TransportEvent> g_events;
  // ?room=보안-room&nick=jun, percent-encoded.
  ASSERT_TRUE(
      legacy.connect(url("wss", "localhost", "/ws?room=%EB%B3%B4%EC%95%88-room&nick=jun"), {}));
  ASSERT_TRUE(wait_event(legacy, g_events, is_opened, deadline)) << describe(g_events);
  EXPECT_EQ(g_events.back().subprotocol, "");
  // The legacy peer's join is logged: once the lossless peer sees it, the
  // legacy peer is in the room and will receive what follows.
  ASSERT_TRUE(wait_event(
      lossless, l_events,
      [](const TransportEvent& t) {
        return t.text.find("\"join\"") != std::string::npos &&
               t.text.find("\"jun\"") != std::string::npos;
      },
      deadline))
      << describe(l_events);

  // Hangul and a newline survive TLS both ways; the legacy dialect turns the
  // newline into a space (PROTOCOL.md).
  const std::string body = "안녕하세요, 세계!\n두 번째 줄 🙂";
  Event msg;
  msg.type = EventType::msg;
  msg.body = body;
  ASSERT_TRUE(lossless.send_text(lossless::encode(msg)));
  ASSERT_TRUE(wait_event(
      lossless, l_events, [&](const TransportEvent&) { return has_msg(l_events, "민아", body); },
      deadline))
      << describe(l_events);
  ASSERT_TRUE(wait_event(
      legacy, g_events,
      [&](const TransportEvent&) { return has_legacy_body(g_events, legacy::encode_body(body)); },
      deadline))
      << describe(g_events);

  const std::string legacy_text = "  레거시 답장\n끝  ";
  ASSERT_TRUE(legacy.send_text(legacy_text));
  const std::string normalized = legacy::normalize_incoming(legacy_text);
  EXPECT_EQ(normalized, "레거시 답장 끝");
  EXPECT_TRUE(wait_event(
      lossless, l_events,
      [&](const TransportEvent&) { return has_msg(l_events, "jun", normalized); }, deadline))
      << describe(l_events);
  EXPECT_TRUE(wait_event(
      legacy, g_events,
      [&](const TransportEvent&) { return has_legacy_body(g_events, normalized); }, deadline))
      << describe(g_events);

  for (const auto* events : {&l_events, &g_events})
    for (const TransportEvent& e : *events)
      EXPECT_TRUE(e.kind == TransportEvent::Kind::opened || e.kind == TransportEvent::Kind::message)
          << describe(*events);

  const HttpsResponse m = https_get(relay_.port(), "/metrics");
  ASSERT_EQ(m.status, 200) << m.error;
  EXPECT_EQ(metric(m.body, "hubchat_messages_in_total"), 2.0) << m.body;
  EXPECT_EQ(metric(m.body, "hubchat_connections"), 2.0) << m.body;
}

// The transport really verifies: a self-signed certificate that is not in the
// trust store is refused (no `opened`, an `error` instead).
TEST_F(TlsRelayTest, NativeTransportRefusesAnUntrustedCertificate) {
  const std::string nowhere = dir_.path() + "/no-such-ca.pem";
  ASSERT_EQ(::setenv("SSL_CERT_FILE", nowhere.c_str(), 1), 0);
  NativeTransport transport;
  std::vector<TransportEvent> events;
  ASSERT_TRUE(transport.connect(url("wss", "localhost", "/ws"), {"hubchat.v1"}));
  expect_refused(transport, events);
  // The refused handshake does not hurt the relay.
  EXPECT_EQ(https_get(relay_.port(), "/healthz").status, 200);
}

// The fixture relay's certificate is trusted through the system store
// (SSL_CERT_FILE); a private CA given as ca_file must add to that store, not
// replace it, or --ca would lock the user out of every other wss:// server.
TEST_F(TlsRelayTest, NativeTransportCaFileAddsToTheSystemStore) {
  const std::string ca_dir = dir_.path() + "/ca";
  ASSERT_TRUE(std::filesystem::create_directory(ca_dir));
  CommandResult made;
  const PrivateCa ca = make_private_ca(ca_dir, made);
  ASSERT_TRUE(made.exited && made.code == 0) << made.describe();
  ASSERT_EQ(::setenv("SSL_CERT_FILE", cert_.c_str(), 1), 0);

  NativeTransport transport(NativeTransport::Options{ca.ca_cert});
  std::vector<TransportEvent> events;
  ASSERT_TRUE(transport.connect(url("wss", "localhost", "/ws"), {"hubchat.v1"}));
  ASSERT_TRUE(wait_event(
      transport, events,
      [](const TransportEvent& e) { return e.kind != TransportEvent::Kind::message; },
      deadline_in(10s)))
      << describe(events);
  EXPECT_EQ(events.front().kind, TransportEvent::Kind::opened) << describe(events);
}

// A relay whose certificate comes from a private CA that no trust store holds.
class PrivateCaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.valid());
    CommandResult made;
    ca_ = make_private_ca(dir_.path(), made);
    ASSERT_TRUE(made.exited && made.code == 0) << made.describe();
    ASSERT_TRUE(relay_.start({"--tls-cert", ca_.server_cert, "--tls-key", ca_.server_key},
                             dir_.path() + "/relay.log"))
        << relay_.error();
    // Nothing from the machine's store can vouch for the relay either way.
    const std::string nowhere = dir_.path() + "/no-such-bundle.pem";
    ASSERT_EQ(::setenv("SSL_CERT_FILE", nowhere.c_str(), 1), 0);
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "---- relay log ----\n" << relay_.log() << "\n----\n";
    ::unsetenv("SSL_CERT_FILE");
  }

  std::string url(const std::string& host) const {
    return "wss://" + host + ":" + std::to_string(relay_.port()) + "/ws";
  }

  TempDir dir_{"tls"};
  PrivateCa ca_;
  TlsRelay relay_;
};

// With the CA as ca_file the handshake verifies (by IP and by DNS name, both
// in the certificate's subjectAltName) and a message goes through the relay.
TEST_F(PrivateCaTest, NativeTransportTrustsTheCaGivenAsCaFile) {
  const Deadline deadline = deadline_in(15s);
  for (const char* host : {"127.0.0.1", "localhost"}) {
    SCOPED_TRACE(host);
    NativeTransport transport(NativeTransport::Options{ca_.ca_cert});
    std::vector<TransportEvent> events;
    ASSERT_TRUE(transport.connect(url(host), {"hubchat.v1"}));
    ASSERT_TRUE(wait_event(
        transport, events,
        [](const TransportEvent& e) { return e.kind != TransportEvent::Kind::message; }, deadline))
        << describe(events);
    ASSERT_EQ(events.back().kind, TransportEvent::Kind::opened) << describe(events);
    EXPECT_EQ(events.back().subprotocol, "hubchat.v1");

    Event join;
    join.type = EventType::join;
    join.room = "private-ca";
    join.nick = std::string("ca-") + host;
    ASSERT_TRUE(transport.send_text(lossless::encode(join)));
    const std::string body = std::string("사설 CA를 통해 ") + host;
    Event msg;
    msg.type = EventType::msg;
    msg.body = body;
    ASSERT_TRUE(wait_event(
        transport, events,
        [](const TransportEvent& t) { return t.text.find("\"welcome\"") != std::string::npos; },
        deadline))
        << describe(events);
    ASSERT_TRUE(transport.send_text(lossless::encode(msg)));
    EXPECT_TRUE(wait_event(
        transport, events, [&](const TransportEvent&) { return has_msg(events, join.nick, body); },
        deadline))
        << describe(events);
  }
  const HttpsResponse m = https_get(relay_.port(), "/metrics");
  ASSERT_EQ(m.status, 200) << m.error;
  EXPECT_EQ(metric(m.body, "hubchat_messages_in_total"), 2.0) << m.body;
}

// The same connection without ca_file: refused with an error that says why,
// nothing opened, the relay unhurt and never saw a WebSocket connection.
TEST_F(PrivateCaTest, WithoutTheCaFileTheRelayIsRefused) {
  NativeTransport transport;
  std::vector<TransportEvent> events;
  ASSERT_TRUE(transport.connect(url("127.0.0.1"), {"hubchat.v1"}));
  expect_refused(transport, events);
  // The error names the cause (lws's own text does not).
  EXPECT_EQ(events.back().kind, TransportEvent::Kind::error) << describe(events);
  EXPECT_NE(events.back().text.find("certificate is not trusted (unable to get local issuer "
                                    "certificate); for a private CA"),
            std::string::npos)
      << describe(events);
  EXPECT_EQ(https_get(relay_.port(), "/healthz").status, 200);
  const HttpsResponse m = https_get(relay_.port(), "/metrics");
  EXPECT_EQ(metric(m.body, "hubchat_connections_total"), 0.0) << m.body;
}

// check_ca_file() accepts the CA and names the file and the problem for
// what lws would silently fail to load (it only logs, then refuses servers).
TEST_F(PrivateCaTest, CheckCaFileNamesTheFileAndTheProblem) {
  EXPECT_EQ(NativeTransport::check_ca_file(ca_.ca_cert), "");

  const std::string missing = dir_.path() + "/missing.pem";
  EXPECT_EQ(NativeTransport::check_ca_file(missing), missing + ": no such file");
  EXPECT_EQ(NativeTransport::check_ca_file(dir_.path()), dir_.path() + ": not a regular file");
  const std::string garbage = dir_.path() + "/garbage.pem";
  std::ofstream(garbage) << "not a certificate\n";
  EXPECT_EQ(NativeTransport::check_ca_file(garbage), garbage + ": holds no PEM certificate");
  // A private key is a PEM file, but not a certificate.
  EXPECT_EQ(NativeTransport::check_ca_file(ca_.server_key),
            ca_.server_key + ": holds no PEM certificate");
}

class TlsOptionsTest : public SelfSignedCertTest {
 protected:
  // `relay args...` on a free loopback port, so a relay that wrongly starts
  // never touches a real port; it is killed at the deadline.
  CommandResult relay(std::vector<std::string> args) {
    std::vector<std::string> argv{relay_binary(), "--host", "127.0.0.1", "--port",
                                  std::to_string(pick_free_port())};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, 5s);
  }
};

TEST_F(TlsOptionsTest, CertWithoutKeyExitsNonZeroWithAClearMessage) {
  const CommandResult r = relay({"--tls-cert", cert_});
  ASSERT_TRUE(r.exited) << "the relay started without a key: " << r.describe();
  EXPECT_NE(r.code, 0) << r.describe();
  EXPECT_NE(r.output.find("--tls-cert requires --tls-key"), std::string::npos) << r.output;
}

TEST_F(TlsOptionsTest, KeyWithoutCertExitsNonZeroWithAClearMessage) {
  const CommandResult r = relay({"--tls-key", key_});
  ASSERT_TRUE(r.exited) << r.describe();
  EXPECT_NE(r.code, 0) << r.describe();
  EXPECT_NE(r.output.find("--tls-key requires --tls-cert"), std::string::npos) << r.output;
}

TEST_F(TlsOptionsTest, MissingCertificateFileExitsNonZero) {
  const std::string missing = dir_.path() + "/missing.pem";
  const CommandResult r = relay({"--tls-cert", missing, "--tls-key", key_});
  ASSERT_TRUE(r.exited) << r.describe();
  EXPECT_NE(r.code, 0) << r.describe();
  EXPECT_NE(r.output.find(missing), std::string::npos) << r.output;
}

TEST_F(TlsOptionsTest, UnusableCertificateExitsNonZeroNamingTheFile) {
  // A file that exists but holds no certificate: the relay must not start
  // (and must not fall back to cleartext).
  const std::string garbage = dir_.path() + "/garbage.pem";
  ASSERT_EQ(run_command({"sh", "-c", "echo not a certificate > '" + garbage + "'"}).code, 0);
  const CommandResult r = relay({"--tls-cert", garbage, "--tls-key", key_});
  ASSERT_TRUE(r.exited) << r.describe();
  EXPECT_NE(r.code, 0) << r.describe();
  EXPECT_NE(r.output.find(garbage), std::string::npos) << r.output;

  // A key that does not match the certificate's: refused as well.
  const std::string other_cert = dir_.path() + "/other-cert.pem";
  const std::string other_key = dir_.path() + "/other-key.pem";
  ASSERT_EQ(make_self_signed_cert(other_cert, other_key).code, 0);
  const CommandResult mismatch = relay({"--tls-cert", cert_, "--tls-key", other_key});
  ASSERT_TRUE(mismatch.exited) << "the relay started with a key that is not the cert's: "
                               << mismatch.describe();
  EXPECT_NE(mismatch.code, 0) << mismatch.describe();
}

}  // namespace
}  // namespace hubchat::test::tls
