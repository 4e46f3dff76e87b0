// Backoff: exponential schedule, cap, reset, and jitter within range for both
// jitter modes, with an injected random source.
#include "client/model/backoff.hpp"

#include <gtest/gtest.h>

#include <random>

namespace hubchat::client {
namespace {

using std::chrono::milliseconds;

Backoff::Random constant(double value) {
  return [value] { return value; };
}

TEST(Backoff, FullJitterCeilingDoublesUpToTheCap) {
  Backoff backoff{Backoff::Options{}, constant(0.999999)};
  std::vector<milliseconds::rep> ceilings;
  for (int i = 0; i < 8; ++i) {
    ceilings.push_back(backoff.next_ceiling().count());
    backoff.next();
  }
  EXPECT_EQ(ceilings,
            (std::vector<milliseconds::rep>{500, 1000, 2000, 4000, 8000, 15000, 15000, 15000}));
  EXPECT_EQ(backoff.attempt(), 8);
}

TEST(Backoff, FullJitterDelayIsUniformBelowTheCeiling) {
  Backoff low{Backoff::Options{}, constant(0.0)};
  Backoff mid{Backoff::Options{}, constant(0.5)};
  Backoff top{Backoff::Options{}, constant(1.0)};  // out of [0,1): clamped, still <= cap
  EXPECT_EQ(low.next(), milliseconds{0});
  EXPECT_EQ(mid.next(), milliseconds{250});
  EXPECT_EQ(mid.next(), milliseconds{500});
  EXPECT_EQ(mid.next(), milliseconds{1000});
  for (int i = 0; i < 20; ++i) EXPECT_LE(top.next(), milliseconds{15000});
  EXPECT_EQ(top.next(), milliseconds{15000});
}

TEST(Backoff, JitterStaysInRangeWithARealRandomSource) {
  std::mt19937 engine{42};
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  Backoff backoff{Backoff::Options{}, [&] { return unit(engine); }};
  bool varied = false;
  milliseconds previous{-1};
  for (int i = 0; i < 200; ++i) {
    const auto ceiling = backoff.next_ceiling();
    const auto delay = backoff.next();
    EXPECT_GE(delay, milliseconds{0});
    EXPECT_LE(delay, ceiling);
    EXPECT_LE(delay, milliseconds{15000});
    if (previous.count() >= 0 && delay != previous) varied = true;
    previous = delay;
  }
  EXPECT_TRUE(varied);
}

TEST(Backoff, ResetStartsOverAfterASuccessfulConnection) {
  Backoff backoff{Backoff::Options{}, constant(0.5)};
  for (int i = 0; i < 6; ++i) backoff.next();
  EXPECT_EQ(backoff.next_ceiling(), milliseconds{15000});
  backoff.reset();
  EXPECT_EQ(backoff.attempt(), 0);
  EXPECT_EQ(backoff.next_ceiling(), milliseconds{500});
  EXPECT_EQ(backoff.next(), milliseconds{250});
}

TEST(Backoff, DecorrelatedJitterStaysBetweenBaseAndCap) {
  Backoff::Options options;
  options.jitter = Backoff::Jitter::decorrelated;
  std::mt19937 engine{7};
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  Backoff backoff{options, [&] { return unit(engine); }};
  milliseconds previous = options.base;
  for (int i = 0; i < 200; ++i) {
    const auto delay = backoff.next();
    EXPECT_GE(delay, milliseconds{500});
    EXPECT_LE(delay, milliseconds{15000});
    EXPECT_LE(delay, std::max(options.base, previous * 3));
    previous = delay;
  }
}

TEST(Backoff, DecorrelatedJitterGrowsAtMostThreefoldAndResets) {
  Backoff::Options options;
  options.jitter = Backoff::Jitter::decorrelated;
  Backoff backoff{options, constant(1.0)};  // always the top of the range
  EXPECT_EQ(backoff.next(), milliseconds{1500});
  EXPECT_EQ(backoff.next(), milliseconds{4500});
  EXPECT_EQ(backoff.next(), milliseconds{13500});
  EXPECT_EQ(backoff.next(), milliseconds{15000});
  backoff.reset();
  EXPECT_EQ(backoff.next(), milliseconds{1500});
}

TEST(Backoff, CustomOptions) {
  Backoff backoff{Backoff::Options{milliseconds{100}, milliseconds{300}, Backoff::Jitter::full},
                  constant(0.999999)};
  EXPECT_EQ(backoff.next_ceiling(), milliseconds{100});
  backoff.next();
  EXPECT_EQ(backoff.next_ceiling(), milliseconds{200});
  backoff.next();
  EXPECT_EQ(backoff.next_ceiling(), milliseconds{300});
}

TEST(Backoff, DefaultRandomSourceWorks) {
  Backoff backoff;
  for (int i = 0; i < 10; ++i) EXPECT_LE(backoff.next(), milliseconds{15000});
}

}  // namespace
}  // namespace hubchat::client
