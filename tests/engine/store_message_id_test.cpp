#include "engine/store/message_id.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ferry::testing {
namespace {

using engine::store::MessageIdGenerator;

// A clock the test moves by hand.
struct ManualClock {
  std::int64_t now_ms = 1'700'000'000'000;
  MessageIdGenerator::Clock function() {
    return [this] { return now_ms; };
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(store_message_id)

BOOST_AUTO_TEST_CASE(makes_26_character_crockford_base32_ids) {
  MessageIdGenerator generator;

  std::string id = generator.next();

  BOOST_CHECK_EQUAL(id.size(), 26u);
  BOOST_CHECK(engine::store::isWellFormedMessageId(id));
  BOOST_CHECK_EQUAL(id.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(encodes_the_creation_millisecond_first) {
  ManualClock clock;
  MessageIdGenerator generator(clock.function());

  std::string id = generator.next();

  BOOST_CHECK_EQUAL(engine::store::messageIdTimestampMs(id), clock.now_ms);
  clock.now_ms = 0;
  BOOST_CHECK_EQUAL(MessageIdGenerator(clock.function()).next().substr(0, 10), "0000000000");
  clock.now_ms = (std::int64_t{1} << 48) - 1;
  BOOST_CHECK_EQUAL(MessageIdGenerator(clock.function()).next().substr(0, 10), "7ZZZZZZZZZ");
}

BOOST_AUTO_TEST_CASE(sorts_ids_of_later_milliseconds_after_earlier_ones) {
  ManualClock clock;
  MessageIdGenerator generator(clock.function());

  std::string earlier = generator.next();
  clock.now_ms += 1;
  std::string later = generator.next();

  BOOST_CHECK_LT(earlier, later);
  BOOST_CHECK_EQUAL(engine::store::messageIdTimestampMs(later), clock.now_ms);
}

BOOST_AUTO_TEST_CASE(keeps_increasing_within_one_millisecond) {
  ManualClock clock;
  MessageIdGenerator generator(clock.function());

  std::string previous = generator.next();
  for (int i = 0; i < 10'000; ++i) {
    std::string id = generator.next();
    BOOST_REQUIRE_LT(previous, id);
    previous = id;
  }
}

BOOST_AUTO_TEST_CASE(keeps_increasing_when_the_clock_steps_back) {
  ManualClock clock;
  MessageIdGenerator generator(clock.function());
  std::string before = generator.next();

  clock.now_ms -= 60'000;
  std::string after = generator.next();

  BOOST_CHECK_LT(before, after);
  BOOST_CHECK_EQUAL(engine::store::messageIdTimestampMs(after), clock.now_ms + 60'000);
}

BOOST_AUTO_TEST_CASE(gives_different_ids_from_generators_sharing_a_millisecond) {
  ManualClock clock;
  MessageIdGenerator first(clock.function());
  MessageIdGenerator second(clock.function());

  BOOST_CHECK_NE(first.next(), second.next());
}

BOOST_AUTO_TEST_CASE(gives_unique_increasing_ids_to_concurrent_threads) {
  MessageIdGenerator generator;
  constexpr int kThreads = 4;
  constexpr int kIdsPerThread = 5'000;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;

  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&generator, &out = ids[t]] {
      for (int i = 0; i < kIdsPerThread; ++i) {
        out.push_back(generator.next());
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }

  std::set<std::string> all;
  for (const auto& list : ids) {
    for (std::size_t i = 1; i < list.size(); ++i) {
      BOOST_REQUIRE_LT(list[i - 1], list[i]);
    }
    all.insert(list.begin(), list.end());
  }
  BOOST_CHECK_EQUAL(all.size(), static_cast<std::size_t>(kThreads * kIdsPerThread));
}

BOOST_AUTO_TEST_CASE(recognises_malformed_ids) {
  std::string good = MessageIdGenerator().next();

  BOOST_CHECK(engine::store::isWellFormedMessageId(good));
  BOOST_CHECK(!engine::store::isWellFormedMessageId(good.substr(1)));
  BOOST_CHECK(!engine::store::isWellFormedMessageId(good + "0"));
  BOOST_CHECK(!engine::store::isWellFormedMessageId("8" + good.substr(1)));
  for (char bad : {'I', 'L', 'O', 'U', 'a', '-'}) {
    std::string id = good;
    id[20] = bad;
    BOOST_CHECK_MESSAGE(!engine::store::isWellFormedMessageId(id), "accepted '" << bad << "'");
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
