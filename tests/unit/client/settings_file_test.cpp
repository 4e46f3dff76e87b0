// The settings file on disk (settings_file.hpp): a missing file is a first
// run, an unusable one is ignored with a warning, and a save replaces the file
// atomically (a new file renamed over the old one: a reader holding the old
// one still reads it whole; no temp file is left; a failed save leaves the old
// file as it was). Tests run as root in CI, so "unreadable" is shown with
// things root cannot read as a file either (a directory, an oversized file).
#include "client/app/settings_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace hubchat::desktop {
namespace {

namespace fs = std::filesystem;

class SettingsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(temp_.valid());
    dir_ = temp_.path();
    path_ = (dir_ / "config" / "hubchat" / "desktop.conf").string();
  }

  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static void write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
  }
  // Everything in the file's directory (to spot leftover temp files).
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(fs::path(path_).parent_path()))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  test::TempDir temp_{"settings"};  // removed with the fixture
  fs::path dir_;
  std::string path_;
  const Settings settings_{"ws://127.0.0.1:8080/ws", "민아", "lobby", ""};
};

TEST_F(SettingsFileTest, AMissingFileIsAFirstRunWithoutWarnings) {
  const LoadedSettings loaded = load_settings_file(path_);
  EXPECT_FALSE(loaded.found);
  EXPECT_TRUE(loaded.warnings.empty());
  EXPECT_EQ(loaded.settings, Settings{});
}

TEST_F(SettingsFileTest, SaveCreatesPrivateDirectoriesAndLoadReadsItBack) {
  ASSERT_EQ(save_settings_file(path_, settings_), "");
  const LoadedSettings loaded = load_settings_file(path_);
  EXPECT_TRUE(loaded.found);
  EXPECT_TRUE(loaded.warnings.empty());
  EXPECT_EQ(loaded.settings, settings_);
  EXPECT_EQ(read(path_), format_settings(settings_));
  for (const fs::path& d : {dir_ / "config", dir_ / "config" / "hubchat"}) {
    struct stat st {};
    ASSERT_EQ(::stat(d.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << d;
  }
  EXPECT_EQ(listing(), std::vector<std::string>{"desktop.conf"});
}

TEST_F(SettingsFileTest, SaveReplacesTheFileByRenameNotInPlace) {
  ASSERT_EQ(save_settings_file(path_, settings_), "");
  const std::string before = read(path_);
  struct stat old_st {};
  ASSERT_EQ(::stat(path_.c_str(), &old_st), 0);
  std::ifstream reader(path_, std::ios::binary);  // opened before the save

  Settings next = settings_;
  next.room = "다른방";
  next.ca = "/tmp/ca.pem";
  ASSERT_EQ(save_settings_file(path_, next), "");

  // The old file was never truncated or rewritten: whoever had it open reads
  // the old settings whole, and the name now points at a different file.
  const std::string seen_by_reader{std::istreambuf_iterator<char>(reader),
                                   std::istreambuf_iterator<char>()};
  EXPECT_EQ(seen_by_reader, before);
  struct stat new_st {};
  ASSERT_EQ(::stat(path_.c_str(), &new_st), 0);
  EXPECT_NE(new_st.st_ino, old_st.st_ino);
  EXPECT_EQ(load_settings_file(path_).settings, next);
  EXPECT_EQ(listing(), std::vector<std::string>{"desktop.conf"}) << "no temp file left";
}

TEST_F(SettingsFileTest, AFailedSaveLeavesTheOldFileAndNoTempFile) {
  ASSERT_EQ(save_settings_file(path_, settings_), "");
  const std::string before = read(path_);
  // rename() onto a non-empty directory fails; the directory stands in for
  // the settings file here, next to the real one.
  const std::string blocked = (fs::path(path_).parent_path() / "blocked.conf").string();
  fs::create_directories(fs::path(blocked) / "inside");
  const std::string why = save_settings_file(blocked, settings_);
  EXPECT_NE(why.find(blocked), std::string::npos) << why;
  EXPECT_EQ(read(path_), before);
  EXPECT_EQ(listing(), (std::vector<std::string>{"blocked.conf", "desktop.conf"}));

  // A parent that is a file: nothing can be created below it.
  const std::string under_file = path_ + "/desktop.conf";
  EXPECT_NE(save_settings_file(under_file, settings_), "");
  EXPECT_EQ(read(path_), before);
}

TEST_F(SettingsFileTest, ASymlinkedFileKeepsItsLinkAndItsTargetIsReplaced) {
  const fs::path dotfiles = dir_ / "dotfiles";
  fs::create_directories(dotfiles);
  write(dotfiles / "desktop.conf", "nick = old\n");
  fs::create_directories(fs::path(path_).parent_path());
  fs::create_symlink(dotfiles / "desktop.conf", path_);
  ASSERT_EQ(save_settings_file(path_, settings_), "");
  EXPECT_TRUE(fs::is_symlink(path_));
  EXPECT_EQ(load_settings_file(path_).settings, settings_);
  EXPECT_EQ(read(dotfiles / "desktop.conf"), format_settings(settings_));
}

TEST_F(SettingsFileTest, BadLinesAreWarnedAboutNamingTheFileAndTheGoodOnesKept) {
  fs::create_directories(fs::path(path_).parent_path());
  write(path_, "nick = mina\n\x01\x02garbage\nroom = lobby\n");
  const LoadedSettings loaded = load_settings_file(path_);
  EXPECT_EQ(loaded.settings, (Settings{"", "mina", "lobby", ""}));
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_EQ(loaded.warnings[0].rfind(path_ + ": line 2: ", 0), 0u) << loaded.warnings[0];
}

TEST_F(SettingsFileTest, AnUnusableFileIsIgnoredWithAWarning) {
  // A directory where the file should be.
  fs::create_directories(path_);
  LoadedSettings loaded = load_settings_file(path_);
  EXPECT_TRUE(loaded.found);
  EXPECT_EQ(loaded.settings, Settings{});
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_EQ(loaded.warnings[0], path_ + ": not a regular file, ignored");
  fs::remove(path_);

  // Something far bigger than a settings file, even if it starts well.
  write(path_, "nick = mina\n" + std::string(kMaxSettingsFileBytes, '#'));
  loaded = load_settings_file(path_);
  EXPECT_EQ(loaded.settings, Settings{});
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_EQ(loaded.warnings[0], path_ + ": larger than 64 KiB, ignored");
}

}  // namespace
}  // namespace hubchat::desktop
