// UiProbe: what the view drew this frame, for the page and the tests. The view
// records named rectangles (buttons, the log, the input; text fields marked as
// such) and a few named values (scroll position, layout, collapsed rows). The
// browser page uses the text fields' rectangles to focus its hidden text field
// inside the user's own tap (web/hubchat.js), and window.hubchat.state().ui
// shows all of it to the tests. Cleared at the start of every frame.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hubchat::ui {

class UiProbe {
 public:
  struct Rect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // ImGui (canvas) pixels
  };

  void begin_frame(float width, float height);

  void rect(std::string name, Rect r, bool text_field = false);
  // The last ImGui item's rectangle (call right after the widget).
  void last_item(std::string name, bool text_field = false);

  void number(std::string key, double value);
  void flag(std::string key, bool value);
  void text(std::string key, std::string_view value);
  void texts(std::string key, const std::vector<std::string>& values);

  const Rect* find(std::string_view name) const;
  // A value as its JSON text ("true", "12.0", "[\"a\"]"); "" if not recorded.
  std::string value(std::string_view key) const;

  // {"width":..,"height":..,"rects":{"name":[x,y,w,h],..},"fields":[..],key:value..}
  // with sizes and rectangles in CSS pixels (canvas pixels / scale).
  std::string json(float scale) const;

  // The text fields for the page, one per line: "name x y w h" in CSS pixels.
  std::string fields_text(float scale) const;

 private:
  struct Named {
    std::string name;
    Rect rect;
    bool text_field;
  };
  float width_ = 0, height_ = 0;
  std::vector<Named> rects_;
  std::vector<std::pair<std::string, std::string>> values_;  // key, JSON value
};

}  // namespace hubchat::ui
