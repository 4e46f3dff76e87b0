#include "relay/stop_signal.hpp"

#include <libwebsockets.h>

#include <atomic>
#include <csignal>

namespace hubchat::relay {
namespace {

volatile std::sig_atomic_t g_stop = 0;
std::atomic<lws_context*> g_context{nullptr};

extern "C" void on_stop_signal(int) {
  g_stop = 1;
  // Writes to lws's wake-up pipe, so poll() returns even if EINTR was missed.
  if (lws_context* context = g_context.load()) lws_cancel_service(context);
}

}  // namespace

void install_stop_signals(lws_context* context) {
  g_context = context;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

void uninstall_stop_signals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_context = nullptr;
}

bool stop_requested() {
  return g_stop != 0;
}

}  // namespace hubchat::relay
