// DialectChooser: decides, per connection attempt, whether to offer the
// `hubchat.v1` subprotocol or none, and what an attempt's outcome says about
// the server: lossless relay, legacy (gorilla-style) server, or just "down".
// ChatSession asks it before each attempt and tells it how the attempt went;
// it has no sockets and no clock, so the whole policy is unit-tested.
//
// Why it is needed: a gorilla-style server ignores the requested subprotocol
// and answers without Sec-WebSocket-Protocol. lws (desktop) accepts that and
// reports "no subprotocol", which settles it; Chromium instead fails the
// handshake, indistinguishable to the page from "connection refused" (an
// error event, close 1006, no details; the page's CSP forbids an HTTP probe).
//
// The policy (docs/client.md, "Legacy servers"):
//  - An open that accepted `hubchat.v1` means lossless, always, and forgets
//    any remembered legacy choice for the server.
//  - An open without a subprotocol after offering `hubchat.v1` (lws) means
//    legacy for that connection; nothing is remembered (the next attempt
//    offers `hubchat.v1` again and learns again).
//  - A failure before open is followed at once (no backoff) by one attempt
//    with the other offer; only two failures in a row back off, and then the
//    usual offer is tried again. So a server that is down is retried with
//    backoff, alternating, and never flips the choice.
//  - An attempt without subprotocol that opens right after a `hubchat.v1`
//    attempt failed is only a probe: the server is up. It is closed unused
//    (it may be the real relay, which would take us for a legacy client)
//    and `hubchat.v1` is tried again at once. If that fails too, the server
//    rejects `hubchat.v1`: legacy is remembered for the server
//    (DialectMemory) and an attempt without subprotocol follows at once.
//  - A remembered legacy choice is used without probing (no failed handshake
//    per page load), and re-checked: after kReprobeAfter legacy connections
//    (counted in the memory, across page loads) the next attempts offer
//    `hubchat.v1` until it is accepted (forget) or rejected again as above
//    (the count starts over).
//  - A connection attempt that timed out says nothing about the dialect:
//    the usual offer after the backoff.
#pragma once

#include <string>
#include <string_view>

namespace hubchat::client {

// Where a legacy choice is kept between sessions, keyed by server URL (the
// browser: localStorage through web/hubchat.js). Values are short strings
// whose format only DialectChooser knows; "" means nothing stored.
class DialectMemory {
 public:
  virtual ~DialectMemory() = default;
  virtual std::string load(std::string_view server) = 0;
  // An empty value erases the entry.
  virtual void save(std::string_view server, std::string_view value) = 0;
};

class DialectChooser {
 public:
  // Legacy connections to a remembered legacy server before `hubchat.v1` is
  // offered again (the server may have been replaced by a hubchat relay).
  static constexpr int kReprobeAfter = 10;

  // `memory` may be null (remember for this object's life only); it must
  // outlive the chooser.
  explicit DialectChooser(DialectMemory* memory = nullptr) : memory_(memory) {}

  // Starts over for `server` (a new connect()), loading what is remembered.
  void select_server(std::string server);

  // What the next attempt offers: `hubchat.v1` (true) or no subprotocol.
  bool offer_lossless() const { return offer_lossless_; }

  // Legacy is remembered for the current server.
  bool remembered_legacy() const { return remembered_; }

  enum class Verdict {
    lossless,    // speak hubchat.v1 on this connection
    legacy,      // speak the legacy dialect on this connection
    probe_only,  // it only proved the server is up: close it unused, attempt again at once
  };
  // The attempt opened; `accepted` is the server's Sec-WebSocket-Protocol ("" = none).
  Verdict on_opened(std::string_view accepted);

  enum class Next { retry_now, back_off };
  // The attempt failed before it opened (error, or closed without opening).
  Next on_failed_before_open();

  // The attempt was abandoned (connect timeout): no dialect signal; the
  // next attempt makes the usual offer and starts a new pair of failures.
  void on_timed_out();

 private:
  // What an attempt offers when nothing just failed: hubchat.v1, unless
  // legacy is remembered and not yet due for a re-check.
  bool usual_offer() const { return !remembered_ || legacy_opens_ >= kReprobeAfter; }
  void remember(int legacy_opens);
  void forget();

  DialectMemory* memory_;
  std::string server_;
  bool remembered_ = false;
  int legacy_opens_ = 0;        // remembered: legacy connections since the last check
  bool offer_lossless_ = true;  // what the next attempt offers
  // The last attempt offered hubchat.v1 and failed before open (the next
  // one, without subprotocol, is a probe if it opens).
  bool lossless_failed_ = false;
  bool probe_opened_ = false;  // the last attempt was a probe that opened: server up
  bool failed_last_ = false;   // the last attempt failed before open (pairs of failures)
};

}  // namespace hubchat::client
