// Child-process control for the relay under test, plus the HTTP/metrics
// helpers. See relay_process.hpp.
#include "tests/support/relay_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "tests/support/child_log.hpp"
#include "tests/support/http_text.hpp"
#include "tests/support/ws_test_client.hpp"

#ifndef HUBCHAT_RELAY_PATH
#define HUBCHAT_RELAY_PATH ""
#endif

namespace hubchat::test {
namespace {

using namespace std::chrono_literals;

// waitpid has no timeout; a short poll interval keeps exit timing (the
// "exits within 1 s" check) accurate to a few milliseconds.
constexpr auto kExitPollInterval = 2ms;

ExitStatus wait_pid(pid_t pid, Clock::time_point start, Clock::time_point deadline) {
  ExitStatus st;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      st.exited = true;
      st.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      if (WIFEXITED(status)) st.code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) st.signal = WTERMSIG(status);
      return st;
    }
    if (r < 0 && errno != EINTR) return st;  // not our child any more
    if (Clock::now() >= deadline) {
      st.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      return st;
    }
    std::this_thread::sleep_for(kExitPollInterval);
  }
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

// Decodes a chunked transfer-encoded body; returns false if incomplete.
bool dechunk(std::string_view in, std::string& out) {
  out.clear();
  for (;;) {
    std::size_t eol = in.find("\r\n");
    if (eol == std::string_view::npos) return false;
    std::size_t size = std::strtoul(std::string(in.substr(0, eol)).c_str(), nullptr, 16);
    in.remove_prefix(eol + 2);
    if (size == 0) return true;
    if (in.size() < size + 2) return false;
    out.append(in.substr(0, size));
    in.remove_prefix(size + 2);
  }
}

// Parses one metrics line "name{labels} value [timestamp]".
bool split_series(std::string_view line, std::string_view& series, double& value) {
  line = trim(line);
  if (line.empty() || line[0] == '#') return false;
  // Label values may contain spaces; the series ends after the closing brace.
  std::size_t end = line.find('{');
  std::size_t space;
  if (end != std::string_view::npos && end < line.find(' ')) {
    std::size_t close = line.find('}', end);
    if (close == std::string_view::npos) return false;
    space = line.find(' ', close);
  } else {
    space = line.find(' ');
  }
  if (space == std::string_view::npos) return false;
  series = line.substr(0, space);
  std::string rest(trim(line.substr(space + 1)));
  char* endp = nullptr;
  value = std::strtod(rest.c_str(), &endp);
  return endp != rest.c_str();
}

}  // namespace

std::string relay_binary() {
  if (const char* env = std::getenv("HUBCHAT_RELAY"); env && *env) return env;
  return HUBCHAT_RELAY_PATH;
}

namespace {

bool port_is_free(std::uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

// The kernel's ephemeral range (bind to port 0, outgoing connections).
std::pair<int, int> ephemeral_range() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768, high = 60999;
  in >> low >> high;
  return {low, high};
}

// One row of /proc/net/tcp{,6}: addresses as "HEXADDR:HEXPORT", state in hex.
struct TcpRow {
  std::string local, remote, state;
  unsigned long inode = 0;
};

std::vector<TcpRow> tcp_rows(std::initializer_list<const char*> tables) {
  std::vector<TcpRow> out;
  for (const char* table : tables) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, queues, timer, retr, uid, timeout;
      TcpRow row;
      fields >> slot >> row.local >> row.remote >> row.state >> queues >> timer >> retr >> uid >>
          timeout >> row.inode;
      out.push_back(std::move(row));
    }
  }
  return out;
}

bool has_port(const std::string& address, std::uint16_t port) {
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, ":%04X", port);
  return address.size() > 5 && address.compare(address.size() - 5, 5, suffix) == 0;
}

// Inodes of the sockets listening on `port`, IPv4 or IPv6, any address (lws
// may listen on an AF_INET6 socket even for an IPv4 host).
std::vector<unsigned long> listener_inodes(std::uint16_t port) {
  std::vector<unsigned long> out;
  for (const TcpRow& row : tcp_rows({"/proc/net/tcp", "/proc/net/tcp6"}))
    if (row.state == "0A" && has_port(row.local, port)) out.push_back(row.inode);
  return out;
}

// Does process `pid` hold one of the sockets listening on `port`?
bool process_listens_on(pid_t pid, std::uint16_t port) {
  const std::vector<unsigned long> inodes = listener_inodes(port);
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code link_ec;
    const std::string target = std::filesystem::read_symlink(entry.path(), link_ec).string();
    for (unsigned long inode : inodes)
      if (target == "socket:[" + std::to_string(inode) + "]") return true;
  }
  return false;
}

// Socket inodes of process `pid` (its /proc fd links "socket:[N]").
std::vector<unsigned long> socket_inodes(pid_t pid) {
  std::vector<unsigned long> out;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code link_ec;
    const std::string target = std::filesystem::read_symlink(entry.path(), link_ec).string();
    if (target.rfind("socket:[", 0) == 0) out.push_back(std::stoul(target.substr(8)));
  }
  return out;
}

}  // namespace

std::vector<std::uint16_t> local_ports_connected_to(pid_t pid, std::uint16_t remote_port) {
  const std::vector<unsigned long> inodes = socket_inodes(pid);
  std::vector<std::uint16_t> out;
  // The relays reach Redis over IPv4 loopback; state 01 is ESTABLISHED.
  for (const TcpRow& row : tcp_rows({"/proc/net/tcp"})) {
    if (row.state != "01" || !has_port(row.remote, remote_port) || row.local.size() <= 5) continue;
    if (std::find(inodes.begin(), inodes.end(), row.inode) == inodes.end()) continue;
    out.push_back(static_cast<std::uint16_t>(
        std::stoul(row.local.substr(row.local.size() - 4), nullptr, 16)));
  }
  return out;
}

std::uint16_t pick_free_port() {
  // Below the ephemeral range: there no client socket's local port and no
  // other test's bind(0) can land on the port between this probe and the
  // relay's bind. Random, because tests run in parallel processes.
  const auto [low, high] = ephemeral_range();
  (void)high;
  if (low > 10000 + 100) {
    std::random_device rd;
    std::uniform_int_distribution<int> pick(10000, low - 1);
    for (int i = 0; i < 100; ++i) {
      const auto port = static_cast<std::uint16_t>(pick(rd));
      if (port_is_free(port)) return port;
    }
  }
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 0;
  socklen_t len = sizeof addr;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  return ntohs(addr.sin_port);
}

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

// Reads from `fd` into `raw` until `done(raw)` or EOF (false) or the deadline
// (false).
template <typename Done>
bool read_until(int fd, std::string& raw, Deadline deadline, Done&& done) {
  char buf[16384];
  for (;;) {
    if (done(raw)) return true;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      raw.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0) return false;
  }
}

// One response from `raw` (bytes already read, then `fd`), which is left
// holding what follows it. `last`: the server closes after it, so whatever
// comes after its headers until EOF is its body if it has no framing, and
// any byte after a bodiless one (HEAD, 304) is kept as body too (so a test
// can see there is none).
HttpResponse read_response(int fd, std::string& raw, const std::string& method, bool last,
                           Deadline deadline) {
  HttpResponse response;
  std::size_t head_end = std::string::npos;
  if (!read_until(fd, raw, deadline, [&](const std::string& r) {
        return (head_end = r.find("\r\n\r\n")) != std::string::npos;
      }))
    return response;
  {
    std::istringstream head(raw.substr(0, head_end));
    std::string line;
    std::getline(head, line);
    if (line.size() < 12 || !starts_with(line, "HTTP/")) return response;
    response.status = std::atoi(line.substr(9, 3).c_str());
    while (std::getline(head, line)) {
      std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      response.headers[lower(trim(std::string_view(line).substr(0, colon)))] =
          std::string(trim(std::string_view(line).substr(colon + 1)));
    }
  }
  raw.erase(0, head_end + 4);
  const bool bodiless = method == "HEAD" || response.status == 304 || response.status == 204 ||
                        response.status / 100 == 1;
  auto to_eof = [&] {
    read_until(fd, raw, deadline, [](const std::string&) { return false; });
    response.body = std::move(raw);
    raw.clear();
  };
  if (bodiless) {
    if (last) to_eof();
    return response;
  }
  if (lower(response.header("transfer-encoding")) == "chunked") {
    // Only ever the last response of an exchange here: its end is the stream's.
    if (!read_until(fd, raw, deadline,
                    [&](const std::string& r) { return dechunk(r, response.body); }))
      dechunk(raw, response.body);
    raw.clear();
    return response;
  }
  if (const std::string cl = response.header("content-length"); !cl.empty()) {
    const std::size_t n = std::strtoul(cl.c_str(), nullptr, 10);
    if (!read_until(fd, raw, deadline, [n](const std::string& r) { return r.size() >= n; })) {
      response.status = 0;  // cut short, or timed out mid-response
      return response;
    }
    response.body = raw.substr(0, n);
    raw.erase(0, n);
    return response;
  }
  to_eof();  // no framing: the body runs to the end of the stream
  return response;
}

// http_exchange, with `bodies[i]` (if given) sent after request i with its
// Content-Length.
std::vector<HttpResponse> exchange(std::uint16_t port, const std::vector<HttpRequest>& requests,
                                   const std::vector<std::string>* bodies,
                                   std::chrono::milliseconds timeout) {
  std::vector<HttpResponse> responses;
  const Deadline deadline = deadline_in(timeout);
  UniqueFd fd = connect_tcp(port);
  if (!fd.valid()) return responses;
  std::string raw;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const HttpRequest& r = requests[i];
    const bool last = i + 1 == requests.size();
    std::string request =
        r.method + " " + r.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
    for (const auto& [name, value] : r.headers) request += name + ": " + value + "\r\n";
    const std::string* body = bodies && i < bodies->size() ? &(*bodies)[i] : nullptr;
    if (body) request += "Content-Length: " + std::to_string(body->size()) + "\r\n";
    request += last ? "Connection: close\r\n\r\n" : "\r\n";
    if (body) request += *body;
    if (!write_all(fd.get(), request, deadline)) break;
    responses.push_back(read_response(fd.get(), raw, r.method, last, deadline));
    if (responses.back().status == 0) break;
  }
  return responses;
}

}  // namespace

std::vector<HttpResponse> http_exchange(std::uint16_t port,
                                        const std::vector<HttpRequest>& requests,
                                        std::chrono::milliseconds timeout) {
  return exchange(port, requests, nullptr, timeout);
}

HttpResponse http_send(std::uint16_t port, const HttpRequest& request, const std::string& body,
                       std::chrono::milliseconds timeout) {
  const std::vector<std::string> bodies{body};
  auto responses = exchange(port, {request}, &bodies, timeout);
  return responses.empty() ? HttpResponse{} : std::move(responses.front());
}

HttpResponse http_request(std::uint16_t port, const HttpRequest& request,
                          std::chrono::milliseconds timeout) {
  std::vector<HttpResponse> responses = http_exchange(port, {request}, timeout);
  return responses.empty() ? HttpResponse{} : std::move(responses.front());
}

HttpResponse http_get(std::uint16_t port, const std::string& path,
                      std::chrono::milliseconds timeout) {
  return http_request(port, {"GET", path, {}}, timeout);
}

std::optional<double> metric(std::string_view body, std::string_view series) {
  std::istringstream in{std::string(body)};
  std::string line;
  while (std::getline(in, line)) {
    std::string_view s;
    double v;
    if (split_series(line, s, v) && s == series) return v;
  }
  return std::nullopt;
}

namespace {

// Calls `on(line, value)` for each series of `body` named `name`, with or
// without labels.
template <class On>
void for_each_series(std::string_view body, std::string_view name, On on) {
  std::istringstream in{std::string(body)};
  std::string line;
  while (std::getline(in, line)) {
    std::string_view s;
    double v;
    if (!split_series(line, s, v)) continue;
    if (s == name || (starts_with(s, name) && s.size() > name.size() && s[name.size()] == '{'))
      on(line, v);
  }
}

}  // namespace

std::optional<double> metric_sum(std::string_view body, std::string_view name) {
  std::optional<double> sum;
  for_each_series(body, name, [&](const std::string&, double v) { sum = sum.value_or(0) + v; });
  return sum;
}

std::vector<std::string> metric_lines(std::string_view body, std::string_view name) {
  std::vector<std::string> out;
  for_each_series(body, name, [&](const std::string& line, double) { out.push_back(line); });
  return out;
}

std::string ExitStatus::describe() const {
  if (!exited) return "still running after " + std::to_string(took.count()) + " ms";
  if (signal) return "killed by signal " + std::to_string(signal);
  return "exit code " + std::to_string(code) + " after " + std::to_string(took.count()) + " ms";
}

CommandResult run_relay_command(const std::vector<std::string>& args,
                                std::chrono::milliseconds timeout) {
  CommandResult result;
  const TempDir dir("relay");
  const std::string log = dir.path() + "/output.txt";
  std::vector<std::string> argv{relay_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto start = Clock::now();
  pid_t pid = spawn_logged(argv, log);
  if (pid < 0) {
    result.output = "cannot spawn " + argv[0];
  } else {
    result.status = wait_pid(pid, start, start + timeout);
    if (!result.status.exited) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    result.output = read_log(log);
  }
  return result;
}

RelayProcess::RelayProcess(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)) {}

RelayProcess::~RelayProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

bool RelayProcess::spawn(std::uint16_t port) {
  std::vector<std::string> argv{relay_binary(), "--port", std::to_string(port), "--host",
                                "127.0.0.1"};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  pid_ = spawn_logged(argv, log_path_);
  port_ = port;
  return pid_ > 0;
}

bool RelayProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

bool RelayProcess::start(std::chrono::milliseconds timeout) {
  if (relay_binary().empty() || ::access(relay_binary().c_str(), X_OK) != 0) {
    error_ = "relay binary not found or not executable: '" + relay_binary() + "'";
    return false;
  }
  if (log_path_.empty()) log_path_ = dir_.path() + "/relay.stderr";
  const Deadline deadline = deadline_in(timeout);
  // The free port can be taken between our probe and the relay's bind (other
  // tests run in parallel), so a relay that exits at once is retried.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::uint16_t port = pick_free_port();
    if (port == 0 || !spawn(port)) {
      error_ = "cannot pick a port or spawn the relay";
      return false;
    }
    while (Clock::now() < deadline) {
      if (!running()) break;  // exited: maybe the port was taken
      // A 200 proves only that *a* relay listens there: if another test's
      // relay won the port, ours is about to fail its bind. So the listening
      // socket must also be one of our child's.
      if (http_get(port_, "/healthz", std::chrono::milliseconds(500)).status == 200 &&
          process_listens_on(pid_, port_))
        return true;
      // Not listening yet: connect() was refused at once, so wait a little.
      std::this_thread::sleep_for(10ms);
    }
    if (running()) break;  // alive but never healthy: do not retry
  }
  error_ = "relay did not become healthy; stderr:\n" + stderr_text();
  return false;
}

ExitStatus RelayProcess::stop(std::chrono::milliseconds timeout) {
  ExitStatus st;
  if (pid_ <= 0) return st;
  const auto start = Clock::now();
  ::kill(pid_, SIGTERM);
  st = wait_pid(pid_, start, start + timeout);
  if (!st.exited) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return st;
}

std::string RelayProcess::stderr_text() const {
  return log_path_.empty() ? "" : read_log(log_path_);
}

}  // namespace hubchat::test

namespace hubchat::test {

bool RelayProcess::start_on(std::uint16_t port, std::chrono::milliseconds timeout) {
  if (log_path_.empty()) log_path_ = dir_.path() + "/relay.stderr";
  if (!spawn(port)) {
    error_ = "cannot spawn the relay";
    return false;
  }
  const Deadline deadline = deadline_in(timeout);
  while (Clock::now() < deadline && running()) {
    if (process_listens_on(pid_, port_)) return true;
    std::this_thread::sleep_for(10ms);
  }
  error_ = "relay did not listen on port " + std::to_string(port) + "; stderr:\n" + stderr_text();
  return false;
}

void RelayProcess::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

RedisProcess::RedisProcess(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)) {}

RedisProcess::~RedisProcess() {
  kill_now();
}

void RedisProcess::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGCONT);
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void RedisProcess::pause(bool paused) {
  if (pid_ > 0) ::kill(pid_, paused ? SIGSTOP : SIGCONT);
}

namespace {

// Reads one RESP reply from `fd` into `out`; false on error or timeout.
bool read_resp(int fd, std::string& buffer, std::string& out, Deadline deadline);

bool fill(int fd, std::string& buffer, Deadline deadline) {
  pollfd p{fd, POLLIN, 0};
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[4096];
  const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
  if (n <= 0) return false;
  buffer.append(chunk, static_cast<std::size_t>(n));
  return true;
}

bool read_line(int fd, std::string& buffer, std::string& line, Deadline deadline) {
  for (;;) {
    const auto end = buffer.find("\r\n");
    if (end != std::string::npos) {
      line = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      return true;
    }
    if (!fill(fd, buffer, deadline)) return false;
  }
}

bool read_resp(int fd, std::string& buffer, std::string& out, Deadline deadline) {
  std::string line;
  if (!read_line(fd, buffer, line, deadline) || line.empty()) return false;
  const char kind = line[0];
  const std::string rest = line.substr(1);
  if (kind == '+' || kind == ':') {
    out += rest;
  } else if (kind == '-') {
    out += "-" + rest;
  } else if (kind == '$') {
    const long size = std::stol(rest);
    if (size < 0) return true;  // nil
    while (buffer.size() < static_cast<std::size_t>(size) + 2)
      if (!fill(fd, buffer, deadline)) return false;
    out += buffer.substr(0, static_cast<std::size_t>(size));
    buffer.erase(0, static_cast<std::size_t>(size) + 2);
  } else if (kind == '*') {
    const long count = std::stol(rest);
    for (long i = 0; i < count; ++i) {
      if (i > 0) out += "\n";
      if (!read_resp(fd, buffer, out, deadline)) return false;
    }
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::string RedisProcess::command(const std::vector<std::string>& args) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "-socket";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port_);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out = "-connect";
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    std::string request = "*" + std::to_string(args.size()) + "\r\n";
    for (const std::string& arg : args)
      request += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
    const Deadline deadline = deadline_in(std::chrono::seconds(5));
    std::string buffer;
    out.clear();
    if (!write_all(fd, request, deadline) || !read_resp(fd, buffer, out, deadline)) out = "-io";
  }
  ::close(fd);
  return out;
}

bool RedisProcess::start(std::chrono::milliseconds timeout) {
  const Deadline deadline = deadline_in(timeout);
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (port_ == 0 || attempt > 0) port_ = pick_free_port();
    // Debian's redis-server package; $HUBCHAT_REDIS_SERVER overrides it.
    const char* binary = std::getenv("HUBCHAT_REDIS_SERVER");
    std::vector<std::string> argv{binary && *binary ? binary : "/usr/bin/redis-server",
                                  "--port",
                                  std::to_string(port_),
                                  "--bind",
                                  "127.0.0.1",
                                  "--save",
                                  "",
                                  "--appendonly",
                                  "no",
                                  "--dir",
                                  dir_.path()};
    argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
    pid_ = spawn_logged(argv, dir_.path() + "/redis.log");
    if (pid_ <= 0) break;
    while (Clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;  // exited: the port was probably taken
      }
      if (command({"PING"}) == "PONG") return true;
      std::this_thread::sleep_for(10ms);
    }
    if (pid_ > 0) break;
  }
  std::ifstream log(dir_.path() + "/redis.log");
  std::stringstream text;
  text << log.rdbuf();
  error_ = "redis-server did not start: " + text.str();
  return false;
}

}  // namespace hubchat::test
