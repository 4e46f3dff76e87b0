// Reading and atomically rewriting the desktop client's settings file (the
// text itself is desktop_settings.hpp's). POSIX file calls, no UI.
//
// Reading never fails the caller: a missing file is a first run; a file that
// cannot be used (not a regular file, unreadable, oversized) or has bad lines
// yields warnings and whatever lines were good. Writing goes to a temp file in
// the same directory, is fsync'd, then renamed over the old file, so a reader
// (or the next start after a crash or a full disk) sees the old settings or
// the new ones, never half of a file.
#pragma once

#include <string>
#include <vector>

#include "client/app/desktop_settings.hpp"

namespace hubchat::desktop {

// Bigger than any settings file we write by orders of magnitude: something
// else is at that path, and reading it whole would be a waste.
inline constexpr std::size_t kMaxSettingsFileBytes = 64 * 1024;

struct LoadedSettings {
  Settings settings;
  std::vector<std::string> warnings;  // each names the file
  bool found = false;                 // something exists at the path
};

LoadedSettings load_settings_file(const std::string& path);

// Replaces `path` with format_settings(settings), creating missing parent
// directories with mode 0700 (as the XDG spec asks). A symlink at `path` is
// followed (dotfile managers link these files) and its target replaced.
// Returns "" on success, else why (naming the file); on failure the old file
// is untouched and no temp file is left behind.
std::string save_settings_file(const std::string& path, const Settings& settings);

}  // namespace hubchat::desktop
