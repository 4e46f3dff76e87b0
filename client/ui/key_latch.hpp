// InputLatch: keeps short key presses from being lost with ImGui 1.86's GLFW
// backend. That backend writes io.KeysDown[] from GLFW callbacks and ImGui
// polls it once per frame, so a key pressed and released between two frames is
// never seen. The latch installs its own GLFW key/char callbacks in front of
// the backend's, queues every event, and each frame feeds the backend only as
// many events as one frame can observe: no command key (Enter, Backspace,
// arrows, Ctrl+letter...) changes twice in a frame, at most one command key
// press per frame, and text keeps its order relative to command keys. Plain
// printable keys only carry text, so they pass without waiting.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

struct GLFWwindow;

namespace hubchat::ui {

class InputLatch {
 public:
  // Installs the callbacks on `window`; call after
  // ImGui_ImplGlfw_InitForOpenGL(window, true). With glfw_text = false the GLFW
  // char callback is ignored and text only arrives through push_text() (the
  // browser, where the page's hidden text field delivers text, IME included).
  InputLatch(GLFWwindow* window, bool glfw_text);
  ~InputLatch();  // restores the backend's callbacks
  InputLatch(const InputLatch&) = delete;
  InputLatch& operator=(const InputLatch&) = delete;

  // Queues committed text (UTF-8) in order with the key events.
  void push_text(std::string_view utf8);

  // Call once per frame before ImGui::NewFrame(): feeds the queued events this
  // frame may see to the ImGui backend and keeps the rest for later frames.
  void begin_frame();

  std::size_t pending() const { return queue_.size(); }

 private:
  struct Event {
    bool is_key = false;
    int key = 0, scancode = 0, action = 0, mods = 0;
    std::uint32_t codepoint = 0;
  };
  using KeyFn = void (*)(GLFWwindow*, int, int, int, int);
  using CharFn = void (*)(GLFWwindow*, unsigned int);

  static void on_key(GLFWwindow* window, int key, int scancode, int action, int mods);
  static void on_char(GLFWwindow* window, unsigned int codepoint);
  static InputLatch* from(GLFWwindow* window);

  GLFWwindow* window_;
  bool glfw_text_;
  KeyFn backend_key_ = nullptr;
  CharFn backend_char_ = nullptr;
  void* previous_user_pointer_ = nullptr;
  std::deque<Event> queue_;
};

// Decodes UTF-8 into code points (malformed bytes become U+FFFD, '\r' is
// dropped so pasted CRLF text gives plain line breaks).
std::u32string decode_text(std::string_view utf8);

}  // namespace hubchat::ui
