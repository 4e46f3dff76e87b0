// hubchat browser client: Emscripten GLFW + WebGL 2 + Dear ImGui over
// ChatSession with the emscripten/websocket.h transport. The page
// (web/hubchat.js) calls hubchat_start() as soon as the module is ready, with
// ImGui's default font (Latin only), and hubchat_set_font() once the Hangul
// font has arrived (it is fetched in parallel); the client swaps the font in
// between two frames and says "loading font..." until then. The exported
// hubchat_* functions below are the page's and the tests' only interface to
// the client (text from the hidden input, pointer events, the font, the
// hidden tab's message count, the read-only hook). Pointer input reaches
// ImGui only through a PointerQueue, one change per frame (a touch tap would
// otherwise be missed), and every frame the page learns where the text
// fields are, so it can focus its hidden text field inside the user's own tap.
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "client/app/imgui_frame.hpp"
#include "client/app/status_document.hpp"
#include "client/app/web_dialect_memory.hpp"
#include "client/session/chat_session.hpp"
#include "client/transport/transport.hpp"
#include "client/ui/chat_view.hpp"
#include "client/ui/fonts.hpp"
#include "client/ui/key_latch.hpp"
#include "client/ui/pointer_queue.hpp"
#include "client/ui/style.hpp"
#include "shared/json_writer.hpp"

namespace {

using hubchat::client::Clock;

class WebApp;

// The one global: Emscripten's main loop, ImGui's IME hook and the exported C
// functions cannot carry a context pointer through JavaScript, so they reach
// the app through this. `returned` keeps strings handed to JavaScript alive
// after the call that returns their pointer.
struct Globals {
  std::unique_ptr<WebApp> app;
  std::string returned;
  int ime_x = 0, ime_y = 0;  // caret position ImGui last reported (canvas px)
  std::string clipboard;     // what ImGui last copied (also given to the browser)
};
Globals& globals();

// Everything the client is made of; one instance, in globals().app.
class WebApp {
 public:
  explicit WebApp(hubchat::ui::ChatView::Settings settings)
      : session_(hubchat::client::make_platform_transport(), {}, {},
                 hubchat::client::make_web_dialect_memory()),
        view_(session_, std::move(settings)) {}

  WebApp(const WebApp&) = delete;
  WebApp& operator=(const WebApp&) = delete;

  bool init() {
    glfw_ = std::make_unique<hubchat::app::GlfwLibrary>();
    if (!glfw_->ok()) return false;
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    int w = 0, h = 0;
    double dpr = 1;
    canvas_pixels(w, h, dpr);
    window_.reset(glfwCreateWindow(w, h, "hubchat", nullptr, nullptr));
    if (!window_) return false;
    glfwMakeContextCurrent(window_.get());

    imgui_ = std::make_unique<hubchat::app::ImGuiRuntime>(window_.get(), "#version 300 es");
    if (!imgui_->ok()) return false;
    ImGuiIO& io = ImGui::GetIO();
    io.ImeSetInputScreenPosFn = [](int x, int y) {
      globals().ime_x = x;
      globals().ime_y = y;
    };
    // Copy (Ctrl+C/X) goes to the browser's clipboard too; paste comes from the
    // browser through the page's hidden input (hubchat.js), not from here.
    io.SetClipboardTextFn = [](void*, const char* text) {
      globals().clipboard = text;
      EM_ASM(
          {
            if (navigator.clipboard)
              navigator.clipboard.writeText(UTF8ToString($0)).catch(function(){});
          },
          text);
    };
    io.GetClipboardTextFn = [](void*) { return globals().clipboard.c_str(); };
    // Text comes from the page's hidden input (IME, paste): not from GLFW.
    latch_ = std::make_unique<hubchat::ui::InputLatch>(window_.get(), /*glfw_text=*/false);
    return true;
  }

  void connect_now() { view_.connect(Clock::now()); }
  void set_token(const char* jwt) {
    view_.set_token(jwt);
    session_.set_token(jwt);
  }

  // The Hangul font's bytes (empty: it could not be loaded). Applied at the
  // start of the next frame: the atlas and its texture must not change while
  // ImGui is between NewFrame() and the draw of that frame.
  void set_font(std::vector<unsigned char> ttf) {
    font_state_ = ttf.empty() ? FontState::failed : FontState::arrived;
    arrived_font_ = std::move(ttf);
  }

  void frame() {
    int w = 0, h = 0;
    double dpr = 1;
    canvas_pixels(w, h, dpr);
    int cur_w = 0, cur_h = 0;
    glfwGetWindowSize(window_.get(), &cur_w, &cur_h);
    if (w != cur_w || h != cur_h) glfwSetWindowSize(window_.get(), w, h);
    if (font_state_ == FontState::arrived) {
      // The atlas points into font_: let go of it before the bytes change.
      ImGui::GetIO().Fonts->Clear();
      font_ = std::move(arrived_font_);
      font_state_ = FontState::ready;
      rescale(dpr);
    } else if (dpr != scale_) {
      rescale(dpr);
    }

    const auto now = Clock::now();
    session_.tick(now);
    hubchat::app::draw_frame(view_, *latch_, now, w, h,
                             {[this] { apply_pointer(); }, [this] { draw_font_notice(); }});
    ++frames_;
    // The page keeps its loading overlay up until there is a frame to show.
    if (frames_ == 1)
      EM_ASM({
        if (Module.hubchatFirstFrame) Module.hubchatFirstFrame();
      });
    report_text_input();
    report_text_fields();
  }

  // A pointer event from the page (canvas pixels), queued for later frames.
  void push_pointer(hubchat::ui::PointerQueue::Kind kind, float x, float y, int button) {
    pointer_.push(kind, x, y, button);
  }

  // The network while the tab is hidden: the browser stops animation frames,
  // so the page calls this from a timer to keep the model (and its count of
  // new messages, for the title) current. Nothing is drawn.
  void background_tick() { session_.tick(Clock::now()); }
  std::uint64_t received_live() const { return session_.model().received_live(); }

  void push_text(const char* utf8) {
    if (latch_) latch_->push_text(utf8);
  }
  void set_composition(const char* utf8) { view_.set_composition(utf8); }

  // The status document (status_document.hpp) and what only the page has:
  // its input, pointer, frames and font, and what the view drew (ui).
  std::string state_json() const {
    const float scale = static_cast<float>(scale_ > 0 ? scale_ : 1.0);
    hubchat::json::JsonObject out = hubchat::app::session_status(session_, view_, Clock::now());
    out.boolean("text_input", text_active_)
        .string("composition", view_.composition())
        .uint("pending_input", latch_ ? latch_->pending() : 0)
        .uint("frames", frames_)
        .uint("pointer_pending", pointer_.pending())
        .uint("received_live", session_.model().received_live())
        .raw("ui", view_.probe().json(scale))
        // font_loaded: the Hangul font is in use.
        .boolean("font_loaded", font_state_ == FontState::ready && font_result_.ok)
        .raw("font", font_json());
    return out.str();
  }

  // Chat messages of every room, oldest first: [{room,seq,from,body,ts,replayed,own}].
  std::string messages_json() const { return hubchat::app::messages_document(session_.model()); }

  const std::string& draft() const { return view_.draft(); }

 private:
  // The canvas' drawing-buffer size for its CSS size at the device pixel ratio.
  static void canvas_pixels(int& w, int& h, double& dpr) {
    double css_w = 0, css_h = 0;
    emscripten_get_element_css_size("#canvas", &css_w, &css_h);
    dpr = emscripten_get_device_pixel_ratio();
    if (dpr <= 0) dpr = 1;
    w = static_cast<int>(std::lround(css_w * dpr));
    h = static_cast<int>(std::lround(css_h * dpr));
    if (w < 1) w = 1;
    if (h < 1) h = 1;
  }

  // ImGui works in canvas pixels: fonts and sizes scale with devicePixelRatio
  // so text stays sharp on high-DPI screens.
  void rescale(double dpr) {
    scale_ = dpr;
    view_.set_scale(static_cast<float>(dpr));
    hubchat::ui::apply_chat_style(static_cast<float>(dpr));
    font_result_ = hubchat::ui::load_chat_font(
        *ImGui::GetIO().Fonts, font_, hubchat::ui::kBaseFontPixels * static_cast<float>(dpr));
    std::printf("hubchat: font %s, %d glyphs, atlas %dx%d built in %.1f ms (scale %.2f)\n",
                font_result_.ok ? "ok" : font_result_.error.c_str(), font_result_.glyphs,
                font_result_.atlas_width, font_result_.atlas_height, font_result_.build_ms, dpr);
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }

  // state: "loading" (still being fetched), "ready", or "failed" (not
  // available: Latin only); notice: the last frame showed the "loading font"
  // notice; hangul: the font in use has a glyph for Hangul (U+D55C).
  std::string font_json() const {
    hubchat::json::JsonObject font;
    font.string("state", font_state_ == FontState::ready    ? "ready"
                         : font_state_ == FontState::failed ? "failed"
                                                            : "loading")
        .boolean("notice", notice_shown_)
        .boolean("hangul", hubchat::ui::atlas_has_glyph(*ImGui::GetIO().Fonts, 0xD55C))
        .boolean("ok", font_result_.ok)
        .integer("glyphs", font_result_.glyphs)
        .string("atlas", std::to_string(font_result_.atlas_width) + "x" +
                             std::to_string(font_result_.atlas_height))
        .integer("build_ms", std::llround(font_result_.build_ms));
    return font.str();
  }

  // Until the Hangul font is in, a small notice in the top right corner
  // says so (Korean text shows as "?" meanwhile); if it never comes, the
  // notice says that instead. Drawn over everything, outside the view, so
  // it needs no layout of its own. ASCII only: the default font has no "…".
  void draw_font_notice() {
    notice_shown_ = font_state_ != FontState::ready;
    if (!notice_shown_) return;
    const char* text =
        font_state_ == FontState::failed ? "Korean font unavailable" : "loading font...";
    const ImVec2 size = ImGui::CalcTextSize(text);
    const float pad = ImGui::GetFontSize() * 0.4f;
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const ImVec2 max(display.x - pad, pad * 2 + size.y + pad);
    const ImVec2 min(max.x - size.x - 2 * pad, pad);
    ImDrawList* draw = ImGui::GetForegroundDrawList();
    draw->AddRectFilled(min, max, IM_COL32(40, 44, 56, 230), pad);
    draw->AddText(ImVec2(min.x + pad, min.y + pad), IM_COL32(216, 219, 226, 255), text);
  }

  // Tells the page whether ImGui wants text (so it focuses its hidden input)
  // and where the caret is (CSS pixels, for the IME candidate window).
  void report_text_input() {
    const bool active = ImGui::GetIO().WantTextInput;
    const int x = globals().ime_x, y = globals().ime_y;
    if (active == text_active_ && x == reported_x_ && y == reported_y_) return;
    text_active_ = active;
    reported_x_ = x, reported_y_ = y;
    const double s = scale_ > 0 ? scale_ : 1.0;
    EM_ASM(
        {
          if (Module.hubchatTextInput) Module.hubchatTextInput($0, $1, $2, $3);
        },
        active ? 1 : 0, x / s, y / s, ImGui::GetFontSize() / s);
  }

  // ImGui's pointer comes from the queue only: the GLFW backend's own
  // position and buttons (from the same browser events, all at once) are
  // replaced before NewFrame. The wheel still comes through GLFW.
  void apply_pointer() {
    const hubchat::ui::PointerQueue::State& p = pointer_.step();
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = p.present ? ImVec2(p.x, p.y) : ImVec2(-FLT_MAX, -FLT_MAX);
    for (std::size_t i = 0; i < p.down.size(); ++i) io.MouseDown[i] = p.down[i];
  }

  // Where the text fields are (CSS pixels), whenever that changes: the page
  // focuses its hidden text field synchronously when a tap lands on one.
  void report_text_fields() {
    std::string fields = view_.probe().fields_text(static_cast<float>(scale_ > 0 ? scale_ : 1.0));
    if (fields == reported_fields_) return;
    reported_fields_ = std::move(fields);
    EM_ASM(
        {
          if (Module.hubchatTextFields) Module.hubchatTextFields(UTF8ToString($0));
        },
        reported_fields_.c_str());
  }

  enum class FontState { loading, arrived, ready, failed };
  FontState font_state_ = FontState::loading;
  std::vector<unsigned char> arrived_font_;  // handed over, not yet in the atlas
  std::vector<unsigned char> font_;          // the atlas' font data (not owned by it)
  hubchat::ui::FontLoadResult font_result_;
  bool notice_shown_ = false;
  hubchat::client::ChatSession session_;
  hubchat::ui::ChatView view_;
  // Declared in the order they are made, so they go in reverse.
  std::unique_ptr<hubchat::app::GlfwLibrary> glfw_;
  hubchat::app::WindowPtr window_;
  std::unique_ptr<hubchat::app::ImGuiRuntime> imgui_;
  std::unique_ptr<hubchat::ui::InputLatch> latch_;
  hubchat::ui::PointerQueue pointer_;
  std::string reported_fields_;
  double scale_ = 0;
  int reported_x_ = -1, reported_y_ = -1;
  bool text_active_ = false;
  std::uint64_t frames_ = 0;
};

Globals& globals() {
  static Globals g;
  return g;
}

const char* hand_out(std::string s) {
  globals().returned = std::move(s);
  return globals().returned.c_str();
}

}  // namespace

extern "C" {

// Starts the client with ImGui's default font: the connect panel's server
// URL, nick and room, the signed identity (JWT, "" for a guest), whether to
// connect right away, and whether the screen is a touch screen (then the
// input line is not activated unasked).
// Returns 1 on success, 0 if WebGL 2 / GLFW could not be set up.
EMSCRIPTEN_KEEPALIVE int hubchat_start(const char* server, const char* nick, const char* room,
                                       const char* token, int autoconnect, int touch) {
  Globals& g = globals();
  if (g.app) return 1;
  hubchat::ui::ChatView::Settings settings{server,     nick,  *room != '\0' ? room : "lobby",
                                           touch == 0, token, {}};
  g.app = std::make_unique<WebApp>(std::move(settings));
  if (!g.app->init()) {
    std::fprintf(stderr, "hubchat: could not initialise GLFW / WebGL 2\n");
    g.app.reset();
    return 0;
  }
  if (autoconnect != 0) g.app->connect_now();
  emscripten_set_main_loop([] { globals().app->frame(); }, 0, false);
  return 1;
}

// hubchat.setToken(jwt): a new signed identity ("" = none); the session joins
// again with it (ChatSession::set_token).
EMSCRIPTEN_KEEPALIVE void hubchat_set_token(const char* jwt) {
  if (globals().app) globals().app->set_token(jwt);
}

// The Hangul font (TTF bytes, copied), once the page has fetched it; null/0
// if it could not be fetched (the client stays with Latin text).
EMSCRIPTEN_KEEPALIVE void hubchat_set_font(const unsigned char* ttf, int len) {
  if (!globals().app) return;
  std::vector<unsigned char> bytes;
  if (ttf != nullptr && len > 0) bytes.assign(ttf, ttf + len);
  globals().app->set_font(std::move(bytes));
}

// Committed text from the page's hidden input (typing, IME, paste), UTF-8.
EMSCRIPTEN_KEEPALIVE void hubchat_push_text(const char* utf8) {
  if (globals().app) globals().app->push_text(utf8);
}

// The IME's composition in progress ("" when none), shown at the input line.
EMSCRIPTEN_KEEPALIVE void hubchat_set_composition(const char* utf8) {
  if (globals().app) globals().app->set_composition(utf8);
}

// A pointer event on the canvas (canvas pixels): kind 0 move, 1 down, 2 up,
// 3 leave (a finger lifted); button 0 left, 1 right, 2 middle.
EMSCRIPTEN_KEEPALIVE void hubchat_pointer(int kind, float x, float y, int button) {
  using Kind = hubchat::ui::PointerQueue::Kind;
  if (!globals().app || kind < 0 || kind > 3) return;
  globals().app->push_pointer(static_cast<Kind>(kind), x, y, button);
}

// While the tab is hidden: apply what the network brought (no drawing), and
// how many live messages from others arrived so far (the page's title count).
EMSCRIPTEN_KEEPALIVE void hubchat_background_tick() {
  if (globals().app) globals().app->background_tick();
}
EMSCRIPTEN_KEEPALIVE double hubchat_received() {
  return globals().app ? static_cast<double>(globals().app->received_live()) : 0;
}

// Test/debug hook (window.hubchat in hubchat.js): JSON snapshots.
EMSCRIPTEN_KEEPALIVE const char* hubchat_state_json() {
  return hand_out(globals().app ? globals().app->state_json() : "null");
}
EMSCRIPTEN_KEEPALIVE const char* hubchat_messages_json() {
  return hand_out(globals().app ? globals().app->messages_json() : "[]");
}
EMSCRIPTEN_KEEPALIVE const char* hubchat_draft() {
  return hand_out(globals().app ? globals().app->draft() : std::string());
}

}  // extern "C"

// Nothing to do at load: the page calls hubchat_start once the module is ready.
int main() {
  return 0;
}
