// Runs the real relay binary as a child process for integration tests: on a
// free loopback port, stderr captured to a file, ready once GET /healthz says
// 200. Also a tiny HTTP/1.1 client (GET, HEAD, headers, keep-alive) and a
// Prometheus text parser for /metrics.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace hubchat::test {

// The relay under test: $HUBCHAT_RELAY if set, else the path CMake compiled in.
std::string relay_binary();

// A port that was free a moment ago (bind port 0, read it, close).
std::uint16_t pick_free_port();

// Local ports of the TCP sockets process `pid` holds that are connected to
// 127.0.0.1:`remote_port` (e.g. a relay's connections to Redis, as Redis's
// CLIENT LIST shows them in `addr=`).
std::vector<std::uint16_t> local_ports_connected_to(pid_t pid, std::uint16_t remote_port);

struct HttpResponse {
  int status = 0;                              // 0: no (parsable) response
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& lower_name) const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given
};

// Sends `requests` in turn on one HTTP/1.1 connection (kept alive; the last
// says Connection: close), reading each response before the next request.
// Ends early at a response that could not be read whole (status 0). The last
// response's body is everything up to EOF when it has no length (so bytes
// after a HEAD or 304 answer show up as a body).
std::vector<HttpResponse> http_exchange(
    std::uint16_t port, const std::vector<HttpRequest>& requests,
    std::chrono::milliseconds timeout = std::chrono::seconds(5));
HttpResponse http_request(std::uint16_t port, const HttpRequest& request,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));

// `request` with `body` after it (and its Content-Length), Connection: close.
HttpResponse http_send(std::uint16_t port, const HttpRequest& request, const std::string& body,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

// GET http://127.0.0.1:port/path with Connection: close.
HttpResponse http_get(std::uint16_t port, const std::string& path,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

// The value of one series in Prometheus text, matched exactly as written
// (e.g. "hubchat_frames_out_total" or "hubchat_closes_total{reason=\"x\"}").
std::optional<double> metric(std::string_view body, std::string_view series);
// Sum over every series of metric `name`, whatever its labels (nullopt if none).
std::optional<double> metric_sum(std::string_view body, std::string_view name);
// All series lines of metric `name` (for failure messages and label checks).
std::vector<std::string> metric_lines(std::string_view body, std::string_view name);

struct ExitStatus {
  bool exited = false;  // false: still running at the deadline (then killed)
  int code = -1;        // exit code when it exited normally
  int signal = 0;       // terminating signal, if any
  std::chrono::milliseconds took{0};
  std::string describe() const;
};

// Runs `relay args...` to completion (for --help / --version); output is
// stdout and stderr together.
struct CommandResult {
  ExitStatus status;
  std::string output;
};
CommandResult run_relay_command(const std::vector<std::string>& args,
                                std::chrono::milliseconds timeout = std::chrono::seconds(5));

class RelayProcess {
 public:
  // Does not start anything; call start().
  explicit RelayProcess(std::vector<std::string> extra_args = {});
  ~RelayProcess();  // SIGKILLs the relay if it still runs; removes its temp dir
  RelayProcess(const RelayProcess&) = delete;
  RelayProcess& operator=(const RelayProcess&) = delete;

  // Starts the relay with --port N --host 127.0.0.1 + extra args and waits
  // for /healthz = 200. Retries on another port if the chosen one was taken
  // in between. False (see error()) if it never became healthy.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Starts it on `port` exactly (e.g. a second relay sharing a port with
  // --reuse-port); no retry on another port.
  bool start_on(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGKILL (a crash): no shutdown, no close frames.
  void kill_now();

  // SIGTERM, then waits for exit up to `timeout` (then SIGKILL).
  ExitStatus stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  bool running();
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  const std::string& error() const { return error_; }
  std::string stderr_text() const;  // everything the relay printed so far

  HttpResponse get(const std::string& path) const { return http_get(port_, path); }
  std::string metrics_text() const { return get("/metrics").body; }

 private:
  bool spawn(std::uint16_t port);

  std::vector<std::string> extra_args_;
  TempDir dir_{"relay"};  // holds the stderr capture
  std::string log_path_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string error_;
};

// A redis-server of its own for a test: on a free loopback port, no
// persistence unless the arguments ask for it (AOF files go to its temp dir),
// stopped by PID. Also a minimal RESP client for the test's own commands.
class RedisProcess {
 public:
  explicit RedisProcess(std::vector<std::string> extra_args = {});
  ~RedisProcess();  // SIGKILLs it if still running; removes its temp dir
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  // Starts it (on the same port as before, if it ran already) and waits
  // until it answers PING.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void kill_now();          // SIGKILL
  void pause(bool paused);  // SIGSTOP / SIGCONT: a silent server
  // Arguments for the next start() (e.g. another persistence mode).
  void set_extra_args(std::vector<std::string> args) { extra_args_ = std::move(args); }
  // Its working directory (--dir: dump.rdb, the AOF folder), kept across restarts.
  const std::string& dir() const { return dir_.path(); }
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  const std::string& error() const { return error_; }
  // Runs one command; the reply flattened to text (bulk strings and
  // integers as they are, array elements one per line, errors with "-").
  std::string command(const std::vector<std::string>& args);

 private:
  std::vector<std::string> extra_args_;
  TempDir dir_{"redis"};
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string error_;
};

}  // namespace hubchat::test
