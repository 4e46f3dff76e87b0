// What a load-generating client has not handed to its non-blocking socket
// yet: bytes go straight to send() while nothing is queued, the rest waits
// here until the socket is writable again (EPOLLOUT). Shared by
// hubchat_loadgen and hubchat_storm.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hubchat::bench {

class SendBuffer {
 public:
  enum class Result {
    done,     // everything is in the socket
    pending,  // some is queued: wait for EPOLLOUT, then flush()
    failed,   // the socket is broken: close the connection
  };
  // Sends `bytes` after whatever is queued.
  Result send(int fd, std::string_view bytes);
  // Sends what is queued.
  Result flush(int fd);
  bool empty() const { return sent_ == out_.size(); }
  void clear();

 private:
  std::string out_;
  std::size_t sent_ = 0;
};

}  // namespace hubchat::bench
