// --config FILE: the relay reads the same settings from a file as from its
// flags (one CLI11 definition), and a flag given on the command line wins.
#include <unistd.h>

#include <fstream>

#include "tests/integration/relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

class ConfigTest : public RelayTest {
 protected:
  void SetUp() override {
    path_ = "/tmp/hubchat-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".conf";
    std::ofstream(path_) << "# as /etc/hubchat/relay.conf would say it\n"
                            "default-room = \"from-the-file\"\n"
                            "max-connections-per-ip = 1\n";
  }
  void TearDown() override { std::remove(path_.c_str()); }
  // How many of three connections from this address the relay keeps.
  std::size_t connections_kept() {
    std::vector<LosslessClient> clients(3);
    std::size_t kept = 0;
    for (auto& c : clients) {
      if (!c.connect_and_join(port(), "r", "c")) continue;
      ++kept;
    }
    return kept;
  }
  std::string path_;
};

TEST_F(ConfigTest, ASettingMadeOnlyInTheFileTakesEffect) {
  ASSERT_TRUE(start_relay({"--config", path_}));
  LosslessClient watcher;
  ASSERT_TRUE(watcher.connect_and_join(port(), "from-the-file", "watcher"));
  {
    // The per-address cap of 1 is the file's: a second connection is closed.
    LosslessClient second;
    ASSERT_TRUE(second.connect(port()).upgraded());
    Received end = second.ws().wait_closed(deadline_in(5s));
    EXPECT_EQ(end.close_code, 1008) << end.describe();
  }
  LosslessClient extra;
  EXPECT_FALSE(extra.connect_and_join(port(), "r", "extra", deadline_in(2s)));
}

TEST_F(ConfigTest, AFlagOverridesTheFile) {
  ASSERT_TRUE(start_relay({"--config", path_, "--max-connections-per-ip", "2"}));
  EXPECT_EQ(connections_kept(), 2u);
}

TEST_F(ConfigTest, TheFileSetsTheLegacyDefaultRoom) {
  ASSERT_TRUE(start_relay({"--config", path_, "--max-connections-per-ip", "5"}));
  LosslessClient watcher;
  ASSERT_TRUE(watcher.connect_and_join(port(), "from-the-file", "watcher"));
  LegacyClient legacy;  // no ?room=: the default room, as the file names it
  ASSERT_TRUE(legacy.connect(port()).upgraded());
  ASSERT_TRUE(legacy.send("hello from the default room"));
  EXPECT_TRUE(watcher.wait_for(
      [](const Event& e) {
        return e.type == EventType::msg && e.body == "hello from the default room";
      },
      deadline_in(5s)));
}

TEST_F(ConfigTest, AMissingFileIsAClearError) {
  RelayProcess relay({"--config", path_ + ".missing"});
  EXPECT_FALSE(relay.start(std::chrono::seconds(3)));
  EXPECT_NE(relay.stderr_text().find("File does not exist"), std::string::npos)
      << relay.stderr_text();
}

}  // namespace
}  // namespace hubchat::test
