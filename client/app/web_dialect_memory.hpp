// The browser's DialectMemory: a remembered legacy choice per server URL in
// the page's localStorage, through a small helper the page installs
// (Module.hubchatDialectMemory in web/hubchat.js; no inline script, so the
// page's CSP holds). Where storage is unavailable (blocked, private mode) it
// remembers nothing and the client just probes again.
#pragma once

#include <memory>

#include "client/session/dialect_chooser.hpp"

namespace hubchat::client {

std::unique_ptr<DialectMemory> make_web_dialect_memory();

}  // namespace hubchat::client
