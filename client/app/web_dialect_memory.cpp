// WebDialectMemory (see web_dialect_memory.hpp): DialectMemory over the
// page's helper, called through EM_JS. Values are a few bytes ("legacy 3").
#include "client/app/web_dialect_memory.hpp"

#include <emscripten/emscripten.h>

#include <array>
#include <string>
#include <string_view>

namespace {

// Copies the stored value for `key` into `out` (NUL-terminated, at most
// `capacity` bytes with the NUL); returns its length, or 0 when there is
// none, it does not fit, or the helper/storage is unavailable.
// TextEncoder + HEAPU8 rather than stringToUTF8: the runtime exports HEAPU8.
EM_JS(int, hubchat_js_dialect_load, (const char* key, char* out, int capacity), {
  var memory = Module.hubchatDialectMemory;
  if (!memory) return 0;
  var value = memory.load(UTF8ToString(key));
  if (!value) return 0;
  var bytes = new TextEncoder().encode(value);
  if (bytes.length + 1 > capacity) return 0;
  HEAPU8.set(bytes, out);
  HEAPU8[out + bytes.length] = 0;
  return bytes.length;
});

// Stores `value` for `key`; an empty value removes the entry.
EM_JS(void, hubchat_js_dialect_save, (const char* key, const char* value), {
  var memory = Module.hubchatDialectMemory;
  if (memory) memory.save(UTF8ToString(key), UTF8ToString(value));
});

class WebDialectMemory final : public hubchat::client::DialectMemory {
 public:
  std::string load(std::string_view server) override {
    const std::string key{server};
    std::array<char, 128> buffer{};
    const int n =
        hubchat_js_dialect_load(key.c_str(), buffer.data(), static_cast<int>(buffer.size()));
    return n > 0 ? std::string(buffer.data(), static_cast<std::size_t>(n)) : std::string{};
  }
  void save(std::string_view server, std::string_view value) override {
    const std::string key{server};
    const std::string text{value};
    hubchat_js_dialect_save(key.c_str(), text.c_str());
  }
};

}  // namespace

namespace hubchat::client {

std::unique_ptr<DialectMemory> make_web_dialect_memory() {
  return std::make_unique<WebDialectMemory>();
}

}  // namespace hubchat::client
