// hubchat desktop client: GLFW + OpenGL 3 + Dear ImGui over ChatSession with the
// native (libwebsockets) transport.
//   hubchat_client [--server ws://host:port/ws] [--nick N] [--room R] [--ca FILE] [--token FILE]
//                  [--say TEXT [--exit-after-say]] [--timeout SECONDS] [--font PATH]
//                  [--trace]
// Server, nick, room and CA file start from what the client last connected
// with (the settings file, desktop_settings.hpp); each flag given replaces
// its value, and whatever a connection is made with (flags, file or connect
// panel, later room switches and renames too) is written back, so the next
// start offers it again. With a nick and a room (given or remembered) it
// connects at start. --ca adds a PEM CA file to the trusted roots for wss://
// (a file that cannot be used is a startup error). --token names a file
// holding a signed identity (JWT, trailing newline ignored), read at every
// connect and remembered as `token_file` (the path, never the token). --say sends TEXT once
// joined (then keeps running unless --exit-after-say, which exits 0 once the
// server echoed the message back: a relay, or a legacy server's echo of it). --timeout exits 1
// after SECONDS. --trace is the test/debug hook: one line per connection-state change, per chat
// line received and per change of what the view drew, on stderr (see
// trace_status / trace_lines / UiTrace below).
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>

#include "client/app/desktop_settings.hpp"
#include "client/app/imgui_frame.hpp"
#include "client/app/settings_file.hpp"
#include "client/app/status_document.hpp"
#include "client/session/chat_session.hpp"
#include "client/transport/native_transport.hpp"
#include "client/ui/chat_view.hpp"
#include "client/ui/fonts.hpp"
#include "client/ui/key_latch.hpp"
#include "client/ui/style.hpp"
#include "shared/legacy_codec.hpp"

#ifndef HUBCHAT_DEFAULT_FONT
#define HUBCHAT_DEFAULT_FONT "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"
#endif

namespace {

using hubchat::client::Clock;
using hubchat::desktop::Settings;

// Used when neither a flag nor the settings file names them.
constexpr const char* kDefaultServer = "ws://127.0.0.1:8080/ws";
constexpr const char* kDefaultRoom = "lobby";

struct Args {
  hubchat::desktop::SettingsFlags given;  // --server, --nick, --room, --ca
  std::optional<std::string> say;
  bool exit_after_say = false;
  double timeout_s = 0;
  std::string font = HUBCHAT_DEFAULT_FONT;
  bool trace = false;
};

void usage() {
  std::fprintf(stderr,
               "usage: hubchat_client [--server URL] [--nick NICK] [--room ROOM] [--ca FILE]\n"
               "                      [--token FILE]\n"
               "                      [--say TEXT [--exit-after-say]] [--timeout SECONDS]\n"
               "                      [--font TTF] [--trace]\n"
               "Server, nick, room and CA file default to the last ones connected with\n"
               "($XDG_CONFIG_HOME/hubchat/desktop.conf, else ~/.config/hubchat/desktop.conf).\n");
}

std::optional<Args> parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (arg == "--exit-after-say") {
      a.exit_after_say = true;
      continue;
    }
    if (arg == "--trace") {
      a.trace = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") return std::nullopt;
    if (arg != "--server" && arg != "--nick" && arg != "--room" && arg != "--ca" &&
        arg != "--say" && arg != "--timeout" && arg != "--font" && arg != "--token") {
      std::fprintf(stderr, "hubchat_client: unknown option %s\n", argv[i]);
      return std::nullopt;
    }
    if ((v = value()) == nullptr) {
      std::fprintf(stderr, "hubchat_client: %s needs a value\n", argv[i]);
      return std::nullopt;
    }
    if (arg == "--server") a.given.server = v;
    if (arg == "--nick") a.given.nick = v;
    if (arg == "--room") a.given.room = v;
    if (arg == "--ca") a.given.ca = v;
    if (arg == "--token") a.given.token_file = v;
    if (arg == "--say") a.say = v;
    if (arg == "--timeout") a.timeout_s = std::atof(v);
    if (arg == "--font") a.font = v;
  }
  return a;
}

// What this run starts with: the settings file under the flags.
struct Startup {
  std::string path;          // the settings file ("" = nowhere to keep it)
  Settings remembered;       // as the file had it (what is on disk)
  Settings settings;         // flags over the file; empty fields get defaults later
  bool room_chosen = false;  // by flag or file: connect at start (with a nick)
};

// Reads the settings file (warnings only, never fatal) and checks the CA
// file: one given as --ca must be usable (false: exit), a remembered one that
// is not any more is dropped with a warning.
bool load_startup(const Args& args, Startup& out) {
  out.path = hubchat::desktop::settings_path(std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME"));
  if (out.path.empty()) {
    std::fprintf(stderr,
                 "hubchat_client: warning: neither XDG_CONFIG_HOME nor HOME is set: "
                 "settings are not remembered\n");
  } else {
    const hubchat::desktop::LoadedSettings loaded = hubchat::desktop::load_settings_file(out.path);
    for (const std::string& w : loaded.warnings)
      std::fprintf(stderr, "hubchat_client: warning: settings %s\n", w.c_str());
    out.remembered = loaded.settings;
    std::fprintf(stderr, "hubchat_client: settings file %s%s\n", out.path.c_str(),
                 loaded.found ? "" : " (none yet)");
  }
  hubchat::desktop::SettingsFlags given = args.given;
  // Remembered as an absolute path: the next start may be from another directory.
  for (std::optional<std::string>* file : {&given.ca, &given.token_file}) {
    if (!*file || (*file)->empty()) continue;
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(**file, ec);
    if (!ec) *file = absolute.lexically_normal().string();
  }
  out.settings = hubchat::desktop::apply_flags(out.remembered, given);
  out.room_chosen = args.given.room.has_value() || !out.remembered.room.empty();
  if (!out.settings.ca.empty()) {
    const std::string problem = hubchat::client::NativeTransport::check_ca_file(out.settings.ca);
    if (!problem.empty() && args.given.ca) {
      std::fprintf(stderr, "hubchat_client: --ca %s\n", problem.c_str());
      return false;
    }
    if (!problem.empty()) {
      std::fprintf(stderr, "hubchat_client: warning: remembered CA file %s: not used\n",
                   problem.c_str());
      out.settings.ca.clear();
    }
  }
  return true;
}

// Writes what the session connects with to the settings file when it differs
// from what the file holds: a connect, a room switch or a rename. A failed
// write is reported once and not retried every frame.
void remember_connection(const hubchat::client::ChatSession& session, const std::string& ca,
                         Startup& startup) {
  if (startup.path.empty() || session.state() == hubchat::client::ConnectionState::disconnected)
    return;
  const auto& params = session.params();
  const Settings now{params.url, params.nick, params.room, ca, startup.settings.token_file};
  if (now == startup.remembered) return;
  startup.remembered = now;
  const std::string why = hubchat::desktop::save_settings_file(startup.path, now);
  if (why.empty()) {
    std::fprintf(stderr, "hubchat_client: settings saved to %s\n", startup.path.c_str());
  } else {
    std::fprintf(stderr, "hubchat_client: warning: settings not saved: %s\n", why.c_str());
  }
}

// The token in `file` ("" without a file; a warning when it cannot be read:
// the client then connects as a guest).
std::string read_token(const std::string& file) {
  if (file.empty()) return {};
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string token = hubchat::desktop::token_from_text(text.str());
  if (!in || token.empty())
    std::fprintf(stderr, "hubchat_client: warning: no token in %s: connecting as a guest\n",
                 file.c_str());
  return token;
}

// Has the server echoed our message with `body` into `room`? A legacy server
// names no sender: there the model marks the echo of what we sent as own
// (matched as the server normalises messages: newlines to spaces, trimmed).
bool echoed(const hubchat::client::ChatModel& model, const std::string& room,
            const std::string& nick, const std::string& body, bool legacy) {
  const auto* r = model.find_room(room);
  if (r == nullptr) return false;
  const std::string expected = legacy ? hubchat::legacy::normalize_incoming(body) : body;
  for (const auto& line : r->lines()) {
    if (line.kind == hubchat::client::LineKind::message && !line.replayed &&
        line.body == expected && (legacy ? line.own : line.from == nick)) {
      return true;
    }
  }
  return false;
}

// --trace: `hubchat_client: status {...}` (the status document, see
// status_document.hpp) whenever the state, joined, dialect, refusal or
// verified state changes.
void trace_status(const hubchat::client::ChatSession& session, const hubchat::ui::ChatView& view,
                  hubchat::client::TimePoint now) {
  std::fprintf(stderr, "hubchat_client: status %s\n",
               hubchat::app::session_status(session, view, now).str().c_str());
}

// --trace: `hubchat_client: line {"room":..,"from":..,"body":..,..}` per chat
// message added to the log since the last call (`seen`: lines already traced per room).
void trace_lines(const hubchat::client::ChatModel& model,
                 std::map<std::string, std::size_t>& seen) {
  for (const auto& [name, room] : model.rooms()) {
    std::size_t& done = seen[name];
    // Logs are appended at the end in practice; trimming or a resume can
    // reorder, which a trace used by tests can live with.
    for (std::size_t i = std::min(done, room.lines().size()); i < room.lines().size(); ++i) {
      const auto& line = room.lines()[i];
      if (line.kind != hubchat::client::LineKind::message) continue;
      std::fprintf(stderr, "hubchat_client: line %s\n",
                   hubchat::app::message_document(name, line).c_str());
    }
    done = room.lines().size();
  }
}

// --trace: `hubchat_client: ui {...}` (what the view drew, UiProbe::json) when
// it changed, at most every 200 ms: what the tests read off the screen.
struct UiTrace {
  std::string last;
  hubchat::client::TimePoint at{};
  void update(const hubchat::ui::ChatView& view, float scale, hubchat::client::TimePoint now) {
    if (now - at < std::chrono::milliseconds(200)) return;
    std::string json = view.probe().json(scale);
    if (json == last) return;
    std::fprintf(stderr, "hubchat_client: ui %s\n", json.c_str());
    last = std::move(json);
    at = now;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Args> args = parse_args(argc, argv);
  if (!args) {
    usage();
    return 2;
  }
  // Before any window: a bad --ca is reported without needing a display.
  Startup startup;
  if (!load_startup(*args, startup)) return 2;
  const Settings& initial = startup.settings;

  glfwSetErrorCallback([](int code, const char* what) {
    std::fprintf(stderr, "hubchat_client: GLFW error %d: %s\n", code, what);
  });
  hubchat::app::GlfwLibrary glfw;
  if (!glfw.ok()) return 1;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  hubchat::app::WindowPtr window(glfwCreateWindow(1100, 720, "hubchat", nullptr, nullptr));
  if (!window) return 1;
  glfwMakeContextCurrent(window.get());
  glfwSwapInterval(1);

  hubchat::app::ImGuiRuntime imgui(window.get(), "#version 130");
  if (!imgui.ok()) {
    std::fprintf(stderr, "hubchat_client: ImGui backend init failed\n");
    return 1;
  }
  hubchat::ui::InputLatch latch(window.get(), /*glfw_text=*/true);

  float xscale = 1, yscale = 1;
  glfwGetWindowContentScale(window.get(), &xscale, &yscale);
  const float scale = xscale > 0 ? xscale : 1.0f;
  hubchat::ui::apply_chat_style(scale);
  const std::vector<unsigned char> font_bytes = hubchat::ui::read_file_bytes(args->font);
  const auto font = hubchat::ui::load_chat_font(*ImGui::GetIO().Fonts, font_bytes,
                                                hubchat::ui::kBaseFontPixels * scale);
  std::fprintf(stderr, "hubchat_client: font %s: %s, %d glyphs, atlas %dx%d built in %.1f ms\n",
               args->font.c_str(), font.ok ? "ok" : font.error.c_str(), font.glyphs,
               font.atlas_width, font.atlas_height, font.build_ms);

  hubchat::client::ChatSession session(std::make_unique<hubchat::client::NativeTransport>(
      hubchat::client::NativeTransport::Options{initial.ca}));
  hubchat::ui::ChatView::Settings view_settings{
      initial.server.empty() ? kDefaultServer : initial.server,
      initial.nick,
      initial.room.empty() ? kDefaultRoom : initial.room,
      true,
      "",
      {}};
  // Read at every connect: a renewed token file signs the user in again.
  view_settings.token_source = [file = initial.token_file] { return read_token(file); };
  hubchat::ui::ChatView view(session, std::move(view_settings));
  view.set_scale(scale);  // the narrow layout is chosen in logical pixels
  const std::string say_room = initial.room.empty() ? kDefaultRoom : initial.room;
  const auto start = Clock::now();
  if (!initial.nick.empty() && (startup.room_chosen || args->say)) view.connect(start);

  bool said = false, echo_seen = false, logged_join = false;
  int exit_code = 0;
  // --trace bookkeeping: the last traced (state, joined, legacy, refusal,
  // verified) and lines per room.
  std::optional<
      std::tuple<hubchat::client::ConnectionState, bool, bool, hubchat::client::Refusal, bool>>
      traced;
  std::map<std::string, std::size_t> traced_lines;
  UiTrace traced_ui;
  while (!glfwWindowShouldClose(window.get())) {
    // Wake at least every 16 ms for the network; at once while keys are queued.
    if (latch.pending() > 0) {
      glfwPollEvents();
    } else {
      glfwWaitEventsTimeout(0.016);
    }
    const auto now = Clock::now();
    session.tick(now);
    remember_connection(session, initial.ca, startup);
    const auto& conn = session.model().connection();
    const bool joined = conn.state == hubchat::client::ConnectionState::connected && conn.joined;
    if (joined && !logged_join) {
      std::fprintf(
          stderr, "hubchat_client: joined %s as %s%s\n",
          session.legacy() ? session.params().room.c_str() : session.model().joined_room().c_str(),
          session.model().nick().c_str(), session.legacy() ? " (legacy server)" : "");
    }
    logged_join = joined;
    if (args->trace) {
      const auto now_traced =
          std::make_tuple(conn.state, conn.joined, session.legacy(), session.model().refusal(),
                          session.model().verified());
      if (traced != now_traced) trace_status(session, view, now);
      traced = now_traced;
      trace_lines(session.model(), traced_lines);
    }
    // A legacy server takes room and nick from the URL: open is joined.
    const bool in_room = session.legacy() || session.model().joined_room() == say_room;
    if (args->say && !said && joined && in_room) {
      said = session.send_message(*args->say);
      if (said) std::fprintf(stderr, "hubchat_client: sent message\n");
    }
    if (said && !echo_seen &&
        echoed(session.model(), say_room, session.model().nick(), *args->say, session.legacy())) {
      echo_seen = true;
      // Only a relay is a relay: a legacy server's echo is said as such.
      std::fprintf(stderr, "hubchat_client: message echoed by the %s%s\n",
                   session.legacy() ? "legacy server" : "relay",
                   args->exit_after_say ? ", exiting" : "");
      if (args->exit_after_say) glfwSetWindowShouldClose(window.get(), GLFW_TRUE);
    }
    if (args->timeout_s > 0 && now - start > std::chrono::duration<double>(args->timeout_s)) {
      std::fprintf(stderr, "hubchat_client: timeout after %.1f s\n", args->timeout_s);
      exit_code = 1;
      glfwSetWindowShouldClose(window.get(), GLFW_TRUE);
    }

    int w = 0, h = 0;
    glfwGetFramebufferSize(window.get(), &w, &h);
    hubchat::app::draw_frame(view, latch, now, w, h);
    if (args->trace) traced_ui.update(view, scale, now);
    glfwSwapBuffers(window.get());
  }
  session.disconnect();
  return exit_code;
}
