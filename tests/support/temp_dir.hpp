// A test's own scratch folder: made fresh under the system temp dir and
// removed with everything in it when the object goes, so no test leaves files
// behind and no two tests (or two runs under ctest -j) share one. Header-only:
// the unit tests that need it do not link the socket harness.
#pragma once

#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace hubchat::test {

class TempDir {
 public:
  // The folder is named hubchat-<what>-XXXXXX, so a leftover says whose it was.
  explicit TempDir(const std::string& what = "test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("hubchat-" + what + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data())) path_ = pattern;
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ignored;  // a destructor must not throw; a leftover is harmless
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Empty when mkdtemp failed (valid() false): tests assert on valid().
  const std::string& path() const { return path_; }
  bool valid() const { return !path_.empty(); }

  // Writes `text` to path()/name (creating or replacing it); returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::string file = path_ + "/" + name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::string path_;
};

}  // namespace hubchat::test
