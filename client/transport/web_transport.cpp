// emscripten/websocket.h behind the Transport interface (see web_transport.hpp).
#include "client/transport/web_transport.hpp"

#include <emscripten/websocket.h>

#include <algorithm>
#include <iterator>

#include "client/transport/ws_url.hpp"

namespace hubchat::client {
namespace {

// The C callbacks emscripten requires. userData is the WebTransport; it stays
// valid because close() (and so the destructor) calls
// emscripten_websocket_delete, which detaches every handler from the JS
// socket before the object can go away.
WebTransport* self(void* user_data) {
  return static_cast<WebTransport*>(user_data);
}

EM_BOOL handle_open(int, const EmscriptenWebSocketOpenEvent*, void* user_data) {
  self(user_data)->on_open();
  return EM_TRUE;
}

EM_BOOL handle_message(int, const EmscriptenWebSocketMessageEvent* event, void* user_data) {
  std::string text;
  if (event->data && event->numBytes > 0) {
    // Text arrives NUL-terminated and numBytes counts the terminator.
    const auto size = event->isText ? event->numBytes - 1 : event->numBytes;
    text.assign(reinterpret_cast<const char*>(event->data), size);
  }
  self(user_data)->on_message(std::move(text), event->isText != 0);
  return EM_TRUE;
}

EM_BOOL handle_error(int, const EmscriptenWebSocketErrorEvent*, void* user_data) {
  self(user_data)->on_error();
  return EM_TRUE;
}

EM_BOOL handle_close(int, const EmscriptenWebSocketCloseEvent* event, void* user_data) {
  self(user_data)->on_close(event->code, event->reason);
  return EM_TRUE;
}

}  // namespace

WebTransport::~WebTransport() {
  close(1000, {});
}

bool WebTransport::connect(std::string_view url, const std::vector<std::string>& subprotocols) {
  close(1000, {});
  if (!WsUrl::parse(url)) return false;
  const std::string url_z{url};
  std::string protocols;  // comma-separated, as the JS library splits it
  for (const std::string& name : subprotocols) {
    if (!protocols.empty()) protocols += ',';
    protocols += name;
  }
  EmscriptenWebSocketCreateAttributes attributes;
  emscripten_websocket_init_create_attributes(&attributes);
  attributes.url = url_z.c_str();
  attributes.protocols = protocols.empty() ? nullptr : protocols.c_str();
  attributes.createOnMainThread = EM_TRUE;
  inbox_.clear();
  open_ = false;
  finished_ = false;
  const EMSCRIPTEN_WEBSOCKET_T socket = emscripten_websocket_new(&attributes);
  if (socket <= 0) {
    // e.g. the browser refused the URL (SyntaxError) or has no WebSocket.
    finished_ = true;
    inbox_.push_back({TransportEvent::Kind::error, "the browser refused to open " + url_z, {}, 0});
    return true;
  }
  socket_ = socket;
  emscripten_websocket_set_onopen_callback(socket_, this, handle_open);
  emscripten_websocket_set_onmessage_callback(socket_, this, handle_message);
  emscripten_websocket_set_onerror_callback(socket_, this, handle_error);
  emscripten_websocket_set_onclose_callback(socket_, this, handle_close);
  return true;
}

bool WebTransport::send_text(std::string_view text) {
  if (!socket_ || !open_ || finished_) return false;
  const std::string text_z{text};  // the API wants a C string
  return emscripten_websocket_send_utf8_text(socket_, text_z.c_str()) == EMSCRIPTEN_RESULT_SUCCESS;
}

void WebTransport::close(int code, std::string_view reason) {
  if (!socket_) {
    inbox_.clear();
    return;
  }
  // Browsers only accept 1000 and 3000-4999 from scripts.
  if (code != 1000 && (code < 3000 || code > 4999)) code = 1000;
  const std::string reason_z{reason.substr(0, 123)};
  if (!finished_)
    emscripten_websocket_close(socket_, static_cast<unsigned short>(code), reason_z.c_str());
  emscripten_websocket_delete(socket_);  // detaches the callbacks too
  socket_ = 0;
  open_ = false;
  finished_ = true;
  inbox_.clear();
}

void WebTransport::poll(std::vector<TransportEvent>& out) {
  std::move(inbox_.begin(), inbox_.end(), std::back_inserter(out));
  inbox_.clear();
}

void WebTransport::on_open() {
  if (finished_) return;
  open_ = true;
  std::string protocol;
  int length = 0;
  if (emscripten_websocket_get_protocol_length(socket_, &length) == EMSCRIPTEN_RESULT_SUCCESS &&
      length > 0) {
    std::vector<char> buffer(static_cast<std::size_t>(length) + 1, '\0');
    emscripten_websocket_get_protocol(socket_, buffer.data(), length + 1);
    protocol = buffer.data();
  }
  inbox_.push_back({TransportEvent::Kind::opened, {}, std::move(protocol), 0});
}

void WebTransport::on_message(std::string text, bool is_text) {
  if (finished_ || !is_text) return;  // the protocol is text only
  inbox_.push_back({TransportEvent::Kind::message, std::move(text), {}, 0});
}

void WebTransport::on_error() {
  // Browsers say nothing more (on purpose); a close event follows, which
  // carries the code. Only report here if the socket never opened, when the
  // close code (1006) would add nothing.
  if (finished_ || open_) return;
  finished_ = true;
  inbox_.push_back(
      {TransportEvent::Kind::error, "cannot connect (the browser gives no details)", {}, 0});
}

void WebTransport::on_close(int code, std::string reason) {
  if (finished_) return;
  finished_ = true;
  open_ = false;
  inbox_.push_back({TransportEvent::Kind::closed, std::move(reason), {}, code});
}

std::unique_ptr<Transport> make_platform_transport() {
  return std::make_unique<WebTransport>();
}

}  // namespace hubchat::client
