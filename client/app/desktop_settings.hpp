// What the desktop client remembers between runs (the last server, nick, room,
// CA file and token file it connected with: the file's path, never the token) and how that text
// reads and writes: simple `key = value` lines. Pure standard C++, no files touched here (reading
// and the atomic write are settings_file.hpp's job), so every rule is unit-tested.
//
// The format, as parse_settings() reads it:
//   - one `key = value` per line; spaces and tabs around key and value are
//     trimmed; CRLF line ends are fine;
//   - blank lines and lines starting with `#` are comments;
//   - keys: server, nick, room, ca, token_file; an empty value means "not
//     remembered";
//   - a key given twice: the last one counts;
//   - anything else (no `=`, an unknown key, invalid UTF-8, a NUL byte) is
//     ignored with a warning naming the line; the other lines still count.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubchat::desktop {

// "" = not set (the built-in default, or nothing, applies).
struct Settings {
  std::string server;  // ws:// or wss:// URL as the user gave it
  std::string nick;    // as asked for, not as granted
  std::string room;
  std::string ca;  // --ca FILE: extra CA certificates for wss://
  // --token FILE: the file holding the signed identity (JWT); read at each
  // connect, so a renewed token is picked up.
  std::string token_file;

  bool operator==(const Settings&) const = default;
};

// A file of garbage (binary, the wrong file) would otherwise print a warning
// per "line": the first few say enough.
inline constexpr std::size_t kMaxLineWarnings = 5;

struct ParsedSettings {
  Settings settings;
  // "line 3: ..., ignored", one per ignored line up to kMaxLineWarnings,
  // then one "N more bad lines ignored".
  std::vector<std::string> warnings;
};

ParsedSettings parse_settings(std::string_view text);

// The file's text: a comment header, then one line per non-empty field.
// parse_settings(format_settings(s)).settings == s for every s whose values
// have no leading or trailing blanks and no CR, LF or NUL (a line cannot hold
// those; such a field is left out, i.e. not remembered).
std::string format_settings(const Settings& settings);

// Command-line flags: a flag given (even with an empty value) replaces what
// the file says for that field.
struct SettingsFlags {
  std::optional<std::string> server, nick, room, ca, token_file;
};
Settings apply_flags(Settings remembered, const SettingsFlags& flags);

// Where the file lives, following the XDG base directory spec:
// $XDG_CONFIG_HOME/hubchat/desktop.conf when XDG_CONFIG_HOME is an absolute
// path (the spec says to ignore a relative one), else
// $HOME/.config/hubchat/desktop.conf; "" when neither is usable. Arguments
// are the variables' values (null = unset).
std::string settings_path(const char* xdg_config_home, const char* home);

// The token a token file's text holds: the text without surrounding blanks
// and line ends (editors and `relay token > FILE` leave a trailing newline).
std::string token_from_text(std::string_view text);

}  // namespace hubchat::desktop
