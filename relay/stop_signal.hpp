// SIGINT/SIGTERM handling. The flag and the context pointer are the relay's
// only globals: a signal handler can reach nothing else.
#pragma once

struct lws_context;

namespace hubchat::relay {

// Installs the handlers; a signal sets the flag and wakes the lws loop.
void install_stop_signals(lws_context* context);
void uninstall_stop_signals();
bool stop_requested();

}  // namespace hubchat::relay
