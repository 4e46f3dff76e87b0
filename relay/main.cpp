// relay: the hubchat WebSocket chat hub. See README.md and docs/PROTOCOL.md.
#include <libwebsockets.h>

#include <cstdio>
#include <string_view>

#include "relay/auth/token_command.hpp"
#include "relay/ops/options.hpp"
#include "relay/transport/fd_limit.hpp"
#include "relay/transport/server.hpp"

int main(int argc, char** argv) {
  // `relay token ...` mints a token instead of serving.
  if (argc > 1 && std::string_view(argv[1]) == "token")
    return hubchat::relay::run_token_command(argc - 1, argv + 1);
  hubchat::relay::Options options;
  if (auto exit_code = hubchat::relay::parse_options(argc, argv, options)) return *exit_code;
  // lws's own lines: errors, and warnings unless only errors are wanted.
  lws_set_log_level(
      options.log_level == hubchat::relay::LogLevel::error ? LLL_ERR : LLL_ERR | LLL_WARN, nullptr);
  // Before the lws context exists: lws sizes its descriptor tables from it.
  const std::size_t wanted = options.max_connections + hubchat::relay::kReservedFds;
  const std::size_t fds = hubchat::relay::raise_open_file_limit(wanted);
  if (fds && fds < wanted)
    std::fprintf(stderr,
                 "relay: warning: the open-file limit (%zu) is below --max-connections (%zu) + "
                 "%zu; connections beyond it cannot be accepted\n",
                 fds, static_cast<std::size_t>(options.max_connections),
                 hubchat::relay::kReservedFds);
  hubchat::relay::Server server(options);
  return server.run();
}
