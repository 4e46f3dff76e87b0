// Helpers for the relay's TLS tests: a child-process runner with a
// deadline (for openssl/curl/relay), an HTTPS GET on OpenSSL, and a relay
// child started with --tls-cert/--tls-key. The shared harness
// (tests/support/relay_process.hpp) probes /healthz over plain HTTP, which a
// TLS-only port never answers, so TLS readiness is probed here instead.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace hubchat::test::tls {

struct CommandResult {
  bool exited = false;  // false: killed at the deadline
  int code = -1;        // exit code (or 128 + signal)
  std::string output;   // stdout and stderr together
  std::string describe() const;
};

// Runs argv[0] (searched in PATH) to completion or until `timeout`, then
// SIGKILLs it. The child dies with the test process (PR_SET_PDEATHSIG).
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Writes a fresh self-signed RSA-2048 certificate for CN=localhost with
// subjectAltName DNS:localhost and IP:127.0.0.1, valid one day.
CommandResult make_self_signed_cert(const std::string& cert_path, const std::string& key_path);

// A private certificate authority made for one test: its certificate (what a
// client is told to trust) and a server certificate + key it signed for
// CN=localhost, subjectAltName DNS:localhost and IP:127.0.0.1, all valid one
// day, written into `dir`. Neither is in any system trust store.
struct PrivateCa {
  std::string ca_cert;      // dir/ca.pem
  std::string server_cert;  // dir/server.pem
  std::string server_key;   // dir/server-key.pem
};
// `result` says what failed, if anything.
PrivateCa make_private_ca(const std::string& dir, CommandResult& result);

struct HttpsResponse {
  int status = 0;     // 0: no parsable response (see error)
  std::string body;   // as received (Content-Length honoured)
  std::string alpn;   // protocol the server selected ("" when none)
  std::string error;  // what failed, for assertion messages
};

// GET https://127.0.0.1:port/path over HTTP/1.1 (ALPN offers only
// "http/1.1"). The certificate is not verified here: verification is tested
// separately with curl --cacert and the client's native transport.
HttpsResponse https_get(std::uint16_t port, const std::string& path,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5));

// The relay with TLS, as a child process on a free loopback port.
class TlsRelay {
 public:
  TlsRelay() = default;
  ~TlsRelay();  // SIGKILLs a relay still running
  TlsRelay(const TlsRelay&) = delete;
  TlsRelay& operator=(const TlsRelay&) = delete;

  // Starts `relay --port N --host 127.0.0.1 args...` and waits until
  // https://127.0.0.1:N/healthz answers 200. False (see error()) otherwise.
  bool start(const std::vector<std::string>& args, const std::string& log_path,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGTERM and wait (then SIGKILL); true if it exited with code 0 in time.
  bool stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  std::uint16_t port() const { return port_; }
  const std::string& error() const { return error_; }
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string log_path_;
  std::string error_;
};

}  // namespace hubchat::test::tls
