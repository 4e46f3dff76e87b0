// What the desktop and the browser client share around the view: GLFW and its
// window as RAII owners, ImGui's context with its GLFW + OpenGL 3 backends,
// and the one frame both mains draw (Dear ImGui's own examples serve both
// targets from one loop the same way). Each main keeps only what its platform
// adds: the desktop's flags and settings, the page's pointer queue and font.
#pragma once

#include <functional>
#include <memory>

#include "client/model/chat_model.hpp"

struct GLFWwindow;

namespace hubchat::ui {
class ChatView;
class InputLatch;
}  // namespace hubchat::ui

namespace hubchat::app {

// glfwInit() for the lifetime of the object; ok() says whether it worked.
class GlfwLibrary {
 public:
  GlfwLibrary();
  ~GlfwLibrary();
  GlfwLibrary(const GlfwLibrary&) = delete;
  GlfwLibrary& operator=(const GlfwLibrary&) = delete;
  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

struct WindowDeleter {
  void operator()(GLFWwindow* window) const;
};
using WindowPtr = std::unique_ptr<GLFWwindow, WindowDeleter>;

// ImGui's context and its backends for `window`; `glsl_version` is
// "#version 130" on the desktop and "#version 300 es" on WebGL 2. No ini file.
class ImGuiRuntime {
 public:
  ImGuiRuntime(GLFWwindow* window, const char* glsl_version);
  ~ImGuiRuntime();
  ImGuiRuntime(const ImGuiRuntime&) = delete;
  ImGuiRuntime& operator=(const ImGuiRuntime&) = delete;
  bool ok() const { return gl_; }

 private:
  bool glfw_ = false, gl_ = false;
};

// Optional steps of a frame: `before_new_frame` runs after the backends read
// their input (the page replaces the pointer there); `overlay` draws over the
// view (the page's font notice).
struct FrameExtras {
  std::function<void()> before_new_frame;
  std::function<void()> overlay;
};

// One frame: the latched input, the backends, the view drawn for `now`, and
// the result rendered into a `width` x `height` framebuffer.
void draw_frame(ui::ChatView& view, ui::InputLatch& latch, client::TimePoint now, int width,
                int height, const FrameExtras& extras = {});

}  // namespace hubchat::app
