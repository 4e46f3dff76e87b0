// DialectChooser (see dialect_chooser.hpp for the policy): the state machine
// and the one place that knows the format of what DialectMemory stores.
#include "client/session/dialect_chooser.hpp"

#include <charconv>
#include <utility>

#include "shared/lossless_codec.hpp"

namespace hubchat::client {
namespace {

// Stored value: "legacy <legacy connections since the last re-probe>".
constexpr std::string_view kLegacyPrefix = "legacy";

bool parse_legacy(std::string_view value, int& legacy_opens) {
  if (value.substr(0, kLegacyPrefix.size()) != kLegacyPrefix) return false;
  value.remove_prefix(kLegacyPrefix.size());
  legacy_opens = 0;
  if (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
    int n = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
    // A damaged count is harmless: start counting again.
    if (error == std::errc{} && end == value.data() + value.size() && n >= 0) legacy_opens = n;
  }
  return true;
}

}  // namespace

void DialectChooser::select_server(std::string server) {
  if (server != server_) {
    remembered_ = false;
    legacy_opens_ = 0;
  }
  server_ = std::move(server);
  if (memory_ != nullptr) {
    int opens = 0;
    remembered_ = parse_legacy(memory_->load(server_), opens);
    legacy_opens_ = remembered_ ? opens : 0;
  }
  lossless_failed_ = false;
  probe_opened_ = false;
  failed_last_ = false;
  offer_lossless_ = usual_offer();
}

DialectChooser::Verdict DialectChooser::on_opened(std::string_view accepted) {
  const bool offered_lossless = offer_lossless_;
  const bool after_lossless_failure = lossless_failed_;
  lossless_failed_ = false;
  probe_opened_ = false;
  failed_last_ = false;

  if (accepted == lossless::kSubprotocol) {
    // The server said so: whatever we remembered is stale.
    if (remembered_) forget();
    offer_lossless_ = true;
    return Verdict::lossless;
  }
  if (offered_lossless) {
    // Offered hubchat.v1, the handshake completed without it (lws accepts
    // that): the server itself says it is legacy, so there is nothing to
    // remember; a due re-check was answered, so its count starts over.
    if (remembered_) remember(0);
    offer_lossless_ = usual_offer();
    return Verdict::legacy;
  }
  if (after_lossless_failure || !remembered_) {
    // Up without a subprotocol just after hubchat.v1 failed: rejected, or
    // only briefly away? The next attempt, with hubchat.v1 again, tells.
    probe_opened_ = true;
    offer_lossless_ = true;
    return Verdict::probe_only;
  }
  remember(legacy_opens_ + 1);
  offer_lossless_ = usual_offer();
  return Verdict::legacy;
}

DialectChooser::Next DialectChooser::on_failed_before_open() {
  const bool offered_lossless = offer_lossless_;
  const bool server_up = probe_opened_;
  probe_opened_ = false;
  if (offered_lossless && server_up) {
    // Up a moment ago without a subprotocol, failing with hubchat.v1 now:
    // it rejects hubchat.v1 (Chromium vs a gorilla-style server). The next
    // attempt, without subprotocol, is for real.
    remember(0);
    lossless_failed_ = false;
    offer_lossless_ = false;
  } else {
    // Down, or a rejection: try the other offer.
    lossless_failed_ = offered_lossless;
    offer_lossless_ = !offered_lossless;
  }
  if (failed_last_) {
    // Both offers failed: the server is away. Wait, then the usual offer.
    failed_last_ = false;
    lossless_failed_ = false;
    offer_lossless_ = usual_offer();
    return Next::back_off;
  }
  failed_last_ = true;
  return Next::retry_now;
}

void DialectChooser::on_timed_out() {
  lossless_failed_ = false;
  probe_opened_ = false;
  failed_last_ = false;
  offer_lossless_ = usual_offer();
}

void DialectChooser::remember(int legacy_opens) {
  remembered_ = true;
  legacy_opens_ = legacy_opens;
  if (memory_ != nullptr) {
    memory_->save(server_, std::string{kLegacyPrefix} + " " + std::to_string(legacy_opens));
  }
}

void DialectChooser::forget() {
  remembered_ = false;
  legacy_opens_ = 0;
  if (memory_ != nullptr) memory_->save(server_, {});
}

}  // namespace hubchat::client
