// The desktop client's settings text: parse, format, flags over file, path.
// See desktop_settings.hpp for the format.
#include "client/app/desktop_settings.hpp"

#include <array>
#include <utility>

#include "shared/utf8.hpp"

namespace hubchat::desktop {
namespace {

constexpr std::string_view kBlanks = " \t";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(kBlanks);
  return s.substr(first, last - first + 1);
}

// The fields by key, in the order the file lists them.
using Field = std::string Settings::*;
constexpr std::array<std::pair<std::string_view, Field>, 5> kFields = {{
    {"server", &Settings::server},
    {"nick", &Settings::nick},
    {"room", &Settings::room},
    {"ca", &Settings::ca},
    {"token_file", &Settings::token_file},
}};

bool writable_value(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos &&
         trim(value) == value;
}

}  // namespace

ParsedSettings parse_settings(std::string_view text) {
  ParsedSettings out;
  std::size_t number = 0;
  std::size_t bad_lines = 0;
  while (!text.empty()) {
    ++number;
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    auto ignore = [&](const std::string& why) {
      if (++bad_lines <= kMaxLineWarnings)
        out.warnings.push_back("line " + std::to_string(number) + ": " + why + ", ignored");
    };
    // Checked before anything is shown back in a warning, so warnings are
    // printable text.
    if (line.find('\0') != std::string_view::npos) {
      ignore("contains a NUL byte");
      continue;
    }
    if (!is_valid_utf8(line)) {
      ignore("not valid UTF-8");
      continue;
    }
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      ignore("no '=' in \"" + std::string{line.substr(0, 40)} + "\"");
      continue;
    }
    const std::string_view key = trim(line.substr(0, eq));
    const std::string_view value = trim(line.substr(eq + 1));
    bool known = false;
    for (const auto& [name, field] : kFields) {
      if (key == name) {
        out.settings.*field = std::string{value};
        known = true;
      }
    }
    if (!known) ignore("unknown key \"" + std::string{key.substr(0, 40)} + "\"");
  }
  if (bad_lines > kMaxLineWarnings)
    out.warnings.push_back(std::to_string(bad_lines - kMaxLineWarnings) +
                           " more bad lines ignored");
  return out;
}

std::string format_settings(const Settings& settings) {
  std::string out =
      "# hubchat desktop client: what it last connected with (rewritten on connect).\n";
  for (const auto& [name, field] : kFields) {
    const std::string& value = settings.*field;
    if (value.empty() || !writable_value(value)) continue;
    out.append(name).append(" = ").append(value).append("\n");
  }
  return out;
}

Settings apply_flags(Settings remembered, const SettingsFlags& flags) {
  const std::array<std::pair<const std::optional<std::string>*, Field>, 5> given = {{
      {&flags.server, &Settings::server},
      {&flags.nick, &Settings::nick},
      {&flags.room, &Settings::room},
      {&flags.ca, &Settings::ca},
      {&flags.token_file, &Settings::token_file},
  }};
  for (const auto& [flag, field] : given)
    if (flag->has_value()) remembered.*field = **flag;
  return remembered;
}

std::string settings_path(const char* xdg_config_home, const char* home) {
  constexpr std::string_view kRelative = "/hubchat/desktop.conf";
  auto under = [&](std::string_view base) {
    while (base.size() > 1 && base.back() == '/') base.remove_suffix(1);
    if (base == "/") base = {};
    return std::string{base} + std::string{kRelative};
  };
  if (xdg_config_home != nullptr && xdg_config_home[0] == '/') return under(xdg_config_home);
  if (home != nullptr && home[0] != '\0') return under(std::string{home} + "/.config");
  return {};
}

std::string token_from_text(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return std::string{text.substr(first, text.find_last_not_of(kSpace) - first + 1)};
}

}  // namespace hubchat::desktop
