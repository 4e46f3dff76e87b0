// TLS test helpers: process runner, certificate generation, HTTPS GET on
// OpenSSL, relay child with TLS. See tls_support.hpp.
#include "tests/tls/tls_support.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "tests/support/child_log.hpp"
#include "tests/support/relay_process.hpp"
#include "tests/support/ws_test_client.hpp"

namespace hubchat::test::tls {
namespace {

using namespace std::chrono_literals;

// waitpid has no timeout: poll it until the deadline. True if it exited
// (status in *status); false if still running at the deadline.
bool wait_exit(pid_t pid, Deadline deadline, int* status) {
  for (;;) {
    const pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return true;  // not our child any more
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// Waits for the socket to become ready for what OpenSSL asked (`ssl_error`
// is SSL_ERROR_WANT_READ or _WANT_WRITE). False at the deadline.
bool wait_ssl(int fd, int ssl_error, Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, static_cast<short>(ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
  return ::poll(&p, 1, static_cast<int>(left.count()) + 1) > 0;
}

std::string ssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace

std::string CommandResult::describe() const {
  std::string out = exited ? "exit code " + std::to_string(code) : std::string("timed out");
  return out + "; output:\n" + output;
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  CommandResult result;
  TempDir dir("tls");
  if (!dir.valid()) {
    result.output = "cannot create a temp dir";
    return result;
  }
  const std::string log = dir.path() + "/output.txt";
  const Deadline deadline = deadline_in(timeout);
  const pid_t pid = spawn_logged(argv, log);
  if (pid < 0) {
    result.output = "cannot spawn " + argv.at(0);
    return result;
  }
  int status = 0;
  result.exited = wait_exit(pid, deadline, &status);
  if (!result.exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  } else {
    result.code = exit_code(status);
  }
  result.output = read_log(log);
  return result;
}

CommandResult make_self_signed_cert(const std::string& cert_path, const std::string& key_path) {
  return run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                      "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                      "-days", "1", "-keyout", key_path, "-out", cert_path});
}

PrivateCa make_private_ca(const std::string& dir, CommandResult& result) {
  PrivateCa ca{dir + "/ca.pem", dir + "/server.pem", dir + "/server-key.pem"};
  const std::string ca_key = dir + "/ca-key.pem";
  const std::string csr = dir + "/server.csr";
  const std::string ext = dir + "/server-ext.cnf";
  std::ofstream(ext) << "basicConstraints = CA:FALSE\n"
                        "extendedKeyUsage = serverAuth\n"
                        "subjectAltName = DNS:localhost, IP:127.0.0.1\n";
  const std::vector<std::vector<std::string>> steps = {
      {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=hubchat test CA",
       "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
       "keyUsage=critical,keyCertSign,cRLSign", "-days", "1", "-keyout", ca_key, "-out",
       ca.ca_cert},
      {"openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
       "-keyout", ca.server_key, "-out", csr},
      {"openssl", "x509", "-req", "-in", csr, "-CA", ca.ca_cert, "-CAkey", ca_key,
       "-CAcreateserial", "-days", "1", "-extfile", ext, "-out", ca.server_cert},
  };
  for (const auto& step : steps) {
    result = run_command(step);
    if (!result.exited || result.code != 0) return ca;
  }
  return ca;
}

HttpsResponse https_get(std::uint16_t port, const std::string& path,
                        std::chrono::milliseconds timeout) {
  HttpsResponse response;
  const Deadline deadline = deadline_in(timeout);
  UniqueFd fd = connect_tcp(port);  // non-blocking once connected
  if (!fd.valid()) {
    response.error = "TCP connect failed";
    return response;
  }
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) {
    response.error = "SSL_CTX_new: " + ssl_errors();
    return response;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  // Wire format: length-prefixed protocol names. Only HTTP/1.1: this helper
  // speaks nothing else.
  static const unsigned char kAlpn[] = "\x08http/1.1";
  SSL_CTX_set_alpn_protos(ctx.get(), kAlpn, sizeof kAlpn - 1);
  std::unique_ptr<SSL, SslDeleter> ssl(SSL_new(ctx.get()));
  if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1) {
    response.error = "SSL_new/SSL_set_fd: " + ssl_errors();
    return response;
  }
  for (;;) {
    const int r = SSL_connect(ssl.get());
    if (r == 1) break;
    const int err = SSL_get_error(ssl.get(), r);
    if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) ||
        !wait_ssl(fd.get(), err, deadline)) {
      response.error = "TLS handshake failed: " + ssl_errors();
      return response;
    }
  }
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(ssl.get(), &alpn, &alpn_len);
  if (alpn) response.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);

  const std::string request = "GET " + path +
                              " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              "\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    const int r =
        SSL_write(ssl.get(), request.data() + sent, static_cast<int>(request.size() - sent));
    if (r > 0) {
      sent += static_cast<std::size_t>(r);
      continue;
    }
    const int err = SSL_get_error(ssl.get(), r);
    if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) ||
        !wait_ssl(fd.get(), err, deadline)) {
      response.error = "TLS write failed: " + ssl_errors();
      return response;
    }
  }

  // Read until the head and Content-Length bytes of body are in (the relay
  // may keep the connection open despite "Connection: close"), or EOF.
  std::string raw;
  char buf[16384];
  for (;;) {
    const std::size_t head_end = raw.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      if (response.status == 0 && raw.size() >= 12 && raw.compare(0, 5, "HTTP/") == 0)
        response.status = std::atoi(raw.substr(9, 3).c_str());
      std::string head = raw.substr(0, head_end);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const std::size_t cl = head.find("\r\ncontent-length:");
      if (cl != std::string::npos) {
        const std::size_t n = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
        if (raw.size() - head_end - 4 >= n) {
          response.body = raw.substr(head_end + 4, n);
          return response;
        }
      }
    }
    const int r = SSL_read(ssl.get(), buf, sizeof buf);
    if (r > 0) {
      raw.append(buf, static_cast<std::size_t>(r));
      continue;
    }
    const int err = SSL_get_error(ssl.get(), r);
    if (err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL) break;  // EOF
    if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) ||
        !wait_ssl(fd.get(), err, deadline)) {
      response.error = "TLS read failed or timed out after " + std::to_string(raw.size()) +
                       " bytes: " + ssl_errors();
      response.status = 0;
      return response;
    }
  }
  const std::size_t head_end = raw.find("\r\n\r\n");
  if (head_end != std::string::npos)
    response.body = raw.substr(head_end + 4);
  else
    response.error = "connection closed before a complete response head";
  return response;
}

TlsRelay::~TlsRelay() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

bool TlsRelay::start(const std::vector<std::string>& args, const std::string& log_path,
                     std::chrono::milliseconds timeout) {
  log_path_ = log_path;
  const Deadline deadline = deadline_in(timeout);
  // A port picked free can be taken before the relay binds it (tests run in
  // parallel): a relay that exits at once is retried on another port.
  for (int attempt = 0; attempt < 3 && Clock::now() < deadline; ++attempt) {
    port_ = pick_free_port();
    std::vector<std::string> argv{relay_binary(), "--port", std::to_string(port_), "--host",
                                  "127.0.0.1"};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = spawn_logged(argv, log_path_);
    if (pid_ < 0) {
      error_ = "cannot spawn " + argv[0];
      return false;
    }
    for (;;) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;  // exited: maybe the port was taken; retry
      }
      if (https_get(port_, "/healthz", 500ms).status == 200) return true;
      if (Clock::now() >= deadline) {
        error_ = "relay did not answer https /healthz in time; log:\n" + log();
        return false;
      }
      std::this_thread::sleep_for(20ms);  // not listening yet: connect was refused at once
    }
  }
  error_ = "relay exited before it was healthy; log:\n" + log();
  return false;
}

bool TlsRelay::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return false;
  ::kill(pid_, SIGTERM);
  int status = 0;
  const bool exited = wait_exit(pid_, deadline_in(timeout), &status);
  if (!exited) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return exited && exit_code(status) == 0;
}

std::string TlsRelay::log() const {
  return log_path_.empty() ? "" : read_log(log_path_);
}

}  // namespace hubchat::test::tls
