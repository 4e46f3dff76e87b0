// The shared frame and its owners (see imgui_frame.hpp).
#include "client/app/imgui_frame.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include "client/ui/chat_view.hpp"
#include "client/ui/key_latch.hpp"

namespace hubchat::app {

GlfwLibrary::GlfwLibrary() : ok_(glfwInit() == GLFW_TRUE) {}

GlfwLibrary::~GlfwLibrary() {
  if (ok_) glfwTerminate();
}

void WindowDeleter::operator()(GLFWwindow* window) const {
  glfwDestroyWindow(window);
}

ImGuiRuntime::ImGuiRuntime(GLFWwindow* window, const char* glsl_version) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  glfw_ = ImGui_ImplGlfw_InitForOpenGL(window, true);
  gl_ = glfw_ && ImGui_ImplOpenGL3_Init(glsl_version);
}

ImGuiRuntime::~ImGuiRuntime() {
  if (gl_) ImGui_ImplOpenGL3_Shutdown();
  if (glfw_) ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
}

void draw_frame(ui::ChatView& view, ui::InputLatch& latch, client::TimePoint now, int width,
                int height, const FrameExtras& extras) {
  latch.begin_frame();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (extras.before_new_frame) extras.before_new_frame();
  ImGui::NewFrame();
  view.draw(now);
  if (extras.overlay) extras.overlay();
  ImGui::Render();
  glViewport(0, 0, width, height);
  glClearColor(0.106f, 0.114f, 0.137f, 1.0f);  // the chat background, under the view
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

}  // namespace hubchat::app
