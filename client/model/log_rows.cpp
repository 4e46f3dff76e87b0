// Log rows (see log_rows.hpp): grouping presence runs and their summary text.
#include "client/model/log_rows.hpp"

#include <algorithm>

namespace hubchat::client {
namespace {

bool is_presence(const Line& line) {
  return line.kind == LineKind::join || line.kind == LineKind::leave;
}

// "a", "a and b", "a, b and c", "a, b and N others" (N > 1 names not shown).
std::string name_list(const std::vector<std::string>& names) {
  if (names.size() == 1) return names[0];
  if (names.size() == 2) return names[0] + " and " + names[1];
  if (names.size() == 3) return names[0] + ", " + names[1] + " and " + names[2];
  return names[0] + ", " + names[1] + " and " + std::to_string(names.size() - 2) + " others";
}

}  // namespace

std::vector<LogRow> group_log(const std::deque<Line>& lines, std::size_t min_run) {
  std::vector<LogRow> rows;
  rows.reserve(lines.size());
  std::size_t i = 0;
  while (i < lines.size()) {
    std::size_t end = i;
    while (end < lines.size() && is_presence(lines[end])) ++end;
    const std::size_t run = end - i;
    if (run >= std::max<std::size_t>(min_run, 2)) {
      LogRow row;
      row.first = i;
      row.count = run;
      row.presence_run = true;
      row.generation = lines[i].generation;
      row.order = lines[i].order;
      rows.push_back(row);
      i = end;
      continue;
    }
    // A single line, or each line of a run too short to collapse.
    const std::size_t stop = run > 0 ? end : i + 1;
    for (; i < stop; ++i) {
      LogRow row;
      row.first = i;
      row.generation = lines[i].generation;
      row.order = lines[i].order;
      rows.push_back(row);
    }
  }
  return rows;
}

std::string summarize_presence(const std::deque<Line>& lines, std::size_t first,
                               std::size_t count) {
  // Each nick counts once, where the run leaves it (joined or gone), listed
  // in the order of its last event.
  std::vector<std::string> joined, left;
  const std::size_t end = std::min(lines.size(), first + count);
  for (std::size_t i = first; i < end; ++i) {
    const Line& line = lines[i];
    if (!is_presence(line)) continue;
    std::erase(joined, line.from);
    std::erase(left, line.from);
    (line.kind == LineKind::join ? joined : left).push_back(line.from);
  }
  std::string out;
  if (!joined.empty()) out = name_list(joined) + " joined";
  if (!left.empty()) {
    if (out.empty()) {
      out = name_list(left) + " left";
    } else {
      out += ", " + (left.size() <= 2 ? name_list(left) : std::to_string(left.size())) + " left";
    }
  }
  return out;
}

}  // namespace hubchat::client
