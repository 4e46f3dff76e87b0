// relay: the hubchat WebSocket chat hub. See README.md and docs/PROTOCOL.md.
#include <libwebsockets.h>

#include <string_view>

#include "relay/auth/token_command.hpp"
#include "relay/ops/options.hpp"
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
  hubchat::relay::Server server(options);
  return server.run();
}
