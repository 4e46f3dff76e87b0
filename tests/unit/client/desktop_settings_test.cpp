// The desktop client's settings text (desktop_settings.hpp): parsing, the
// round trip through format_settings, flags over the file, bad lines ignored
// with a warning each, and where the file lives.
#include "client/app/desktop_settings.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hubchat::desktop {
namespace {

Settings full() {
  return {"wss://chat.example.org:8443/ws", "민아", "로비", "/etc/hubchat/private-ca.pem", ""};
}

TEST(DesktopSettings, ParsesKeyValueLines) {
  const ParsedSettings p = parse_settings(
      "# comment\n"
      "\n"
      "server = ws://127.0.0.1:8080/ws\n"
      "  nick\t=  mina  \r\n"  // blanks around key and value, CRLF
      "room=lobby\n"
      "ca = /tmp/ca.pem");  // no newline at the end
  EXPECT_TRUE(p.warnings.empty()) << p.warnings.front();
  EXPECT_EQ(p.settings, (Settings{"ws://127.0.0.1:8080/ws", "mina", "lobby", "/tmp/ca.pem", ""}));
}

TEST(DesktopSettings, ValueKeepsEverythingAfterTheFirstEquals) {
  const ParsedSettings p = parse_settings("server = wss://h/ws?token=a=b#x\n");
  EXPECT_TRUE(p.warnings.empty());
  EXPECT_EQ(p.settings.server, "wss://h/ws?token=a=b#x");
}

TEST(DesktopSettings, EmptyTextAndEmptyValuesMeanNotSet) {
  EXPECT_EQ(parse_settings("").settings, Settings{});
  const ParsedSettings p = parse_settings("nick =\nroom = \n");
  EXPECT_TRUE(p.warnings.empty());
  EXPECT_EQ(p.settings, Settings{});
}

TEST(DesktopSettings, TheLastOfARepeatedKeyCounts) {
  EXPECT_EQ(parse_settings("nick = a\nnick = b\n").settings.nick, "b");
}

TEST(DesktopSettings, RoundTrips) {
  const Settings s = full();
  const std::string text = format_settings(s);
  const ParsedSettings p = parse_settings(text);
  EXPECT_TRUE(p.warnings.empty()) << text;
  EXPECT_EQ(p.settings, s) << text;
  EXPECT_EQ(text.rfind("# ", 0), 0u) << "starts with a comment saying what the file is";

  Settings partial;
  partial.nick = "jun";
  EXPECT_EQ(parse_settings(format_settings(partial)).settings, partial);
  EXPECT_EQ(format_settings(partial).find("server"), std::string::npos) << "unset: not written";
}

TEST(DesktopSettings, ValuesALineCannotHoldAreLeftOutNotMangled) {
  Settings s = full();
  s.nick = "two\nlines";  // would become a line of its own
  s.room = " padded ";    // would come back trimmed
  const ParsedSettings p = parse_settings(format_settings(s));
  EXPECT_TRUE(p.warnings.empty());
  EXPECT_EQ(p.settings.nick, "");
  EXPECT_EQ(p.settings.room, "");
  EXPECT_EQ(p.settings.server, s.server);
  EXPECT_EQ(p.settings.ca, s.ca);
}

TEST(DesktopSettings, BadLinesAreIgnoredWithAWarningEachAndTheRestCounts) {
  const std::string text = std::string("server = ws://a/ws\n") +  // 1 ok
                           "just some words\n" +                  // 2 no '='
                           "colour = blue\n" +                    // 3 unknown key
                           "nick = \xff\xfe\n" +                  // 4 not UTF-8
                           std::string("room = a\0b\n", 11) +     // 5 NUL byte
                           "= value without key\n" +              // 6 unknown (empty) key
                           "room = kept\n";                       // 7 ok
  const ParsedSettings p = parse_settings(text);
  EXPECT_EQ(p.settings, (Settings{"ws://a/ws", "", "kept", "", ""}));
  ASSERT_EQ(p.warnings.size(), 5u);
  EXPECT_EQ(p.warnings[0], "line 2: no '=' in \"just some words\", ignored");
  EXPECT_EQ(p.warnings[1], "line 3: unknown key \"colour\", ignored");
  EXPECT_EQ(p.warnings[2], "line 4: not valid UTF-8, ignored");
  EXPECT_EQ(p.warnings[3], "line 5: contains a NUL byte, ignored");
  EXPECT_EQ(p.warnings[4], "line 6: unknown key \"\", ignored");
}

TEST(DesktopSettings, BinaryGarbageYieldsWarningsNotSettings) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 131 + 7) % 256);
  const ParsedSettings p = parse_settings(garbage);
  ASSERT_EQ(p.warnings.size(), kMaxLineWarnings + 1) << "a few lines, then a count";
  EXPECT_NE(p.warnings.back().find(" more bad lines ignored"), std::string::npos);
  for (const std::string& w : p.warnings) EXPECT_LT(w.size(), 120u) << "warnings stay short";
}

TEST(DesktopSettings, FlagsOverTheFile) {
  const Settings file = full();
  EXPECT_EQ(apply_flags(file, {}), file) << "no flags: the file as it is";

  SettingsFlags flags;
  flags.room = "dev";
  Settings expected = file;
  expected.room = "dev";
  EXPECT_EQ(apply_flags(file, flags), expected) << "only the given flag replaces";

  flags = {};
  flags.server = "ws://other/ws";
  flags.nick = "jun";
  flags.room = "dev";
  flags.ca = "";  // given empty: clears the remembered CA
  EXPECT_EQ(apply_flags(file, flags), (Settings{"ws://other/ws", "jun", "dev", "", ""}));
  EXPECT_EQ(apply_flags(Settings{}, flags), (Settings{"ws://other/ws", "jun", "dev", "", ""}));
}

TEST(DesktopSettings, PathFollowsXdgConfigHomeThenHome) {
  EXPECT_EQ(settings_path("/x/config", "/home/mina"), "/x/config/hubchat/desktop.conf");
  EXPECT_EQ(settings_path("/x/config/", "/home/mina"), "/x/config/hubchat/desktop.conf");
  EXPECT_EQ(settings_path(nullptr, "/home/mina"), "/home/mina/.config/hubchat/desktop.conf");
  EXPECT_EQ(settings_path("", "/home/mina"), "/home/mina/.config/hubchat/desktop.conf");
  // The spec: a relative XDG_CONFIG_HOME is invalid and ignored.
  EXPECT_EQ(settings_path("relative/dir", "/home/mina"), "/home/mina/.config/hubchat/desktop.conf");
  EXPECT_EQ(settings_path("/", nullptr), "/hubchat/desktop.conf");
  EXPECT_EQ(settings_path(nullptr, nullptr), "");
  EXPECT_EQ(settings_path("relative", ""), "");
}

TEST(DesktopSettings, TokenFileIsAKeyLikeTheOthers) {
  const ParsedSettings p =
      parse_settings("server = ws://a/ws\ntoken_file = /home/mina/hubchat.jwt\n");
  EXPECT_TRUE(p.warnings.empty());
  EXPECT_EQ(p.settings.token_file, "/home/mina/hubchat.jwt");
  const std::string text = format_settings(p.settings);
  EXPECT_NE(text.find("token_file = /home/mina/hubchat.jwt\n"), std::string::npos);
  EXPECT_EQ(parse_settings(text).settings, p.settings);
}

TEST(DesktopSettings, TokenFlagOverTheFile) {
  Settings file{"ws://a/ws", "mina", "lobby", "", "/old.jwt"};
  SettingsFlags flags;
  EXPECT_EQ(apply_flags(file, flags).token_file, "/old.jwt");  // not given: remembered
  flags.token_file = "/new.jwt";
  EXPECT_EQ(apply_flags(file, flags).token_file, "/new.jwt");
  flags.token_file = "";  // given empty: a guest from now on
  EXPECT_EQ(apply_flags(file, flags).token_file, "");
}

TEST(DesktopSettings, TokenFromTextTrimsLineEndsAndBlanks) {
  EXPECT_EQ(token_from_text("aaa.bbb.ccc\n"), "aaa.bbb.ccc");
  EXPECT_EQ(token_from_text("  aaa.bbb.ccc\r\n\n"), "aaa.bbb.ccc");
  EXPECT_EQ(token_from_text("aaa.bbb.ccc"), "aaa.bbb.ccc");
  EXPECT_EQ(token_from_text("\n \t"), "");
  EXPECT_EQ(token_from_text(""), "");
}

}  // namespace
}  // namespace hubchat::desktop
