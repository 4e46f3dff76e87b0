// A legacy (gorilla-dialect) chat peer of the fault run: no ids, no seqs, no
// history; it joins at the live end of a room by connecting to
// /ws?room=&nick= and reconnects after any close. It has no outbox (a message
// the relay refuses is lost, as with gorilla's client); the bodies it receives
// go into the Record.
#pragma once

#include <string>

#include "tests/faults/cluster.hpp"
#include "tests/faults/record.hpp"
#include "tests/support/lossless_client.hpp"

namespace hubchat::faults {

class LegacyPeer {
 public:
  LegacyPeer(int index, int home_relay, std::string room, Record& record);

  void post();
  void switch_room(const std::string& room, TimePoint now);  // a reconnect to the other room
  void drop(TimePoint now);
  void pump(TimePoint now, Cluster& cluster);
  // The end of the run: on each new connection it posts one body and counts
  // as in the room once that comes back.
  void set_final(bool on) { final_ = on; }

  int fd() { return connected_ ? client_.ws().fd() : -1; }
  bool in_room() const;  // connected, and (at the end) its own body came back
  const std::string& room() const { return room_; }
  bool saw(const std::string& body) const;  // on the current connection
  void finish(TimePoint now);

 private:
  void closed(TimePoint now, int code);
  LegacyView* view();

  int index_;
  int home_relay_;
  std::string nick_, room_;
  Record& record_;
  bool final_ = false;
  bool connected_ = false;
  test::LegacyClient client_;
  int view_ = -1;
  std::uint64_t counter_ = 0;
  std::string hello_;  // final phase: the body that proves it is in
  bool hello_back_ = false;
  TimePoint reconnect_at_{};
};

}  // namespace hubchat::faults
