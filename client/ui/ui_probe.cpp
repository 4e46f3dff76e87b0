// UiProbe implementation (see ui_probe.hpp).
#include "client/ui/ui_probe.hpp"

#include <imgui.h>

#include "shared/json.hpp"
#include "shared/json_writer.hpp"

namespace hubchat::ui {
namespace {

std::string num(double v) {
  return json::decimal_text(v);
}

}  // namespace

void UiProbe::begin_frame(float width, float height) {
  width_ = width;
  height_ = height;
  rects_.clear();
  values_.clear();
}

void UiProbe::rect(std::string name, Rect r, bool text_field) {
  rects_.push_back({std::move(name), r, text_field});
}

void UiProbe::last_item(std::string name, bool text_field) {
  const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
  rect(std::move(name), {min.x, min.y, max.x, max.y}, text_field);
}

void UiProbe::number(std::string key, double value) {
  values_.emplace_back(std::move(key), num(value));
}

void UiProbe::flag(std::string key, bool value) {
  values_.emplace_back(std::move(key), value ? "true" : "false");
}

void UiProbe::text(std::string key, std::string_view value) {
  std::string out;
  json::append_string(out, value);
  values_.emplace_back(std::move(key), std::move(out));
}

void UiProbe::texts(std::string key, const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& v : values) {
    std::string out;
    json::append_string(out, v);
    quoted.push_back(std::move(out));
  }
  values_.emplace_back(std::move(key), json::array_of(quoted));
}

const UiProbe::Rect* UiProbe::find(std::string_view name) const {
  for (const Named& n : rects_) {
    if (n.name == name) return &n.rect;
  }
  return nullptr;
}

std::string UiProbe::value(std::string_view key) const {
  for (const auto& [k, v] : values_) {
    if (k == key) return v;
  }
  return {};
}

std::string UiProbe::json(float scale) const {
  const float s = scale > 0 ? scale : 1.0f;
  json::JsonObject rects;
  std::vector<std::string> fields;
  for (const Named& n : rects_) {
    const Rect& r = n.rect;
    rects.raw(n.name, json::array_of({num(r.x0 / s), num(r.y0 / s), num((r.x1 - r.x0) / s),
                                      num((r.y1 - r.y0) / s)}));
    if (n.text_field) fields.push_back(n.name);
  }
  json::JsonObject out;
  out.decimal("width", width_ / s).decimal("height", height_ / s).raw("rects", rects.str());
  out.strings("fields", fields);
  for (const auto& [key, value] : values_) out.raw(key, value);
  return out.str();
}

std::string UiProbe::fields_text(float scale) const {
  const float s = scale > 0 ? scale : 1.0f;
  std::string out;
  for (const Named& n : rects_) {
    if (!n.text_field) continue;
    const Rect& r = n.rect;
    out += n.name + ' ' + num(r.x0 / s) + ' ' + num(r.y0 / s) + ' ' + num((r.x1 - r.x0) / s) + ' ' +
           num((r.y1 - r.y0) / s) + '\n';
  }
  return out;
}

}  // namespace hubchat::ui
