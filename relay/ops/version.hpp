// The relay's version string (kept in one place for --version and /healthz).
#pragma once

namespace hubchat::relay {
inline constexpr const char* kVersion = "0.1.0";
}
