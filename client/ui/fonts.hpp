// Font loading for the chat UI: NanumGothic (Debian's fonts-nanum) with only
// the glyph ranges a Korean/English chat needs (Latin, punctuation, Hangul Jamo,
// compatibility Jamo and the 11,172 precomposed syllables), rasterised once at
// the requested pixel size with oversampling 1 to keep the atlas build fast.
// The web build stages a copy of the font cut down to exactly these ranges
// (client/CMakeLists.txt): change both together.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <imgui.h>

namespace hubchat::ui {

// Zero-terminated ImGui glyph range list (pairs of first/last code points).
const ImWchar* chat_glyph_ranges();

struct FontLoadResult {
  bool ok = false;
  double build_ms = 0;  // time spent in ImFontAtlas::Build()
  int atlas_width = 0, atlas_height = 0;
  int glyphs = 0;
  std::string error;
};

// Replaces the atlas' fonts with `ttf` at `pixel_size` and builds the atlas.
// `ttf` must stay alive (and unmoved) as long as the atlas uses it. Falls back to
// ImGui's default font (no Hangul) when `ttf` is empty or unusable. The renderer's
// font texture must be (re)created afterwards.
FontLoadResult load_chat_font(ImFontAtlas& atlas, const std::vector<unsigned char>& ttf,
                              float pixel_size);

// True if the atlas' first font (the one the UI draws with) has a glyph of its
// own for `c`, not the fallback ("?") that stands in for missing ones.
bool atlas_has_glyph(const ImFontAtlas& atlas, ImWchar c);

// Reads a whole file (empty on error).
std::vector<unsigned char> read_file_bytes(const std::string& path);

}  // namespace hubchat::ui
