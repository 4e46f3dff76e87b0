// A child process whose output goes to a log file, and that log read back:
// how the harness runs the relay, redis-server and the TLS tests' openssl and
// curl, so a test failure can print what the child said.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace hubchat::test {

// Spawns `argv` (argv[0] searched in PATH unless it holds a '/') with stdout
// and stderr appended to `log_path` and stdin from /dev/null; -1 on failure.
// The child is SIGKILLed when the test process dies: a crashed or aborted
// test must not leave children running.
pid_t spawn_logged(const std::vector<std::string>& argv, const std::string& log_path);

// The whole file ("" when it cannot be read).
std::string read_log(const std::string& path);

}  // namespace hubchat::test
