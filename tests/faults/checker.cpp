// Checks a fault run's Record against the delivery promise (see checker.hpp).
//
// Invariants, by name:
//  two_bodies     no (room, epoch, seq) ever carries two bodies (from what
//                 any client received and what any ack named);
//  rollback       a resume in the same epoch never finds the room's next seq
//                 below what the client already had (seqs handed out twice);
//  order          each lossless view (one welcome, on one connection) gets
//                 its room's seqs in increasing order, none twice;
//  gap            ... and contiguous: every skipped seq is covered by a
//                 `missed` the view was told (or a reset);
//  acked_lost     a message its sender had an ack for reached every peer
//                 that was in the room (same epoch, resuming across
//                 reconnects) from before it was sent until the end of the run;
//  posted_twice   each body sits under at most one (room, epoch, seq);
//  unacked        every outbox entry was acknowledged by the end of the run;
//  ack_room       an ack names the room the message was posted to;
//  caught_up      every client in a room at the end got the room's final
//                 marker message;
//  legacy         legacy views: no body twice, bodies of their room only, in
//                 the room's seq order. Legacy clients cannot be told what they
//                 missed (no seqs, no `missed`), so gaps are not checked there;
//  error_event    no error event other than `unavailable` (which asks for a
//                 resend).
#include "tests/faults/checker.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace hubchat::faults {
namespace {

using Slot = std::tuple<std::string, std::uint64_t, Seq>;  // room, epoch, seq

std::string where(const JoinView& v) {
  return "peer p" + std::to_string(v.peer) + " on relay " + std::to_string(v.relay) + " room " +
         v.room + " epoch " + std::to_string(v.epoch);
}

std::string slot_text(const Slot& s) {
  return std::get<0>(s) + "/" + std::to_string(std::get<1>(s)) + "/#" +
         std::to_string(std::get<2>(s));
}

bool covered(const std::vector<MissedRange>& missed, std::size_t upto, Seq from, Seq to) {
  // Every seq in [from, to] lies in some evicted range told before msg `upto`.
  for (Seq s = from; s <= to; ++s) {
    bool in = false;
    for (const MissedRange& m : missed)
      if (m.after <= upto && m.reason == "evicted" && m.from <= s && s <= m.to) in = true;
    if (!in) return false;
  }
  return true;
}

class Checker {
 public:
  explicit Checker(const Record& r) : r_(r) {}

  Findings run() {
    map_slots();
    for (const JoinView& v : r_.joins) check_view(v);
    check_acked_delivery();
    check_posted_once();
    check_legacy();
    check_caught_up();
    for (const std::string& u : r_.unacked) add("unacked", u);
    for (const std::string& p : r_.not_in_room)
      add("caught_up", p + ": not in its room at the end");
    for (const std::string& e : r_.errors) add("error_event", e);
    return std::move(f_);
  }

 private:
  void add(const std::string& invariant, std::string text) {
    f_.violations[invariant].push_back(std::move(text));
  }

  void claim(const Slot& slot, const std::string& body, const std::string& who) {
    auto [it, fresh] = slot_body_.emplace(slot, std::make_pair(body, who));
    if (!fresh && it->second.first != body)
      add("two_bodies", slot_text(slot) + ": '" + it->second.first + "' (" + it->second.second +
                            ") and '" + body + "' (" + who + ")");
    body_slots_[body].insert(slot);
  }

  void map_slots() {
    for (const JoinView& v : r_.joins)
      for (const SeenMsg& m : v.msgs) claim({v.room, v.epoch, m.seq}, m.body, where(v));
    for (const AckSeen& a : r_.acks)
      if (a.epoch != 0)
        claim({a.room_named, a.epoch, a.seq}, a.body,
              "ack to p" + std::to_string(a.peer) + (a.by_echo ? " (own copy)" : ""));
  }

  void check_view(const JoinView& v) {
    if (v.resumed() && v.next < v.since + 1)
      add("rollback", where(v) + ": resumed at since=" + std::to_string(v.since) +
                          " but the welcome's next seq is " + std::to_string(v.next) +
                          ", no reset told");
    bool any = !v.resumed();  // after a fresh join (or a reset) the replay starts at `first`
    Seq expected = v.resumed() ? v.since + 1 : v.first;
    for (std::size_t i = 0; i < v.msgs.size(); ++i) {
      for (const MissedRange& m : v.missed)
        if (m.after == i && m.reason == "restart") any = true;
      const Seq seq = v.msgs[i].seq;
      if (any) {
        any = false;
        expected = seq;
      }
      if (seq < expected) {
        add("order", where(v) + ": #" + std::to_string(seq) + " '" + v.msgs[i].body + "' after #" +
                         std::to_string(expected - 1));
      } else if (seq > expected && !covered(v.missed, i, expected, seq - 1)) {
        add("gap", where(v) + ": #" + std::to_string(expected) + "..#" + std::to_string(seq - 1) +
                       " skipped without `missed` (next came '" + v.msgs[i].body + "')");
      }
      expected = std::max(expected, seq + 1);
    }
  }

  // A chain: one peer's views of one room, each resuming the one before in
  // the same epoch; what it saw and was told, from its first welcome.
  struct Chain {
    int peer = -1;
    std::string room;
    std::uint64_t epoch = 0;
    TimePoint since{};
    bool at_end = false;
    std::set<std::string> bodies;
    std::vector<MissedRange> missed;
  };

  std::vector<Chain> chains() const {
    std::vector<Chain> out;
    std::map<std::pair<int, std::string>, std::size_t> open;  // (peer, room) -> chain index
    for (const JoinView& v : r_.joins) {
      const auto key = std::make_pair(v.peer, v.room);
      auto it = open.find(key);
      if (it == open.end() || !v.resumed() || out[it->second].epoch != v.epoch) {
        Chain c;
        c.peer = v.peer;
        c.room = v.room;
        c.epoch = v.epoch;
        c.since = v.welcomed;
        out.push_back(std::move(c));
        open[key] = out.size() - 1;
      }
      Chain& c = out[open[key]];
      for (const SeenMsg& m : v.msgs) c.bodies.insert(m.body);
      c.missed.insert(c.missed.end(), v.missed.begin(), v.missed.end());
      c.at_end = v.at_end;
    }
    return out;
  }

  void check_acked_delivery() {
    const std::vector<Chain> all = chains();
    for (const AckSeen& a : r_.acks) {
      if (a.room_named != a.room_sent)
        add("ack_room", "p" + std::to_string(a.peer) + " id " + a.id + " posted to " + a.room_sent +
                            ", ack names " + a.room_named);
      if (a.epoch == 0) continue;
      for (const Chain& c : all) {
        if (!c.at_end || c.room != a.room_sent || c.epoch != a.epoch || c.since > a.first_sent)
          continue;
        if (c.bodies.count(a.body)) continue;
        bool told = false;
        for (const MissedRange& m : c.missed)
          if (m.reason == "evicted" && m.from <= a.seq && a.seq <= m.to) told = true;
        if (!told)
          add("acked_lost", "'" + a.body + "' (acked as " + a.room_named + "/" +
                                std::to_string(a.epoch) + "/#" + std::to_string(a.seq) +
                                ") never reached p" + std::to_string(c.peer) +
                                ", in the room from before it was sent to the end");
      }
    }
  }

  void check_posted_once() {
    std::size_t across_reset = 0;
    for (const auto& [body, slots] : body_slots_) {
      if (slots.size() < 2) continue;
      std::set<std::pair<std::string, std::uint64_t>> epochs;
      for (const Slot& s : slots) epochs.insert({std::get<0>(s), std::get<1>(s)});
      if (epochs.size() == slots.size()) {
        // Once per epoch: the first copy's dataset was lost (dedupe record
        // included) and its readers were told `missed` restart; a resend of
        // an unacknowledged message is then a new message.
        ++across_reset;
        continue;
      }
      std::string where;
      for (const Slot& s : slots) where += " " + slot_text(s);
      add("posted_twice", "'" + body + "' under" + where);
    }
    if (across_reset)
      f_.notes.push_back(std::to_string(across_reset) +
                         " bodies posted again in a new epoch after Redis lost the first copy");
  }

  void check_legacy() {
    for (const LegacyView& v : r_.legacy) {
      const std::string who = "legacy g" + std::to_string(v.peer) + " on relay " +
                              std::to_string(v.relay) + " room " + v.room;
      std::set<std::string> seen;
      std::map<std::uint64_t, Seq> last;  // epoch -> last seq seen
      for (const std::string& body : v.bodies) {
        if (!seen.insert(body).second) add("legacy", who + ": '" + body + "' twice");
        auto it = body_slots_.find(body);
        // No seq known (no lossless client saw it), or posted twice (reported above).
        if (it == body_slots_.end() || it->second.size() > 1) continue;
        const Slot& s = *it->second.begin();
        if (std::get<0>(s) != v.room) {
          add("legacy", who + ": got '" + body + "' of room " + std::get<0>(s));
          continue;
        }
        Seq& prev = last[std::get<1>(s)];
        if (std::get<2>(s) <= prev)
          add("legacy", who + ": '" + body + "' (#" + std::to_string(std::get<2>(s)) + ") after #" +
                            std::to_string(prev));
        prev = std::max(prev, std::get<2>(s));
      }
    }
  }

  void check_caught_up() {
    for (const JoinView& v : r_.joins) {
      if (!v.at_end) continue;
      auto marker = r_.markers.find(v.room);
      if (marker == r_.markers.end()) continue;
      bool got = false;
      for (const SeenMsg& m : v.msgs) got = got || m.body == marker->second;
      if (!got) add("caught_up", where(v) + ": never got the final marker");
    }
    for (const LegacyView& v : r_.legacy) {
      if (!v.at_end) continue;
      auto marker = r_.markers.find(v.room);
      if (marker == r_.markers.end()) continue;
      if (std::find(v.bodies.begin(), v.bodies.end(), marker->second) == v.bodies.end())
        add("caught_up", "legacy g" + std::to_string(v.peer) + " on relay " +
                             std::to_string(v.relay) + " room " + v.room +
                             ": never got the final marker");
    }
  }

  const Record& r_;
  Findings f_;
  std::map<Slot, std::pair<std::string, std::string>> slot_body_;  // slot -> body, who saw it
  std::map<std::string, std::set<Slot>> body_slots_;
};

}  // namespace

std::size_t Findings::count() const {
  std::size_t n = 0;
  for (const auto& [name, list] : violations) n += list.size();
  return n;
}

std::string Findings::describe(std::size_t per_invariant) const {
  std::string out;
  for (const auto& [name, list] : violations) {
    out += "  " + name + ": " + std::to_string(list.size()) + " violation(s)\n";
    for (std::size_t i = 0; i < list.size() && i < per_invariant; ++i)
      out += "    " + list[i] + "\n";
  }
  for (const std::string& n : notes) out += "  note: " + n + "\n";
  return out;
}

Findings check(const Record& record) {
  return Checker(record).run();
}

}  // namespace hubchat::faults
