# Dear ImGui 1.86 as one static library target `imgui`, built from Debian's
# source package (fetched by cmake/fetch-imgui.sh into HUBCHAT_CACHE_DIR, never
# committed), so the desktop and the browser client run the same ImGui.
#   native:     GLFW 3 + OpenGL 3 from Debian (libglfw3-dev, libgl)
#   Emscripten: GLFW 3 + WebGL 2 built into Emscripten (-sUSE_GLFW=3 ...)

set(HUBCHAT_IMGUI_DIR "${HUBCHAT_CACHE_DIR}/imgui-1.86" CACHE PATH "Dear ImGui 1.86 sources")

if(NOT EXISTS "${HUBCHAT_IMGUI_DIR}/imgui.cpp")
  message(STATUS "Dear ImGui sources missing: fetching Debian source package imgui into ${HUBCHAT_CACHE_DIR}")
  execute_process(
    COMMAND "${CMAKE_CURRENT_LIST_DIR}/fetch-imgui.sh" "${HUBCHAT_CACHE_DIR}"
    RESULT_VARIABLE _imgui_fetch_rc)
  if(NOT _imgui_fetch_rc EQUAL 0 OR NOT EXISTS "${HUBCHAT_IMGUI_DIR}/imgui.cpp")
    message(FATAL_ERROR "cmake/fetch-imgui.sh failed (${_imgui_fetch_rc}); see TOOLCHAIN.md")
  endif()
endif()

add_library(imgui STATIC
  "${HUBCHAT_IMGUI_DIR}/imgui.cpp"
  "${HUBCHAT_IMGUI_DIR}/imgui_draw.cpp"
  "${HUBCHAT_IMGUI_DIR}/imgui_widgets.cpp"
  "${HUBCHAT_IMGUI_DIR}/imgui_tables.cpp"
  "${HUBCHAT_IMGUI_DIR}/imgui_demo.cpp"
  "${HUBCHAT_IMGUI_DIR}/misc/cpp/imgui_stdlib.cpp"
  "${HUBCHAT_IMGUI_DIR}/backends/imgui_impl_glfw.cpp"
  "${HUBCHAT_IMGUI_DIR}/backends/imgui_impl_opengl3.cpp")
# SYSTEM: warnings inside ImGui headers are not ours to fix.
target_include_directories(imgui SYSTEM PUBLIC
  "${HUBCHAT_IMGUI_DIR}"
  "${HUBCHAT_IMGUI_DIR}/backends"
  "${HUBCHAT_IMGUI_DIR}/misc/cpp")
# Third-party code: keep our -Wall -Wextra build output about our own code.
target_compile_options(imgui PRIVATE -w)
# No obsolete 1.8x names: our code uses the current API only.
target_compile_definitions(imgui PUBLIC IMGUI_DISABLE_OBSOLETE_FUNCTIONS)

if(EMSCRIPTEN)
  target_link_options(imgui PUBLIC
    "SHELL:-sUSE_GLFW=3" "SHELL:-sUSE_WEBGL2=1" "SHELL:-sMAX_WEBGL_VERSION=2"
    "SHELL:-sMIN_WEBGL_VERSION=2")
else()
  find_package(glfw3 3.3 REQUIRED)
  find_package(OpenGL REQUIRED)
  # The OpenGL3 backend loads GL entry points itself (imgui_impl_opengl3_loader.h).
  target_link_libraries(imgui PUBLIC glfw OpenGL::GL ${CMAKE_DL_LIBS})
endif()
