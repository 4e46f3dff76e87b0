// The invariants of the delivery promise ("nothing acknowledged is lost:
// every reader gets it once, in order, or is told exactly what it missed"),
// checked over everything every client of a fault run saw (the Record).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/faults/record.hpp"

namespace hubchat::faults {

struct Findings {
  // invariant name -> one line per violation
  std::map<std::string, std::vector<std::string>> violations;
  std::vector<std::string> notes;  // facts worth printing that break no promise
  std::size_t count() const;
  std::string describe(std::size_t per_invariant) const;
};

Findings check(const Record& record);

}  // namespace hubchat::faults
