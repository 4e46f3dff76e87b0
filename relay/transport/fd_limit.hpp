// The relay's open-file limit: every WebSocket connection is one descriptor,
// and lws 4.1 sizes (and zero-fills) its descriptor tables from this limit
// when the context is created: 16 B per descriptor, so it is raised to what
// --max-connections needs, before that, and no further.
#pragma once

#include <cstddef>

namespace hubchat::relay {

// Descriptors the relay needs beside its connections: listening sockets,
// libev's epoll and signal fds, Redis, files served from --web-root.
inline constexpr std::size_t kReservedFds = 64;

// Raises RLIMIT_NOFILE's soft limit to `wanted` (at most the hard limit;
// never lowers it); returns the soft limit now in force (0 if unreadable).
std::size_t raise_open_file_limit(std::size_t wanted);

}  // namespace hubchat::relay
