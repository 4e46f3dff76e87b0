// Log rows: how a room's lines are shown, as a view-model. Runs of
// consecutive join/leave lines ("presence noise") collapse into one row with
// a summary ("mina, jun and 12 others joined"), which the view can expand
// back into its lines. Pure C++ over Room::lines(), no ImGui: unit-tested
// natively, the same in the desktop and the browser client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "client/model/chat_model.hpp"

namespace hubchat::client {

// One row of the log: a single line, or a run of presence lines.
struct LogRow {
  std::size_t first = 0;  // index of the row's first line in Room::lines()
  std::size_t count = 1;  // lines in the row (1 for a single line)
  bool presence_run = false;
  // A presence run's identity, stable while lines are added after it (the
  // view remembers which runs the user expanded): its first line's key.
  std::uint32_t generation = 0;
  std::uint64_t order = 0;
};

// Runs of at least this many consecutive join/leave lines collapse.
inline constexpr std::size_t kMinPresenceRun = 3;

// The rows for `lines`, oldest first. Every line is in exactly one row, in
// order. A run of `min_run` or more consecutive join/leave lines (nick changes
// and messages end a run) is one presence_run row; shorter runs stay lines.
std::vector<LogRow> group_log(const std::deque<Line>& lines, std::size_t min_run = kMinPresenceRun);

// The summary of a presence run: who joined and who left, up to three names,
// else two and "N others" ("mina, jun and 18 others joined",
// "sam left", "mina and jun joined, 3 left"). A nick that joins and leaves
// within the run counts where it ended. `lines[first, first + count)` must
// be join/leave lines.
std::string summarize_presence(const std::deque<Line>& lines, std::size_t first, std::size_t count);

}  // namespace hubchat::client
