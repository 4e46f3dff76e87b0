// libwebsockets 4.1 client behind the Transport interface (see
// native_transport.hpp for why each connection has its own context and
// service thread).
#include "client/transport/native_transport.hpp"

#include <libwebsockets.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace hubchat::client {
namespace {

// Bigger incoming messages are refused (close 1009): the relay bounds its
// frames far below this, so only a broken or hostile server sends them.
constexpr std::size_t kMaxMessageBytes = std::size_t{16} << 20;

// How long close() waits for the close handshake before tearing down.
constexpr auto kCloseGrace = std::chrono::milliseconds{300};

// Idle policy: lws pings a silent server and hangs up if it stays silent, so
// a dead link (laptop sleep, network switch) surfaces as `closed` and the
// session reconnects, instead of waiting forever on a half-open TCP socket.
constexpr std::uint32_t kRetryTableMs[] = {1000};
constexpr lws_retry_bo_t kIdlePolicy = {
    kRetryTableMs, 1, 0, /*secs_since_valid_ping=*/20, /*secs_since_valid_hangup=*/35, 0};

struct ContextDeleter {
  void operator()(lws_context* context) const { lws_context_destroy(context); }
};
using ContextPtr = std::unique_ptr<lws_context, ContextDeleter>;

// The name of our one lws protocol entry, bound to the connection as its
// local protocol whatever the server answers. It is never sent: what we offer
// is `offered_`, and what the server accepted is only ever read from its
// Sec-WebSocket-Protocol response header.
constexpr const char* kLocalProtocol = "hubchat-client";

// OpenSSL's verdicts that mean "no trusted root vouches for this chain", the
// case --ca is for (as opposed to a wrong host name or an expired cert).
bool untrusted_issuer(int verify_error) {
  switch (verify_error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return true;
    default:
      return false;
  }
}

struct X509StoreDeleter {
  void operator()(X509_STORE* store) const { X509_STORE_free(store); }
};

}  // namespace

// ---------------------------------------------------------------- URL

bool NativeTransport::parse_url(std::string_view url, Url& out) {
  std::optional<WsUrl> parsed = WsUrl::parse(url);
  if (!parsed) return false;
  out = std::move(*parsed);
  return true;
}

// ---------------------------------------------------------------- CA file

std::string NativeTransport::check_ca_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) return path + ": no such file";
  if (!std::filesystem::is_regular_file(status)) return path + ": not a regular file";
  if (!std::ifstream(path, std::ios::binary)) return path + ": cannot be read";
  // The same loader lws uses for client_ssl_ca_filepath: a file it loads
  // here, lws loads too.
  std::unique_ptr<X509_STORE, X509StoreDeleter> store(X509_STORE_new());
  if (!store) return path + ": cannot check (out of memory)";
  ERR_clear_error();
  if (X509_STORE_load_locations(store.get(), path.c_str(), nullptr) != 1) {
    ERR_clear_error();
    return path + ": holds no PEM certificate";
  }
  return {};
}

// ---------------------------------------------------------------- Connection

class NativeTransport::Connection {
 public:
  Connection(Url url, const std::vector<std::string>& subprotocols, std::string ca_file)
      : url_(std::move(url)), ca_file_(std::move(ca_file)) {
    for (const std::string& name : subprotocols) {
      if (!offered_.empty()) offered_ += ", ";
      offered_ += name;
    }
    // One protocol entry, bound up front (local_protocol_name), and the
    // zeroed terminator. lws keeps a client's pre-bound protocol when the
    // server names none, so lws_get_protocol() cannot tell "accepted" from
    // "ignored" (a gorilla-style server ignores what we ask for); only the
    // response header can.
    protocols_[0].name = kLocalProtocol;
    protocols_[0].callback = &Connection::callback;
    const bool default_port_used = url_.port == default_port(url_.tls);
    const bool ipv6 = url_.host.find(':') != std::string::npos;
    host_header_ = ipv6 ? "[" + url_.host + "]" : url_.host;
    if (!default_port_used) host_header_ += ":" + std::to_string(url_.port);
  }

  ~Connection() {
    shutdown(1000, {});
    // Destroying the context runs the remaining callbacks on this thread; the
    // service thread is gone by now, so nothing races.
    context_.reset();
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start() {
    lws_context_creation_info info{};
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols_.data();
    info.user = this;
    info.gid = -1;
    info.uid = -1;
    // lws sizes its fd table from the process limit otherwise (can be 1M
    // entries); a client context needs its socket plus the cancel pipe.
    info.fd_limit_per_thread = 16;
    if (url_.tls) {
      info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
      // Loaded on top of the OS store (lws 4.1 calls
      // SSL_CTX_set_default_verify_paths first), so a private CA adds a
      // trusted root and takes none away.
      if (!ca_file_.empty()) info.client_ssl_ca_filepath = ca_file_.c_str();
    }
    context_.reset(lws_create_context(&info));
    if (!context_) {
      finish({TransportEvent::Kind::error, "cannot create the libwebsockets context", {}, 0});
      return;
    }
    thread_ = std::thread([this] { run(); });
  }

  bool send(std::string_view text) {
    {
      std::lock_guard lock(mutex_);
      if (!open_ || finished_ || close_requested_) return false;
      outbox_.emplace_back(text);
    }
    lws_cancel_service(context_.get());  // the service thread asks for WRITEABLE
    return true;
  }

  // Graceful close when open (close frame, short wait), then stops the
  // service thread. Idempotent.
  void shutdown(int code, std::string_view reason) {
    if (!context_) return;
    bool graceful = false;
    {
      std::lock_guard lock(mutex_);
      if (open_ && !finished_ && !close_requested_) {
        close_requested_ = true;
        close_code_ = code;
        // A close frame's payload is at most 125 bytes: 2 for the code.
        close_reason_ = std::string{reason.substr(0, 123)};
        graceful = true;
      }
    }
    if (graceful) {
      lws_cancel_service(context_.get());
      std::unique_lock lock(mutex_);
      finished_cv_.wait_for(lock, kCloseGrace, [this] { return finished_; });
    }
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    lws_cancel_service(context_.get());
    if (thread_.joinable()) thread_.join();
  }

  void drain(std::vector<TransportEvent>& out) {
    std::lock_guard lock(mutex_);
    std::move(inbox_.begin(), inbox_.end(), std::back_inserter(out));
    inbox_.clear();
  }

 private:
  // lws calls this for every protocol event; the context's user pointer is
  // the Connection (no global state needed).
  static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
    lws_context* context = wsi ? lws_get_context(wsi) : nullptr;
    auto* self = context ? static_cast<Connection*>(lws_context_user(context)) : nullptr;
    if (!self) return lws_callback_http_dummy(wsi, reason, user, in, len);
    return self->on_callback(wsi, reason, user, in, len);
  }

  void run() {
    lws_client_connect_info info{};
    info.context = context_.get();
    info.address = url_.host.c_str();
    info.port = url_.port;
    info.path = url_.path.c_str();
    info.host = host_header_.c_str();
    // No Origin: we are not a browser page; the relay's Origin allowlist is
    // about pages on other sites.
    info.origin = nullptr;
    info.protocol = offered_.empty() ? nullptr : offered_.c_str();
    info.local_protocol_name = kLocalProtocol;
    info.ietf_version_or_minus_one = -1;
    info.ssl_connection = url_.tls ? LCCSCF_USE_SSL : 0;
    info.alpn = "http/1.1";  // WebSocket over HTTP/1.1, never h2
    info.retry_and_idle_policy = &kIdlePolicy;
    if (!lws_client_connect_via_info(&info)) {
      finish({TransportEvent::Kind::error,
              "cannot connect to " + url_.host + ":" + std::to_string(url_.port),
              {},
              0});
      return;
    }
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        if (stop_ || finished_) break;
      }
      // Blocks until lws has work or lws_cancel_service() wakes it.
      if (lws_service(context_.get(), 0) < 0) {
        finish({TransportEvent::Kind::error, "libwebsockets service failed", {}, 0});
        break;
      }
    }
  }

  void push(TransportEvent event) {
    std::lock_guard lock(mutex_);
    if (!finished_) inbox_.push_back(std::move(event));
  }

  // The one terminal event of a connection (closed or error).
  void finish(TransportEvent event) {
    {
      std::lock_guard lock(mutex_);
      open_ = false;
      if (finished_) return;
      finished_ = true;
      inbox_.push_back(std::move(event));
    }
    finished_cv_.notify_all();
  }

  int on_callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
    switch (reason) {
      case LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH: {
        // The server's handshake response, headers still attached (they are
        // freed before ESTABLISHED). No Sec-WebSocket-Protocol: the server
        // accepted none of ours. (lws has already failed the handshake if
        // it named one we did not offer.)
        char buffer[256];
        const int n = lws_hdr_copy(wsi, buffer, sizeof buffer, WSI_TOKEN_PROTOCOL);
        if (n < 0) return -1;  // longer than any name we offer: not a handshake we want
        accepted_.assign(buffer, static_cast<std::size_t>(n));
        return 0;
      }
      case LWS_CALLBACK_CLIENT_ESTABLISHED: {
        wsi_ = wsi;
        bool want_write = false;
        {
          std::lock_guard lock(mutex_);
          open_ = true;
          // Reported before anything can be written (the outbox is empty:
          // send() refuses until open_), so the session decides the dialect
          // before a single byte of either goes out.
          inbox_.push_back({TransportEvent::Kind::opened, {}, accepted_, 0});
          want_write = !outbox_.empty() || close_requested_;
        }
        if (want_write) lws_callback_on_writable(wsi);
        return 0;
      }
      case LWS_CALLBACK_CLIENT_RECEIVE: {
        if (lws_is_first_fragment(wsi)) {
          rx_.clear();
          rx_binary_ = lws_frame_is_binary(wsi) != 0;
        }
        if (rx_.size() + len > kMaxMessageBytes) {
          const char why[] = "message too big";
          lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
                           reinterpret_cast<unsigned char*>(const_cast<char*>(why)),
                           sizeof why - 1);
          finish({TransportEvent::Kind::error, "the server sent a message over 16 MiB", {}, 0});
          return -1;
        }
        rx_.append(static_cast<const char*>(in), len);
        if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
          // The protocol is text only; a binary message is ignored rather
          // than guessed at.
          if (!rx_binary_) push({TransportEvent::Kind::message, std::move(rx_), {}, 0});
          rx_.clear();
        }
        return 0;
      }
      case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
        const auto* bytes = static_cast<const unsigned char*>(in);
        if (len >= 2) {
          peer_close_code_ = (bytes[0] << 8) | bytes[1];
          peer_close_reason_.assign(reinterpret_cast<const char*>(bytes) + 2, len - 2);
        } else {
          peer_close_code_ = 1005;  // close frame without a status code
        }
        return 0;
      }
      case LWS_CALLBACK_CLIENT_WRITEABLE:
        return on_writeable(wsi);
      case LWS_CALLBACK_CLIENT_CLOSED:
        wsi_ = nullptr;
        finish({TransportEvent::Kind::closed, peer_close_reason_, {}, peer_close_code_});
        return 0;
      case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION: {
        // Only noted: lws fails the handshake itself, but its error text
        // ("connect SSL err 1: error:00000001:lib(0)::reason(1)") does not
        // say the certificate was the problem. len is OpenSSL's preverify_ok.
        auto* store = static_cast<X509_STORE_CTX*>(user);
        if (len == 0 && store != nullptr && cert_problem_.empty()) {
          const int error = X509_STORE_CTX_get_error(store);
          cert_problem_ = std::string("the server's certificate is not trusted (") +
                          X509_verify_cert_error_string(error) + ")";
          if (untrusted_issuer(error))
            cert_problem_ += "; for a private CA, give its certificate (--ca)";
        }
        return 0;  // keep OpenSSL's verdict
      }
      case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
        wsi_ = nullptr;
        std::string why = !cert_problem_.empty() ? cert_problem_
                          : in                   ? std::string(static_cast<const char*>(in))
                                                 : std::string{};
        finish({TransportEvent::Kind::error,
                "cannot connect to " + url_.host + ":" + std::to_string(url_.port) +
                    (why.empty() ? std::string{} : ": " + why),
                {},
                0});
        return 0;
      }
      case LWS_CALLBACK_EVENT_WAIT_CANCELLED: {
        // Woken by send()/shutdown() from the UI thread: ask for a writable
        // callback on our own thread, where writing is allowed.
        if (!wsi_) return 0;
        bool want_write = false;
        {
          std::lock_guard lock(mutex_);
          want_write = !outbox_.empty() || close_requested_;
        }
        if (want_write) lws_callback_on_writable(wsi_);
        return 0;
      }
      default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
  }

  int on_writeable(lws* wsi) {
    std::string text;
    bool closing = false;
    int code = 1000;
    bool more = false;
    {
      std::lock_guard lock(mutex_);
      if (close_requested_) {
        closing = true;
        code = close_code_;
        text = close_reason_;
      } else {
        if (outbox_.empty()) return 0;
        text = std::move(outbox_.front());
        outbox_.pop_front();
        more = !outbox_.empty();
      }
    }
    if (closing) {
      lws_close_reason(wsi, static_cast<lws_close_status>(code),
                       reinterpret_cast<unsigned char*>(text.data()), text.size());
      return -1;  // lws sends the close frame and closes
    }
    // lws needs LWS_PRE bytes of headroom before the payload for the header.
    tx_.resize(LWS_PRE + text.size());
    std::memcpy(tx_.data() + LWS_PRE, text.data(), text.size());
    const int written = lws_write(wsi, tx_.data() + LWS_PRE, text.size(), LWS_WRITE_TEXT);
    if (written < static_cast<int>(text.size())) {
      finish({TransportEvent::Kind::error, "write to the server failed", {}, 0});
      return -1;
    }
    if (more) lws_callback_on_writable(wsi);  // one write per WRITEABLE, as lws wants
    return 0;
  }

  const Url url_;
  const std::string ca_file_;  // "" = the system store only
  std::string host_header_;
  std::string offered_;  // "a, b": the Sec-WebSocket-Protocol we send ("" = none)
  std::array<lws_protocols, 2> protocols_{};  // ours + the zeroed terminator
  ContextPtr context_;
  std::thread thread_;

  std::mutex mutex_;
  std::condition_variable finished_cv_;
  // Guarded by mutex_.
  std::vector<TransportEvent> inbox_;
  std::deque<std::string> outbox_;
  bool open_ = false;
  bool finished_ = false;
  bool close_requested_ = false;
  bool stop_ = false;
  int close_code_ = 1000;
  std::string close_reason_;

  // Service thread only (or the destroying thread once it has joined).
  lws* wsi_ = nullptr;
  std::string accepted_;
  std::string cert_problem_;  // why verification failed, for the error event
  std::string rx_;
  bool rx_binary_ = false;
  std::vector<unsigned char> tx_;
  int peer_close_code_ = 1006;  // no close frame seen: abnormal closure
  std::string peer_close_reason_;
};

// ---------------------------------------------------------------- NativeTransport

NativeTransport::NativeTransport() : NativeTransport(Options{}) {}

NativeTransport::NativeTransport(Options options) : options_(std::move(options)) {
  // lws logs every connection at NOTICE level; a chat client wants errors only.
  lws_set_log_level(LLL_ERR | LLL_WARN, nullptr);
}

NativeTransport::~NativeTransport() {
  close(1000, {});
}

bool NativeTransport::connect(std::string_view url, const std::vector<std::string>& subprotocols) {
  close(1000, {});
  Url parsed;
  if (!parse_url(url, parsed)) return false;
  connection_ = std::make_unique<Connection>(std::move(parsed), subprotocols, options_.ca_file);
  connection_->start();
  return true;
}

bool NativeTransport::send_text(std::string_view text) {
  return connection_ && connection_->send(text);
}

void NativeTransport::close(int code, std::string_view reason) {
  if (!connection_) return;
  connection_->shutdown(code, reason);
  connection_.reset();
}

void NativeTransport::poll(std::vector<TransportEvent>& out) {
  if (connection_) connection_->drain(out);
}

std::unique_ptr<Transport> make_platform_transport() {
  return std::make_unique<NativeTransport>();
}

}  // namespace hubchat::client
