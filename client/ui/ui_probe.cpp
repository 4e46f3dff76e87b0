// UiProbe implementation (see ui_probe.hpp).
#include "client/ui/ui_probe.hpp"

#include <imgui.h>

#include <cstdio>

#include "shared/json.hpp"

namespace hubchat::ui {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
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
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    json::append_string(out, values[i]);
  }
  out += ']';
  values_.emplace_back(std::move(key), std::move(out));
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
  std::string out = "{\"width\":" + num(width_ / s) + ",\"height\":" + num(height_ / s);
  out += ",\"rects\":{";
  for (std::size_t i = 0; i < rects_.size(); ++i) {
    const Rect& r = rects_[i].rect;
    if (i > 0) out += ',';
    json::append_string(out, rects_[i].name);
    out += ":[" + num(r.x0 / s) + ',' + num(r.y0 / s) + ',' + num((r.x1 - r.x0) / s) + ',' +
           num((r.y1 - r.y0) / s) + ']';
  }
  out += "},\"fields\":[";
  bool first = true;
  for (const Named& n : rects_) {
    if (!n.text_field) continue;
    if (!first) out += ',';
    first = false;
    json::append_string(out, n.name);
  }
  out += ']';
  for (const auto& [key, value] : values_) {
    out += ',';
    json::append_string(out, key);
    out += ':' + value;
  }
  out += '}';
  return out;
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
