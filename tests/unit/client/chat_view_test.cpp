// ChatView without a window: Dear ImGui with its default font and no
// renderer, over a ChatSession on the in-memory transport, driven through
// the PointerQueue as the browser drives it (a whole tap pushed at once).
// The same view code runs on the desktop: the layout follows the width in
// logical pixels; the narrow status bar unfolds the connect panel on one
// tap; 20 joins are one collapsed line that a tap expands and folds; a drag
// scrolls the log, a new message then leaves it where it is, and the jump
// bar returns to the bottom.
#include "client/ui/chat_view.hpp"

#include <gtest/gtest.h>
#include <imgui.h>

#include <cfloat>
#include <cstdio>
#include <memory>
#include <string>

#include "client/ui/pointer_queue.hpp"
#include "fake_transport.hpp"
#include "shared/lossless_codec.hpp"
#include "tests/unit/client/relay_events.hpp"

namespace hubchat::ui {
namespace {

using namespace std::chrono_literals;
using client::ChatSession;
using client::testing::FakeTransport;
using client::testing::server_accepts;
using client::testing::server_sends;
using Kind = PointerQueue::Kind;

std::string welcome(std::vector<std::string> members) {
  return lossless::encode(client::testing::welcome("lobby", 1, std::move(members), 1));
}

std::string msg(Seq seq, std::string body) {
  return lossless::encode(client::testing::msg("lobby", seq, "jun", std::move(body)));
}

std::string join(std::string nick, std::uint64_t count) {
  return lossless::encode(
      client::testing::presence(EventType::join, "lobby", std::move(nick), count));
}

class ChatViewTest : public ::testing::Test {
 protected:
  ChatViewTest() {
    context_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DeltaTime = 1.0f / 60.0f;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // ImGui's default font
    session_ = std::make_unique<ChatSession>(std::make_unique<FakeTransport>(state_));
    view_ = std::make_unique<ChatView>(
        *session_, ChatView::Settings{"ws://relay:8080/ws", "mina", "lobby", false, "", {}});
    resize(390, 844);
  }
  ~ChatViewTest() override {
    view_.reset();
    session_.reset();
    ImGui::DestroyContext(context_);
  }

  void resize(float w, float h, float scale = 1.0f) {
    ImGui::GetIO().DisplaySize = ImVec2(w, h);
    view_->set_scale(scale);
  }

  // One frame: the network, the next pointer change, the view.
  void frame() {
    session_->tick(now_);
    const PointerQueue::State& p = pointer_.step();
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = p.present ? ImVec2(p.x, p.y) : ImVec2(-FLT_MAX, -FLT_MAX);
    for (std::size_t i = 0; i < p.down.size(); ++i) io.MouseDown[i] = p.down[i];
    ImGui::NewFrame();
    view_->draw(now_);
    ImGui::Render();
    now_ += 16ms;
  }
  void frames(int n) {
    for (int i = 0; i < n; ++i) frame();
  }

  ImVec2 center(std::string_view name) {
    const UiProbe::Rect* r = view_->probe().find(name);
    EXPECT_NE(r, nullptr) << name << " not drawn: " << view_->probe().json(1);
    if (r == nullptr) return {};
    return {(r->x0 + r->x1) / 2, (r->y0 + r->y1) / 2};
  }

  // A tap as a touch screen delivers it: down, up and gone, all before the next frame.
  void tap(std::string_view name) {
    const ImVec2 c = center(name);
    pointer_.push(Kind::down, c.x, c.y);
    pointer_.push(Kind::up, c.x, c.y);
    pointer_.push(Kind::leave, c.x, c.y);
    frames(5);
  }

  void joined(std::string frame_after_welcome = {}) {
    view_->connect(now_);
    server_accepts(state_, "hubchat.v1");
    server_sends(state_, welcome({"jun", "mina"}) +
                             (frame_after_welcome.empty() ? "" : "\n" + frame_after_welcome));
    frames(3);
  }

  std::string value(std::string_view key) const { return view_->probe().value(key); }
  double number(std::string_view key) const { return std::stod(value(key)); }
  bool drawn(std::string_view name) const { return view_->probe().find(name) != nullptr; }

  ImGuiContext* context_ = nullptr;
  FakeTransport::State state_;
  std::unique_ptr<ChatSession> session_;
  std::unique_ptr<ChatView> view_;
  PointerQueue pointer_;
  client::TimePoint now_{};
};

TEST_F(ChatViewTest, TheLayoutFollowsTheWidthInLogicalPixels) {
  frame();
  EXPECT_EQ(value("narrow"), "true");  // a phone
  resize(1100, 720);
  frame();
  EXPECT_EQ(value("narrow"), "false");  // the desktop window
  resize(780, 1000, 2.0f);
  frame();
  EXPECT_EQ(value("narrow"), "true");  // 390 logical pixels on a 2x screen
  resize(1300, 900, 2.0f);
  frame();
  EXPECT_EQ(value("narrow"), "false");
}

TEST_F(ChatViewTest, NarrowStatusBarUnfoldsTheConnectPanelOnOneTap) {
  frame();
  EXPECT_TRUE(drawn("server"));  // disconnected: the whole panel
  EXPECT_FALSE(drawn("status"));
  joined();
  EXPECT_TRUE(drawn("status"));
  EXPECT_FALSE(drawn("server"));
  EXPECT_FALSE(drawn("disconnect"));
  EXPECT_EQ(number("members"), 2);
  const UiProbe::Rect* log = view_->probe().find("log");
  ASSERT_NE(log, nullptr);
  EXPECT_GE(log->x1 - log->x0, 0.9f * 390);

  tap("status");
  EXPECT_EQ(value("panel_open"), "true");
  EXPECT_TRUE(drawn("server"));
  tap("disconnect");
  EXPECT_EQ(session_->state(), client::ConnectionState::disconnected);
}

TEST_F(ChatViewTest, TheDrawerOpensAndClosesWithOneTapEach) {
  joined();
  tap("drawer");
  EXPECT_EQ(value("drawer_open"), "true");
  EXPECT_TRUE(drawn("room:lobby"));
  EXPECT_FALSE(drawn("log"));
  tap("drawer");
  EXPECT_EQ(value("drawer_open"), "false");
  EXPECT_TRUE(drawn("log"));
}

TEST_F(ChatViewTest, TwentyJoinsAreOneLineThatATapExpandsAndFolds) {
  resize(1100, 720);  // the desktop's wide layout groups the same way
  std::string events = msg(1, "hi");
  for (int i = 1; i <= 20; ++i) {
    char nick[8];
    std::snprintf(nick, sizeof nick, "g%02d", i);
    events += "\n" + join(nick, 2 + static_cast<std::uint64_t>(i));
  }
  joined(events);
  EXPECT_EQ(value("log.collapsed"), "[\"g01, g02 and 18 others joined\"]");
  EXPECT_EQ(number("log.drawn"), number("log.lines") - 19);
  EXPECT_EQ(number("members"), 22);

  tap("run:0");
  EXPECT_EQ(value("log.collapsed"), "[]");
  EXPECT_EQ(number("log.drawn"), number("log.lines") + 1);  // and the "hide" row
  tap("run:0");
  EXPECT_EQ(value("log.collapsed"), "[\"g01, g02 and 18 others joined\"]");
}

TEST_F(ChatViewTest, ADragScrollsTheLogAndTheJumpBarReturnsToTheBottom) {
  std::string events;
  for (Seq s = 1; s <= 200; ++s) events += (s > 1 ? "\n" : "") + msg(s, "message");
  joined(events);
  frames(2);
  ASSERT_GT(number("log.scroll_max"), 0);
  EXPECT_EQ(value("log.at_bottom"), "true");
  EXPECT_EQ(value("log.jump"), "false");

  // A finger on the log moves 300 px down, a frame per step, then lifts.
  const ImVec2 c = center("log");
  pointer_.push(Kind::down, c.x, c.y - 150);
  frames(2);
  for (int step = 1; step <= 10; ++step) {
    pointer_.push(Kind::move, c.x, c.y - 150 + 30.0f * static_cast<float>(step));
    frame();
  }
  frames(3);  // held still before the lift: little momentum left
  pointer_.push(Kind::up, c.x, c.y + 150);
  pointer_.push(Kind::leave, c.x, c.y + 150);
  for (int i = 0; i < 300 && value("log.scrolling") != "false"; ++i) frame();
  frames(2);
  const double scrolled = number("log.scroll_y");
  EXPECT_LE(scrolled, number("log.scroll_max") - 250);
  EXPECT_EQ(value("log.at_bottom"), "false");
  EXPECT_EQ(value("log.jump"), "true");

  server_sends(state_, msg(201, "new"));
  frames(3);
  EXPECT_EQ(number("log.scroll_y"), scrolled);  // the view stays
  EXPECT_EQ(number("log.new"), 1);

  tap("jump");
  EXPECT_EQ(value("log.at_bottom"), "true");
  EXPECT_EQ(value("log.jump"), "false");
  EXPECT_EQ(number("log.scroll_y"), number("log.scroll_max"));
}

}  // namespace
}  // namespace hubchat::ui
