// Issue 9, item 6: --history-total-bytes bounds what the relay really holds.
// 100,000 rooms are created and forgotten; the relay's peak RSS must stay
// under its idle RSS plus the bound. Against the real relay process.
#include <fstream>

#include "tests/integration/relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

// A field of /proc/PID/status in bytes (VmRSS, VmHWM), 0 if unreadable.
std::size_t proc_status_bytes(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
  return 0;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;  // ASan's allocator and shadow memory say nothing of ours
#else
constexpr bool kSanitized = false;
#endif

TEST_F(RelayTest, HundredThousandRoomsStayWithinTheHistoryBound) {
  if (kSanitized) GTEST_SKIP() << "RSS means nothing under AddressSanitizer";
  constexpr std::size_t kBound = 64u << 20;
  constexpr int kRooms = 100000;
  constexpr int kPerFrame = 100;
  ASSERT_TRUE(start_relay({"--history-total-bytes", std::to_string(kBound), "--rate-limit", "0"}));
  LosslessClient c;
  ASSERT_TRUE(c.connect_and_join(port(), "start", "c"));
  const std::size_t idle_rss = proc_status_bytes(relay().pid(), "VmRSS");
  ASSERT_GT(idle_rss, 0u);

  const std::string body(300, 'm');
  for (int first = 0; first < kRooms; first += kPerFrame) {
    std::string frame;
    for (int i = first; i < first + kPerFrame; ++i) {
      frame += R"({"type":"join","room":"room-)" + std::to_string(i) + "\"}\n";
      frame += R"({"type":"msg","body":")" + body + "\"}\n";
    }
    ASSERT_TRUE(c.ws().send_text(frame));
    const std::string last = "room-" + std::to_string(first + kPerFrame - 1);
    ASSERT_TRUE(
        c.wait_for([&](const Event& e) { return e.type == EventType::msg && e.room == last; },
                   deadline_in(10s)))
        << "at room " << first << ": " << c.end().describe();
    c.clear_history();
  }
  const double history = *metric(relay().metrics_text(), "hubchat_history_bytes");
  const double rooms = *metric(relay().metrics_text(), "hubchat_rooms");
  const std::size_t peak_rss = proc_status_bytes(relay().pid(), "VmHWM");
  std::cerr << "idle RSS " << idle_rss / 1024 << " KiB, peak RSS " << peak_rss / 1024
            << " KiB, bound " << kBound / 1024 << " KiB, rooms held " << rooms << ", history bytes "
            << history << "\n";
  EXPECT_LE(history, static_cast<double>(kBound));
  EXPECT_LT(rooms, kRooms) << "nothing was forgotten";
  EXPECT_LT(peak_rss, idle_rss + kBound);
}

}  // namespace
}  // namespace hubchat::test
