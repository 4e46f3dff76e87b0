// InputLatch implementation: a queue between GLFW's callbacks and the ImGui
// GLFW backend's, drained a frame's worth at a time (see key_latch.hpp).
#include "client/ui/key_latch.hpp"

#include <GLFW/glfw3.h>

#include <vector>

namespace hubchat::ui {
namespace {

bool is_modifier(int key) {
  switch (key) {
    case GLFW_KEY_LEFT_SHIFT:
    case GLFW_KEY_RIGHT_SHIFT:
    case GLFW_KEY_LEFT_CONTROL:
    case GLFW_KEY_RIGHT_CONTROL:
    case GLFW_KEY_LEFT_ALT:
    case GLFW_KEY_RIGHT_ALT:
    case GLFW_KEY_LEFT_SUPER:
    case GLFW_KEY_RIGHT_SUPER:
      return true;
    default:
      return false;
  }
}

// A printable key (letters, digits, punctuation, space) without Ctrl/Alt/Super
// only produces text: ImGui never looks at its io.KeysDown state, so its
// events need no frame of their own.
bool text_only(int key, int mods) {
  const bool printable = (key >= GLFW_KEY_SPACE && key <= GLFW_KEY_GRAVE_ACCENT) ||
                         key == GLFW_KEY_WORLD_1 || key == GLFW_KEY_WORLD_2;
  return printable && (mods & (GLFW_MOD_CONTROL | GLFW_MOD_ALT | GLFW_MOD_SUPER)) == 0;
}

}  // namespace

std::u32string decode_text(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b0 < 0x80) {
      len = 1, cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, cp = b0 & 0x07, min = 0x10000;
    }
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3F);
    }
    ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (!ok) {
      out.push_back(U'\uFFFD');
      ++i;
      continue;
    }
    if (cp != U'\r') out.push_back(cp);
    i += len;
  }
  return out;
}

InputLatch::InputLatch(GLFWwindow* window, bool glfw_text)
    : window_(window), glfw_text_(glfw_text) {
  previous_user_pointer_ = glfwGetWindowUserPointer(window_);
  glfwSetWindowUserPointer(window_, this);
  backend_key_ = glfwSetKeyCallback(window_, &InputLatch::on_key);
  backend_char_ = glfwSetCharCallback(window_, &InputLatch::on_char);
}

InputLatch::~InputLatch() {
  glfwSetKeyCallback(window_, backend_key_);
  glfwSetCharCallback(window_, backend_char_);
  glfwSetWindowUserPointer(window_, previous_user_pointer_);
}

InputLatch* InputLatch::from(GLFWwindow* window) {
  return static_cast<InputLatch*>(glfwGetWindowUserPointer(window));
}

void InputLatch::on_key(GLFWwindow* window, int key, int scancode, int action, int mods) {
  InputLatch* self = from(window);
  if (self == nullptr) return;
  Event e;
  e.is_key = true;
  e.key = key, e.scancode = scancode, e.action = action, e.mods = mods;
  self->queue_.push_back(e);
}

void InputLatch::on_char(GLFWwindow* window, unsigned int codepoint) {
  InputLatch* self = from(window);
  if (self == nullptr || !self->glfw_text_) return;
  Event e;
  e.codepoint = codepoint;
  self->queue_.push_back(e);
}

void InputLatch::push_text(std::string_view utf8) {
  for (char32_t cp : decode_text(utf8)) {
    Event e;
    e.codepoint = static_cast<std::uint32_t>(cp);
    queue_.push_back(e);
  }
}

void InputLatch::begin_frame() {
  std::vector<int> touched;  // keys whose state this frame already changed
  std::size_t fed = 0;
  for (; fed < queue_.size(); ++fed) {
    const Event& e = queue_[fed];
    if (!e.is_key) {
      if (backend_char_ != nullptr) backend_char_(window_, e.codepoint);
      continue;
    }
    if (text_only(e.key, e.mods)) {
      if (backend_key_ != nullptr) backend_key_(window_, e.key, e.scancode, e.action, e.mods);
      continue;
    }
    bool seen = false;
    for (int k : touched) seen = seen || k == e.key;
    if (seen) break;  // the frame must see the earlier state first
    if (backend_key_ != nullptr) backend_key_(window_, e.key, e.scancode, e.action, e.mods);
    touched.push_back(e.key);
    if (e.action != GLFW_RELEASE && !is_modifier(e.key)) {
      ++fed;  // one command key press per frame: text typed after it waits too
      break;
    }
  }
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(fed));
}

}  // namespace hubchat::ui
