#include "engine/fhir/json_allocator.h"

#include <boost/test/unit_test.hpp>

#include <string>
#include <thread>
#include <vector>

#include "engine/fhir/json_value.h"
#include "engine/fhir/json_writer.h"

namespace ferry::testing {
namespace {

using engine::fhir::JsonValue;
using engine::fhir::writeJson;

// Lists of many sizes, the largest beyond what the allocator keeps on its free lists, and
// texts beyond the length kept inside a string.
JsonValue tree(int width) {
  JsonValue root = JsonValue::makeObject();
  JsonValue& items = root.addArray("item");
  for (int index = 0; index < width; ++index) {
    JsonValue& item = items.pushObject();
    item.addString("linkId", "item-" + std::to_string(index) + std::string(20, 'x'));
    item.addArray("answer").pushObject().add("valueInteger",
                                             JsonValue::makeNumber(std::to_string(index)));
  }
  return root;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_allocator)

BOOST_AUTO_TEST_CASE(trees_built_on_one_thread_are_dropped_and_rebuilt_on_another) {
  std::vector<JsonValue> built;
  std::thread maker([&built] {
    for (int width = 0; width < 64; ++width) {
      built.push_back(tree(width));
    }
  });
  maker.join();

  std::string expected_last = writeJson(tree(63));
  std::thread taker([&built, &expected_last] {
    BOOST_CHECK_EQUAL(writeJson(built.back()), expected_last);
    built.clear();  // frees onto this thread's lists
    for (int round = 0; round < 3; ++round) {
      JsonValue again = tree(63);  // and reuses them
      BOOST_CHECK_EQUAL(writeJson(again), expected_last);
    }
  });
  taker.join();

  BOOST_CHECK(built.empty());
}

BOOST_AUTO_TEST_CASE(copies_and_moves_keep_their_content) {
  JsonValue original = tree(40);
  std::string text = writeJson(original);

  JsonValue copy = original;
  JsonValue moved = std::move(original);
  copy.find("item")->elements().resize(3);

  BOOST_CHECK_EQUAL(writeJson(moved), text);
  BOOST_CHECK(writeJson(copy) != text);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
