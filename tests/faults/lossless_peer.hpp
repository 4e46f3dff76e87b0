// A lossless (hubchat.v1) chat peer of the fault run, written as a careful
// client would be: it joins with a secret `key`, gives every message a unique
// `id` and keeps it in a per-room outbox until the relay's `ack {room, id,
// seq}` for it arrives (its own `msg` copy alone does not count, unless
// echo_acks asks for the old protocol); after any reconnect or room switch it
// resumes with `since` and `epoch` and sends that room's outbox again, in
// order; after an `unavailable` error it sends it again. Everything it sees
// goes into the Record.
#pragma once

#include <deque>
#include <map>
#include <string>

#include "tests/faults/cluster.hpp"
#include "tests/faults/record.hpp"
#include "tests/support/lossless_client.hpp"

namespace hubchat::faults {

class LosslessPeer {
 public:
  LosslessPeer(int index, int home_relay, std::string room, Record& record, bool echo_acks);

  void post(TimePoint now);  // a new message into the outbox (sent at once when joined)
  void switch_room(const std::string& room);
  void drop(TimePoint now);  // abrupt TCP close; it reconnects by itself
  // Connects when due, handles everything that arrived, runs its timers.
  void pump(TimePoint now, Cluster& cluster);
  // The end of the run: resend what is stale, visit rooms with an outbox.
  void set_final(bool on) { final_ = on; }

  int fd() { return state_ == State::offline ? -1 : client_.ws().fd(); }
  bool settled() const;  // joined and every outbox empty
  const std::string& room() const { return room_; }
  bool joined_in(const std::string& room) const;
  bool saw(const std::string& body) const;  // in the current view
  // Marks the open view as lasting to the end; lists the unacknowledged.
  void finish(TimePoint now);

 private:
  enum class State { offline, joining, joined };
  struct Entry {
    std::string id, body;
    TimePoint first_sent{}, last_sent{};
  };
  struct Sent {
    std::string room, body;
    TimePoint first_sent{};
  };
  struct RoomState {  // what a resume needs
    std::uint64_t epoch = 0;
    Seq last = 0;
  };

  void connect(TimePoint now, Cluster& cluster);
  void send_join(TimePoint now);
  void handle(const Event& e, TimePoint now);
  void on_welcome(const Event& e, TimePoint now);
  void on_ack(const std::string& room_named, const std::string& id, Seq seq, bool by_echo,
              TimePoint now);
  void resend(TimePoint now, bool stale_only);
  void end_view(TimePoint now, int code, const std::string& reason);
  void closed(TimePoint now, int code, const std::string& reason);
  JoinView* view();

  int index_;
  int home_relay_;
  int relay_ = -1;  // the relay of the current connection
  std::string nick_, granted_nick_, key_;
  std::string room_;          // the room it wants to be in
  std::string pending_room_;  // the room of the join awaiting its welcome
  Record& record_;
  bool echo_acks_;
  bool final_ = false;
  State state_ = State::offline;
  test::LosslessClient client_;
  int view_ = -1;  // index into record_.joins of the open view
  std::map<std::string, std::deque<Entry>> outbox_;
  std::map<std::string, Sent> sent_;  // every id ever posted
  std::map<std::string, RoomState> rooms_;
  std::uint64_t counter_ = 0;
  TimePoint reconnect_at_{};
  TimePoint resend_at_{};
  bool resend_due_ = false;
  TimePoint last_stale_resend_{};
};

}  // namespace hubchat::faults
