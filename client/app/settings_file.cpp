// Settings file I/O: tolerant read, atomic write (temp file + fsync + rename).
// See settings_file.hpp.
#include "client/app/settings_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>

namespace hubchat::desktop {
namespace {

namespace fs = std::filesystem;

// Owns one file descriptor.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports close()'s result: for a written file, a failing
  // close can be the first sign that the data did not make it.
  int reset() {
    const int r = fd_ >= 0 ? ::close(fd_) : 0;
    fd_ = -1;
    return r;
  }

 private:
  int fd_;
};

// The temp file until it has been renamed into place; removed otherwise.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  std::string path_;
};

std::string errno_text(int error) {
  return std::strerror(error);
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// mkdir -p with mode 0700 for every directory it has to create.
std::string make_parents(const fs::path& dir) {
  fs::path prefix;
  for (const fs::path& part : dir) {
    prefix /= part;
    if (::mkdir(prefix.c_str(), 0700) == 0 || errno == EEXIST) continue;
    return "cannot create " + prefix.string() + ": " + errno_text(errno);
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return dir.string() + " is not a directory";
  return {};
}

}  // namespace

LoadedSettings load_settings_file(const std::string& path) {
  LoadedSettings out;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) return out;  // first run (or a dangling symlink)
  out.found = true;
  auto warn = [&](const std::string& why) { out.warnings.push_back(path + ": " + why); };
  if (!fs::is_regular_file(status)) {
    warn("not a regular file, ignored");
    return out;
  }
  const auto size = fs::file_size(path, ec);
  if (!ec && size > kMaxSettingsFileBytes) {
    warn("larger than " + std::to_string(kMaxSettingsFileBytes / 1024) + " KiB, ignored");
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    warn("cannot be read (" + errno_text(errno) + "), ignored");
    return out;
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ParsedSettings parsed = parse_settings(text);
  out.settings = std::move(parsed.settings);
  for (const std::string& w : parsed.warnings) warn(w);
  return out;
}

std::string save_settings_file(const std::string& path, const Settings& settings) {
  std::error_code ec;
  fs::path target = path;
  if (fs::is_symlink(fs::symlink_status(target, ec))) {
    target = fs::weakly_canonical(target, ec);
    if (ec) return "cannot resolve " + path + ": " + ec.message();
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (std::string why = make_parents(dir); !why.empty()) return why;

  // Same directory as the target: rename() is atomic only within one file system.
  std::string temp_template = target.string() + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temp_template.data());
  if (fd < 0) return "cannot create a temp file in " + dir.string() + ": " + errno_text(errno);
  TempFile temp(temp_template);
  UniqueFd file(fd);
  const std::string text = format_settings(settings);
  if (!write_all(file.get(), text)) return "cannot write " + temp.path() + ": " + errno_text(errno);
  // On disk before the rename makes it the settings: a crash right after the
  // rename must not leave an empty file under the real name.
  if (::fsync(file.get()) != 0) return "cannot sync " + temp.path() + ": " + errno_text(errno);
  if (file.reset() != 0) return "cannot close " + temp.path() + ": " + errno_text(errno);
  if (::rename(temp.path().c_str(), target.c_str()) != 0)
    return "cannot replace " + target.string() + ": " + errno_text(errno);
  temp.release();
  // Makes the rename itself durable; the settings are in place either way.
  if (UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); d.get() >= 0)
    ::fsync(d.get());
  return {};
}

}  // namespace hubchat::desktop
