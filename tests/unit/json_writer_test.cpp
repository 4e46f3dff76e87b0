// JsonObject: what it writes is one JSON object that json::parse_object reads
// back field for field, with strings escaped and nested values kept as given.
#include "shared/json_writer.hpp"

#include <gtest/gtest.h>

#include "shared/json.hpp"

namespace hubchat::json {
namespace {

TEST(JsonWriter, WritesFieldsThatParseBack) {
  JsonObject o;
  o.string("name", "a \"quoted\"\nline")
      .boolean("on", true)
      .uint("n", 42)
      .strings("list", {"x", "y"});
  std::vector<Field> fields;
  std::string error;
  ASSERT_TRUE(parse_object(o.str(), fields, error)) << error << " in " << o.str();
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0].text, "a \"quoted\"\nline");
  EXPECT_TRUE(fields[1].flag);
  EXPECT_EQ(fields[2].number, 42u);
  EXPECT_EQ(fields[3].items, (std::vector<std::string>{"x", "y"}));
}

TEST(JsonWriter, NestsRawValuesAndWritesNumbers) {
  JsonObject inner;
  inner.integer("i", -3).decimal("d", 2.5);
  JsonObject outer;
  outer.raw("inner", inner.str()).raw("arr", array_of({"1", "\"two\""}));
  EXPECT_EQ(outer.str(), R"({"inner":{"i":-3,"d":2.5},"arr":[1,"two"]})");
  EXPECT_EQ(JsonObject{}.str(), "{}");
}

}  // namespace
}  // namespace hubchat::json
