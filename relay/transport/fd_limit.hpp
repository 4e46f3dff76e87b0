// The relay's open-file limit: every WebSocket connection is one descriptor,
// and lws sizes its descriptor tables from this limit when the context is
// created, so it is raised (soft up to hard) before that.
#pragma once

#include <cstddef>

namespace hubchat::relay {

// Descriptors the relay needs beside its connections: listening sockets,
// libev's epoll and signal fds, Redis, files served from --web-root.
inline constexpr std::size_t kReservedFds = 64;

// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the soft
// limit now in force (0 if it cannot be read).
std::size_t raise_open_file_limit();

}  // namespace hubchat::relay
