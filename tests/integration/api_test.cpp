// The operator API against the real relay (issue 16, acceptance 5): with
// --api-key-file, POST /api/publish posts into a room as a named bot user and
// both dialects' clients see it; without the key (or with a wrong one) 401;
// wrong keys in a row from one address are throttled (429, even for the
// right key then); GET /api/rooms lists rooms and member counts; without
// --api-key-file there is no API.
#include <filesystem>
#include <fstream>

#include "relay_test_fixture.hpp"
#include "shared/json.hpp"
#include "tests/support/temp_dir.hpp"

namespace hubchat::test {
namespace {

constexpr const char* kKey = "test-api-key-0123456789abcdef";

class ApiTest : public RelayTest {
 protected:
  ApiTest() : key_file_(dir_.write("api-key", std::string(kKey) + "\n")) {}

  HttpResponse api(const std::string& method, const std::string& path, const std::string& body,
                   const std::string& key = kKey) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    if (!key.empty()) request.headers.emplace_back("Authorization", "Bearer " + key);
    if (method == "POST") return http_send(port(), request, body);
    return http_request(port(), request);
  }

  TempDir dir_{"api"};
  std::string key_file_;
};

// The value of a top-level unsigned field of a JSON object body.
std::optional<std::uint64_t> uint_field(const std::string& body, const std::string& key) {
  std::vector<json::Field> fields;
  std::string error;
  if (!json::parse_object(body, fields, error)) return std::nullopt;
  for (const json::Field& f : fields)
    if (f.key == key && f.kind == json::Kind::uint) return f.number;
  return std::nullopt;
}

TEST_F(ApiTest, PublishWithTheKeyPostsIntoTheRoomForBothDialects) {
  ASSERT_TRUE(start_relay({"--api-key-file", key_file_}));
  LosslessClient lossless;
  ASSERT_TRUE(lossless.connect_and_join(port(), "news", "reader"));
  LegacyClient legacy;
  ASSERT_TRUE(legacy.connect(port(), "news", "old").upgraded());
  // The legacy client is in the room once the lossless one hears it join.
  ASSERT_TRUE(
      lossless.wait_for([](const Event& e) { return e.type == EventType::join && e.nick == "old"; },
                        deadline_in(5s)));

  const HttpResponse r = api("POST", "/api/publish",
                             R"({"room":"news","from":"deploy-bot","body":"v2 is out\nenjoy"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.header("content-type").find("application/json"), std::string::npos);
  const auto seq = uint_field(r.body, "seq");
  ASSERT_TRUE(seq) << r.body;

  auto seen = lossless.wait_for(
      [](const Event& e) { return e.type == EventType::msg && e.from == "deploy-bot"; },
      deadline_in(5s));
  ASSERT_TRUE(seen) << describe(lossless.history());
  EXPECT_EQ(seen->body, "v2 is out\nenjoy");
  EXPECT_EQ(seen->seq, *seq);
  EXPECT_EQ(seen->room, "news");
  // Legacy: one line, its newline a space (the legacy dialect's rule).
  EXPECT_TRUE(legacy.wait_for("v2 is out enjoy", deadline_in(5s)));

  // A second post gets the next seq.
  const HttpResponse again =
      api("POST", "/api/publish", R"({"room":"news","from":"b","body":"2"})");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(uint_field(again.body, "seq"), *seq + 1);
}

TEST_F(ApiTest, BadRequestsAreRefusedWithAJsonError) {
  ASSERT_TRUE(start_relay({"--api-key-file", key_file_}));
  EXPECT_EQ(api("POST", "/api/publish", "not json").status, 400);
  EXPECT_EQ(api("POST", "/api/publish", R"({"room":"r","from":"b"})").status, 400);
  EXPECT_EQ(api("POST", "/api/publish", R"({"room":"r","from":"b","body":""})").status, 400);
  EXPECT_EQ(api("POST", "/api/publish", R"({"room":"","from":"b","body":"x"})").status, 400);
  EXPECT_EQ(api("GET", "/api/publish", "").status, 405);
  EXPECT_EQ(api("POST", "/api/nothing-here", "{}").status, 404);
  const HttpResponse big = api("POST", "/api/publish", std::string(200 * 1024, 'x'));
  EXPECT_EQ(big.status, 413);
}

TEST_F(ApiTest, WithoutTheKeyOrWithAWrongOneItIs401) {
  ASSERT_TRUE(start_relay({"--api-key-file", key_file_}));
  LosslessClient reader;
  ASSERT_TRUE(reader.connect_and_join(port(), "news", "reader"));
  const std::string post = R"({"room":"news","from":"mallory","body":"spoofed"})";
  EXPECT_EQ(api("POST", "/api/publish", post, "").status, 401);
  EXPECT_EQ(api("POST", "/api/publish", post, "test-api-key-0123456789abcdeX").status, 401);
  EXPECT_EQ(api("POST", "/api/publish", post, std::string(kKey) + "x").status, 401);
  EXPECT_EQ(api("GET", "/api/rooms", "", "").status, 401);
  // Nothing was posted: a later, authorised post is the room's first message.
  const HttpResponse ok =
      api("POST", "/api/publish", R"({"room":"news","from":"b","body":"real"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  ASSERT_TRUE(
      reader.wait_for([](const Event& e) { return e.type == EventType::msg; }, deadline_in(5s)));
  EXPECT_FALSE(has_msg_body(reader.history(), "spoofed"));
  EXPECT_EQ(reader.msgs().size(), 1u) << describe(reader.history());
}

TEST_F(ApiTest, TwentyWrongKeysInARowAreThrottled) {
  ASSERT_TRUE(start_relay({"--api-key-file", key_file_}));
  std::vector<int> statuses;
  for (int i = 0; i < 20; ++i)
    statuses.push_back(api("GET", "/api/rooms", "", "wrong-key-" + std::to_string(i)).status);
  const auto refused = std::count(statuses.begin(), statuses.end(), 401);
  const auto throttled = std::count(statuses.begin(), statuses.end(), 429);
  EXPECT_EQ(refused + throttled, 20);
  EXPECT_EQ(refused, 10);  // the 11th guess within a minute is throttled
  EXPECT_EQ(statuses.back(), 429);
  // Throttled means no more guesses: the right key from this address waits too.
  EXPECT_EQ(api("GET", "/api/rooms", "").status, 429);
}

TEST_F(ApiTest, RoomsListsRoomsWithTheirMemberCounts) {
  ASSERT_TRUE(start_relay({"--api-key-file", key_file_}));
  LosslessClient a, b, c;
  ASSERT_TRUE(a.connect_and_join(port(), "alpha", "a"));
  ASSERT_TRUE(b.connect_and_join(port(), "alpha", "b"));
  ASSERT_TRUE(c.connect_and_join(port(), "beta", "c"));
  const HttpResponse r = api("GET", "/api/rooms", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body,
            "{\"rooms\":[{\"room\":\"alpha\",\"members\":2},{\"room\":\"beta\",\"members\":1}]}\n");
}

TEST_F(ApiTest, WithoutAnApiKeyFileThereIsNoApi) {
  ASSERT_TRUE(start_relay());
  EXPECT_EQ(api("POST", "/api/publish", R"({"room":"r","from":"b","body":"x"})").status, 404);
  EXPECT_EQ(api("GET", "/api/rooms", "").status, 404);
}

}  // namespace
}  // namespace hubchat::test
