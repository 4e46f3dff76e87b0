#include "relay/transport/server.hpp"

#include <libwebsockets.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <algorithm>

#include <chrono>
#include <cstdio>
#include <new>

#include "relay/broker/redis_broker.hpp"
#include "relay/broker/sharded_broker.hpp"
#include "relay/http/http_routes.hpp"
#include "relay/ops/version.hpp"
#include "relay/transport/client_address.hpp"
#include "shared/lossless_codec.hpp"
#include "shared/names.hpp"

namespace hubchat::relay {
namespace {

enum ProtocolId : unsigned { kHttpAndLegacy = 0, kLossless = 1 };

// lws hands us zeroed per-session memory; the Session lives in it from
// ESTABLISHED to CLOSED (HTTP-only connections never construct one).
struct SessionSlot {
  alignas(Session) unsigned char storage[sizeof(Session)];
  bool live;

  Session* get() { return live ? std::launder(reinterpret_cast<Session*>(storage)) : nullptr; }
  Session& construct() {
    live = true;
    return *new (storage) Session();
  }
  void destroy() {
    if (!live) return;
    get()->~Session();
    live = false;
  }
};

// lws 4.1 allocates this much per WebSocket connection (its frame payload
// buffer) and reads at most this many bytes (+ LWS_PRE) per recv(). It is a
// large part of what an idle connection costs (4096 B: ~5.7 kB per connection,
// 128 B: ~1.8 kB), so it is small: a busy sender is drained over a few loop
// turns instead, and longer messages arrive in pieces that read_pump
// reassembles in Session::inbox.
constexpr std::size_t kRxBufferSize = 128;

// Bytes lws may hold for all headers of one request (its default, set
// explicitly so origin_allowed() can rely on it). A request whose headers do
// not fit is refused by lws before any callback sees it.
constexpr int kMaxHttpHeaderData = 4096;

std::uint64_t epoch_now_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::int64_t unix_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// A token is longer than a nick or room: the whole request line fits lws's
// header table, so a buffer of that size reads any ?token= there is.
std::string url_token(lws* wsi) {
  std::string buffer(static_cast<std::size_t>(kMaxHttpHeaderData), '\0');
  const char* value = lws_get_urlarg_by_name(wsi, "token=", buffer.data(), kMaxHttpHeaderData);
  return value ? std::string(value) : std::string();
}

std::unique_ptr<TokenVerifier> make_verifier(const Options& options) {
  if (options.auth_key_file.empty()) return nullptr;
  std::string error;
  std::optional<AuthKey> key = load_auth_key(options.auth_key_file, KeyUse::verify, error);
  if (!key) return nullptr;  // parse_options checked it already
  return std::make_unique<TokenVerifier>(std::move(*key), options.max_nick_bytes,
                                         options.max_room_bytes);
}

std::optional<std::string> load_api_key_if_set(const Options& options) {
  if (options.api_key_file.empty()) return std::nullopt;
  std::string error;
  return load_api_key(options.api_key_file, error);  // parse_options checked it already
}

std::string url_arg(lws* wsi, const char* name) {
  char buffer[256];
  const char* value = lws_get_urlarg_by_name(wsi, name, buffer, sizeof buffer);
  return value ? std::string(value) : std::string();
}

// Security headers on every HTTP response (lws adds a vhost's headers to
// every status line it writes). The Content-Security-Policy is not among
// them: it depends on the file (static_files.cpp); the relay's own responses
// add the strict one (http_routes.cpp). lws's fixed error pages (e.g. 400 for
// a malformed request) carry no CSP: they hold no script and nothing from
// the request.
const lws_protocol_vhost_options kReferrer = {nullptr, nullptr, "referrer-policy:", "no-referrer"};
const lws_protocol_vhost_options kFrame = {&kReferrer, nullptr, "x-frame-options:", "deny"};
const lws_protocol_vhost_options kSecurityHeaders = {&kFrame, nullptr,
                                                     "x-content-type-options:", "nosniff"};

std::unique_ptr<Broker> make_broker(EventLoop& loop, const Options& options, const Log& log) {
  // One Redis: its broker. Several: one broker per server, rooms sharded
  // over them (each with its own connections, probe and reconnect).
  std::vector<std::unique_ptr<Broker>> shards;
  for (const std::string& url : options.redis_urls) {
    RedisAddress address;
    if (!parse_redis_url(url, address)) return nullptr;
    // Moderation state lives on the first (docs/redis.md, "Moderation").
    const bool moderation_home = shards.empty();
    shards.push_back(
        std::make_unique<RedisBroker>(loop, options, log, std::move(address), moderation_home));
  }
  if (shards.size() <= 1) return shards.empty() ? nullptr : std::move(shards.front());
  return std::make_unique<ShardedBroker>(std::move(shards));
}

}  // namespace

void Server::ContextDeleter::operator()(lws_context* context) const {
  lws_context_destroy(context);
}

Server::Server(const Options& options)
    : options_(options),
      flush_timer_(loop_, [this] { hub_.flush(); }),
      next_turn_(loop_, [this] { hub_.end_of_turn(); }),
      presence_timer_(loop_, [this] { hub_.flush_presence(); }),
      lws_timer_kick_(loop_, [this] { lws_cancel_service(context_.get()); }),
      shutdown_timer_(
          loop_,
          [this] {
            if (metrics_.connections == 0 || std::chrono::steady_clock::now() >= shutdown_deadline_)
              loop_.stop();
          }),
      expiry_timer_(loop_, [this] { access_.expire(hub_, unix_seconds()); }),
      log_(options.log_level),
      broker_(make_broker(loop_, options, log_)),
      hub_(options, metrics_, *this, epoch_now_ms(), broker_.get()),
      access_(options, make_verifier(options)),
      api_(options, hub_, log_, load_api_key_if_set(options)),
      batcher_(options.max_frame_bytes, LWS_PRE),
      pumps_{options, hub_, metrics_, batcher_, false, &access_} {
  static_assert(std::string_view(lossless::kSubprotocol) == "hubchat.v1");

  // tx_packet_size 0 would cap every send() at kRxBufferSize and make lws copy
  // the rest of each frame aside and send it over later loop turns; this way a
  // batch frame (+ its header) goes out in one send().
  const std::size_t tx_packet_size = options.max_frame_bytes + 16;
  protocols_ = {{
      // No subprotocol: HTTP, and WebSocket upgrades in the legacy dialect.
      {"http", &Server::callback_c, sizeof(SessionSlot), kRxBufferSize, kHttpAndLegacy, nullptr,
       tx_packet_size},
      {"hubchat.v1", &Server::callback_c, sizeof(SessionSlot), kRxBufferSize, kLossless, nullptr,
       tx_packet_size},
      {nullptr, nullptr, 0, 0, 0, nullptr, 0},
  }};

  // One mount: every path goes to our LWS_CALLBACK_HTTP, which answers
  // /healthz and /metrics and serves --web-root (static_files.hpp says why
  // not through lws's file mount). WebSocket upgrades are taken by lws
  // before mounts are looked at.
  mount_ = {};
  mount_.mountpoint = "/";
  mount_.mountpoint_len = 1;
  mount_.origin = "http";  // the protocol whose callback answers
  mount_.origin_protocol = LWSMPRO_CALLBACK;
  if (!options.web_root.empty()) web_root_.emplace(options.web_root, options.web_root_csp);

  retry_ = {};
  retry_.secs_since_valid_ping = static_cast<std::uint16_t>(options.ping_interval_s);
  retry_.secs_since_valid_hangup = static_cast<std::uint16_t>(options.pong_timeout_s);

  lws_context_creation_info info{};
  info.port = options.port;
  info.iface = options.host.empty() ? nullptr : options.host.c_str();
  // An IPv4 address must not be widened to the IPv6 wildcard socket.
  if (!options.host.empty() && options.host.find(':') == std::string::npos &&
      options.host.find_first_not_of("0123456789.") == std::string::npos)
    info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
  info.protocols = protocols_.data();
  info.mounts = &mount_;
  info.user = this;
  info.retry_and_idle_policy = &retry_;
  info.headers = &kSecurityHeaders;
  info.max_http_header_data = kMaxHttpHeaderData;
  // Bounds how long a connection may sit in the HTTP/WebSocket handshake (slowloris).
  info.timeout_secs = options.handshake_timeout_s;
  info.timeout_secs_ah_idle = options.handshake_timeout_s;  // headers trickling in
  info.keepalive_timeout = static_cast<int>(options.handshake_timeout_s);
  if (!options.tls_cert.empty()) {
    info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.ssl_cert_filepath = options.tls_cert.c_str();
    info.ssl_private_key_filepath = options.tls_key.c_str();
    // HTTP/1.1 only: the relay's own responses and WebSocket upgrades are
    // written for it (browsers open WebSockets over HTTP/1.1 anyway).
    info.alpn = "http/1.1";
  }
  info.vhost_name = "hubchat";
  info.options |= LWS_SERVER_OPTION_LIBEV;
  void* foreign_loops[] = {loop_.get()};
  info.foreign_loops = foreign_loops;
  if (options.reuse_port) {
    listener_ = std::make_unique<ReusePortListener>(loop_, options.host, options.port,
                                                    !options.tls_cert.empty());
    info.port = CONTEXT_PORT_NO_LISTEN;  // lws serves the sockets we accept
  }
  context_.reset(lws_create_context(&info));
  if (listener_ && context_) {
    if (listener_->ok())
      listener_->serve(lws_get_vhost_by_name(context_.get(), info.vhost_name));
    else
      context_.reset();  // could not listen
  }
}

Server::~Server() = default;

void Server::wake(Session& session) {
  lws_callback_on_writable(session.wsi);
}

bool Server::push(Session& session) {
  return push_frame(pumps_, session);
}

void Server::arm_flush(unsigned delay_ms) {
  flush_timer_.start(delay_ms / 1000.0);
}

double Server::now() const {
  return loop_.now();
}

void Server::flush_next_turn() {
  next_turn_.start(0);  // the loop looks at its sockets without waiting
}

void Server::arm_presence_flush() {
  presence_timer_.start(options_.presence_interval_ms / 1000.0);
}

int Server::callback_c(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                       std::size_t len) {
  auto* server = static_cast<Server*>(lws_context_user(lws_get_context(wsi)));
  if (!server) return lws_callback_http_dummy(wsi, reason, user, in, len);
  return server->on_callback(wsi, reason, user, in, len);
}

// The allowlist compares the whole header, so it must read the whole header:
// a value that does not fit a buffer is not "no Origin". Absent (non-browser
// clients) is told apart from present-but-empty through the fragment API,
// since an empty header has total length 0 too. Anything that cannot be read
// in full is refused.
bool Server::origin_allowed(lws* wsi) const {
  if (options_.allowed_origins.empty()) return true;
  // Every upgrade request has a path (GET, or :path over HTTP/2); none means
  // the headers cannot be read here, and "cannot read" must not pass as "no Origin".
  if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0 &&
      lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_COLON_PATH) <= 0)
    return false;
  const int length = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);
  if (length == 0) {
    // -1: no Origin header at all; 0: an empty one (browsers never send that).
    char probe[1];
    return lws_hdr_copy_fragment(wsi, probe, sizeof probe, WSI_TOKEN_ORIGIN, 0) < 0;
  }
  // lws keeps every header of a request in one table of kMaxHttpHeaderData
  // bytes, so no readable Origin is longer; this bound only guards the copy.
  if (length < 0 || length > kMaxHttpHeaderData) return false;
  std::string origin(static_cast<std::size_t>(length) + 1, '\0');  // + lws's terminator
  if (lws_hdr_copy(wsi, origin.data(), length + 1, WSI_TOKEN_ORIGIN) != length) return false;
  origin.resize(static_cast<std::size_t>(length));
  return std::ranges::find(options_.allowed_origins, origin) != options_.allowed_origins.end();
}

std::string Server::client_address_of(lws* wsi, std::uint16_t* peer_port) const {
  char peer[64] = "";
  lws_get_peer_simple(wsi, peer, sizeof peer);
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (peer_port &&
      getpeername(lws_get_socket_fd(wsi), reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    if (address.ss_family == AF_INET)
      *peer_port = ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
    else if (address.ss_family == AF_INET6)
      *peer_port = ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  if (options_.trusted_proxies.empty()) return normalized_address(peer);
  auto header = [wsi](lws_token_indexes token) {
    const int length = lws_hdr_total_length(wsi, token);
    std::string value(length > 0 ? static_cast<std::size_t>(length) : 0, '\0');
    if (length > 0 && lws_hdr_copy(wsi, value.data(), length + 1, token) != length) value.clear();
    return value;
  };
  std::string real_ip;
  char buffer[64];
  const int n = lws_hdr_custom_copy(wsi, buffer, sizeof buffer, "x-real-ip:", 10);
  if (n > 0) real_ip.assign(buffer, static_cast<std::size_t>(n));
  return client_address(peer, options_.trusted_proxies, header(WSI_TOKEN_X_FORWARDED_FOR), real_ip);
}

// One line per connection end: who, where, how long, how much, and why.
void Server::log_connection_end(const Session& session) const {
  if (!log_.enabled(LogLevel::info)) return;
  std::uint16_t code = session.close_code;
  const char* reason = session.close_reason;
  if (!code && session.peer_close_code) {
    code = session.peer_close_code;
    reason = "closed by the client";
  } else if (!code) {
    code = 1006;  // what RFC 6455 reports for a connection without a close frame
    reason = "connection lost (no close frame)";
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - session.connected_at)
          .count();
  log_.info(
      "connection end: address=%s port=%u room=%s nick=%s dialect=%s duration=%.1fs "
      "messages_in=%u frames_out=%u close=%u reason=\"%s\"",
      session.from_ip ? session.from_ip->first.c_str() : "-", session.peer_port,
      session.room ? session.room->name.c_str() : "-",
      session.nick.empty() ? "-" : session.nick.c_str(),
      session.dialect == Dialect::lossless ? "lossless" : "legacy", seconds, session.messages_in,
      session.frames_out, code, reason);
}

void Server::on_established(lws* wsi, Session& session) {
  session.wsi = wsi;
  session.dialect = lws_get_protocol(wsi)->id == kLossless ? Dialect::lossless : Dialect::legacy;
  ++metrics_.connections;
  ++metrics_.connections_total;
  session.connected_at = std::chrono::steady_clock::now();
  session.from_ip =
      &*connections_per_ip_.try_emplace(client_address_of(wsi, &session.peer_port), 0).first;
  log_.debug("connection from %s port %u (%s)", session.from_ip->first.c_str(), session.peer_port,
             session.dialect == Dialect::lossless ? "lossless" : "legacy");
  const std::size_t from_ip = ++session.from_ip->second;
  if (metrics_.connections > options_.max_connections) {
    hub_.close(session, 1013, "server full", CloseReason::server_full);
    return;
  }
  if (from_ip > options_.max_connections_per_ip) {
    hub_.close(session, 1008, "too many connections from your address",
               CloseReason::too_many_from_ip);
    return;
  }
  if (pumps_.shutting_down) {
    hub_.close(session, LWS_CLOSE_STATUS_GOINGAWAY, "relay shutting down", CloseReason::shutdown);
    return;
  }
  if (session.dialect == Dialect::legacy) {
    std::string room = url_arg(wsi, "room=");
    std::string nick = url_arg(wsi, "nick=");
    if (room.empty()) room = options_.default_room;
    if (!is_valid_name(room, options_.max_room_bytes)) room = options_.default_room;
    if (!is_valid_name(nick, options_.max_nick_bytes)) nick = hub_.guest_nick();
    if (!access_.admit_legacy(hub_, session, url_token(wsi), room, nick, unix_seconds())) return;
    hub_.join_live(session, room, nick);
  }
}

int Server::on_callback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                        std::size_t len) {
  auto* slot = static_cast<SessionSlot*>(user);
  switch (reason) {
    // A WebSocket (or any other) upgrade, before lws answers it: a foreign
    // Origin gets a 403 here, so the client learns why it was refused.
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
      // Stopping: a client that reconnects at once is told so before its
      // upgrade, not accepted and closed 1001 again (a 10,000-client room
      // otherwise spends the whole shutdown window on that).
      if (pumps_.shutting_down)
        return write_http_response(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, "text/plain",
                                   "relay shutting down\n")
                   ? 1
                   : -1;
      if (!origin_allowed(wsi)) {
        ++metrics_.rejected_handshakes;
        // > 0: we wrote the response; lws completes the transaction.
        return write_http_response(wsi, HTTP_STATUS_FORBIDDEN, "text/plain", "origin not allowed\n")
                   ? 1
                   : -1;
      }
      return 0;

    // Backstop for upgrades that do not pass through CONFIRM_UPGRADE
    // (WebSocket over an HTTP/2 stream): refuse by hanging up.
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
      if (!origin_allowed(wsi)) {
        ++metrics_.rejected_handshakes;
        return 1;
      }
      return 0;

    case LWS_CALLBACK_ESTABLISHED:
      on_established(wsi, slot->construct());
      return 0;

    case LWS_CALLBACK_RECEIVE:
      if (Session* session = slot ? slot->get() : nullptr)
        return read_pump(pumps_, wsi, *session, static_cast<const char*>(in), len);
      return 0;

    case LWS_CALLBACK_SERVER_WRITEABLE:
      if (Session* session = slot ? slot->get() : nullptr) {
        if (pumps_.shutting_down && !session->close_code)
          hub_.close(*session, LWS_CLOSE_STATUS_GOINGAWAY, "relay shutting down",
                     CloseReason::shutdown);
        return write_pump(pumps_, wsi, *session);
      }
      return 0;

    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
      if (Session* session = slot ? slot->get() : nullptr) {
        session->peer_closing = true;
        const auto* payload = static_cast<const unsigned char*>(in);
        if (len >= 2)
          session->peer_close_code = static_cast<std::uint16_t>(payload[0] << 8 | payload[1]);
      }
      return 0;

    case LWS_CALLBACK_CLOSED:
      if (Session* session = slot ? slot->get() : nullptr) {
        log_connection_end(*session);
        metrics_.count_close(session->close_code ? session->close_as : CloseReason::peer);
        hub_.closed(*session);
        access_.forget(*session);
        --metrics_.connections;
        if (session->from_ip && --session->from_ip->second == 0)
          connections_per_ip_.erase(connections_per_ip_.find(session->from_ip->first));
        slot->destroy();
      }
      return 0;

    case LWS_CALLBACK_HTTP: {
      char* uri = nullptr;
      int uri_len = 0;
      if (lws_http_get_uri_and_method(wsi, &uri, &uri_len) < 0 || !uri || uri_len < 0)
        return send_http_response(wsi, HTTP_STATUS_BAD_REQUEST, "text/plain", "bad request\n");
      const std::string_view path(uri, static_cast<std::size_t>(uri_len));
      const HttpMethod method = request_method(wsi);
      if (ApiRoutes::is_api_path(path) && (method == HttpMethod::get || method == HttpMethod::post))
        return api_.on_request(wsi, path, method == HttpMethod::post, client_address_of(wsi));
      if (method == HttpMethod::other || method == HttpMethod::post) {
        // Nothing here takes a body: answer, and close rather than read one.
        write_http_response(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED, "text/plain",
                            "method not allowed\n");
        return -1;
      }
      if (path == "/healthz") return send_http_response(wsi, HTTP_STATUS_OK, "text/plain", "ok\n");
      if (path == "/metrics") {
        // Each scrape reads the longest turn since the previous one and
        // starts a new window.
        metrics_.loop_turns = loop_.turns();
        metrics_.loop_stall_max_seconds = loop_.take_longest_turn_s();
        return send_http_response(wsi, HTTP_STATUS_OK, "text/plain; version=0.0.4",
                                  metrics_.render(hub_.room_count(), hub_.history_bytes()));
      }
      if (web_root_) return web_root_->serve(wsi, path, method);
      return send_http_response(wsi, HTTP_STATUS_NOT_FOUND, "text/plain", "not found\n");
    }

    // The operator API's POST bodies and deferred answers (api_routes).
    case LWS_CALLBACK_HTTP_BODY:
      return api_.on_body(wsi, static_cast<const char*>(in), len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
      return api_.on_body_done(wsi);
    case LWS_CALLBACK_HTTP_WRITEABLE: {
      int result = 0;
      if (api_.on_writeable(wsi, result)) return result;
      return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
    case LWS_CALLBACK_CLOSED_HTTP:
      api_.closed(wsi);
      return lws_callback_http_dummy(wsi, reason, user, in, len);

    default:
      return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

// Every moderation action gets a line at the default level: who, what, target.
void Server::log_moderation(std::string_view action, std::string_view who, std::string_view room,
                            std::string_view target) {
  log_.info("moderation: %.*s by '%.*s' in '%.*s': %.*s", static_cast<int>(action.size()),
            action.data(), static_cast<int>(who.size()), who.data(), static_cast<int>(room.size()),
            room.data(), static_cast<int>(target.size()), target.data());
}

void Server::begin_shutdown() {
  pumps_.shutting_down = true;
  for (const lws_protocols* p = protocols_.data(); p->name; ++p)
    lws_callback_on_writable_all_protocol(context_.get(), p);
}

int Server::run() {
  if (!context_) {
    std::fprintf(stderr, "relay: could not listen on %s:%d\n",
                 options_.host.empty() ? "*" : options_.host.c_str(), options_.port);
    return 1;
  }
  const bool tls = !options_.tls_cert.empty();
  std::string shared_through;
  if (broker_) shared_through = ", rooms shared through Redis";
  if (options_.redis_urls.size() > 1)
    shared_through += " (" + std::to_string(options_.redis_urls.size()) + " shards)";
  std::fprintf(stderr, "relay %s listening on %s://%s:%d/ (WebSocket at /ws)%s%s\n", kVersion,
               tls ? "https" : "http", options_.host.empty() ? "0.0.0.0" : options_.host.c_str(),
               options_.port, options_.reuse_port ? ", port shared (SO_REUSEPORT)" : "",
               shared_through.c_str());
  log_.info("settings: %s", options_.effective_settings.c_str());
  const auto started = std::chrono::steady_clock::now();
  loop_.on_stop_signals([this] { on_stop_signal(); });
  loop_.on_end_of_turn([this] { hub_.end_of_turn(); });
  lws_timer_kick_.start(0.1, 0.1);
  if (!options_.auth_key_file.empty()) expiry_timer_.start(1, 1);
  loop_.run();
  context_.reset();  // closes whoever is left
  log_.info("stopped after %.0f s: %llu connections served, %llu messages in, %llu delivered",
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
            static_cast<unsigned long long>(metrics_.connections_total),
            static_cast<unsigned long long>(metrics_.messages_in),
            static_cast<unsigned long long>(metrics_.messages_out));
  return 0;
}

// SIGINT/SIGTERM: close every client with 1001, give them up to 700 ms to
// finish the close handshake, then stop. A second signal stops at once.
void Server::on_stop_signal() {
  if (pumps_.shutting_down) {
    loop_.stop();
    return;
  }
  std::fprintf(stderr, "relay: shutting down, closing %llu connections\n",
               static_cast<unsigned long long>(metrics_.connections));
  begin_shutdown();
  shutdown_deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(700);
  shutdown_timer_.start(0, 0.02);
}

}  // namespace hubchat::relay
