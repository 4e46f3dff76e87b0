// Chat font loading: custom glyph ranges and a timed atlas build (fonts.hpp).
#include "client/ui/fonts.hpp"

#include <chrono>
#include <fstream>
#include <iterator>

namespace hubchat::ui {

const ImWchar* chat_glyph_ranges() {
  static const ImWchar ranges[] = {
      0x0020, 0x00FF,  // Basic Latin + Latin-1 Supplement
      0x2000, 0x206F,  // General Punctuation (…, ‘’ “”)
      0x2190, 0x21FF,  // Arrows
      0x3000, 0x303F,  // CJK Symbols and Punctuation (「」 etc.)
      0x1100, 0x11FF,  // Hangul Jamo
      0x3130, 0x318F,  // Hangul Compatibility Jamo (ㅋㅋ, IME preedit)
      0xAC00, 0xD7A3,  // Hangul Syllables
      0xFF00, 0xFFEF,  // Halfwidth and Fullwidth Forms
      0xFFFD, 0xFFFD,  // replacement character
      0,
  };
  return ranges;
}

std::vector<unsigned char> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool atlas_has_glyph(const ImFontAtlas& atlas, ImWchar c) {
  if (atlas.Fonts.empty() || !atlas.IsBuilt()) return false;
  return atlas.Fonts[0]->FindGlyphNoFallback(c) != nullptr;
}

FontLoadResult load_chat_font(ImFontAtlas& atlas, const std::vector<unsigned char>& ttf,
                              float pixel_size) {
  FontLoadResult result;
  atlas.Clear();
  ImFont* font = nullptr;
  if (!ttf.empty()) {
    ImFontConfig config;
    config.FontDataOwnedByAtlas = false;  // the caller owns the bytes
    config.OversampleH = 1;
    config.OversampleV = 1;
    config.PixelSnapH = true;
    // ImGui's API takes a non-const pointer but does not write through it.
    font = atlas.AddFontFromMemoryTTF(const_cast<unsigned char*>(ttf.data()),
                                      static_cast<int>(ttf.size()), pixel_size, &config,
                                      chat_glyph_ranges());
  }
  if (font == nullptr) {
    result.error = ttf.empty() ? "no font data" : "font data not usable";
    ImFontConfig config;
    config.SizePixels = pixel_size < 13 ? 13 : pixel_size;
    atlas.AddFontDefault(&config);
  }
  // Wide rather than tall: at devicePixelRatio 2-3 the ~11.7k glyphs would
  // otherwise need a texture taller than many GPUs' 4096 limit.
  atlas.TexDesiredWidth = 4096;
  const auto start = std::chrono::steady_clock::now();
  const bool built = atlas.Build();
  const auto end = std::chrono::steady_clock::now();
  result.build_ms = std::chrono::duration<double, std::milli>(end - start).count();
  result.atlas_width = atlas.TexWidth;
  result.atlas_height = atlas.TexHeight;
  result.glyphs = atlas.Fonts.empty() ? 0 : atlas.Fonts[0]->Glyphs.Size;
  result.ok = built && font != nullptr;
  if (!built) result.error = "atlas build failed";
  return result;
}

}  // namespace hubchat::ui
