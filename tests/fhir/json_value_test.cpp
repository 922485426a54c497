#include "engine/fhir/json_value.h"

#include <boost/test/unit_test.hpp>

#include <string>

namespace ferry::testing {
namespace {

using engine::fhir::JsonType;
using engine::fhir::JsonValue;

JsonValue twoMembers(const std::string& first, const std::string& second) {
  JsonValue object = JsonValue::makeObject();
  object.add(first, JsonValue::makeString("one"));
  object.add(second, JsonValue::makeString("two"));
  return object;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_value)

BOOST_AUTO_TEST_CASE(default_value_is_null) {
  JsonValue value;

  BOOST_CHECK(value.isNull());
  BOOST_CHECK(value.type() == JsonType::Null);
  BOOST_CHECK_EQUAL(value.offset(), 0u);
}

BOOST_AUTO_TEST_CASE(factories_set_type_and_content) {
  BOOST_CHECK(JsonValue::makeBool(true).isBool());
  BOOST_CHECK(JsonValue::makeBool(true).boolean());
  BOOST_CHECK(!JsonValue::makeBool(false).boolean());
  BOOST_CHECK(JsonValue::makeNumber("1.50").isNumber());
  BOOST_CHECK_EQUAL(JsonValue::makeNumber("1.50").text(), "1.50");
  BOOST_CHECK(JsonValue::makeString("text").isString());
  BOOST_CHECK_EQUAL(JsonValue::makeString("text").text(), "text");
  BOOST_CHECK(JsonValue::makeArray().isArray());
  BOOST_CHECK(JsonValue::makeObject().isObject());
}

BOOST_AUTO_TEST_CASE(find_returns_the_named_member_or_null) {
  JsonValue object = twoMembers("family", "given");

  const JsonValue& view = object;

  BOOST_REQUIRE(view.find("given") != nullptr);
  BOOST_CHECK_EQUAL(view.find("given")->text(), "two");
  BOOST_CHECK(view.find("giv") == nullptr);
  BOOST_CHECK(object.find("missing") == nullptr);
}

BOOST_AUTO_TEST_CASE(add_appends_in_order_and_returns_the_new_member) {
  JsonValue object = JsonValue::makeObject();

  JsonValue& array = object.add("given", JsonValue::makeArray());
  array.push(JsonValue::makeString("A"));
  object.add("family", JsonValue::makeString("B"));

  BOOST_REQUIRE_EQUAL(object.members().size(), 2u);
  BOOST_CHECK_EQUAL(object.members()[0].first, "given");
  BOOST_CHECK_EQUAL(object.members()[1].first, "family");
  BOOST_REQUIRE_EQUAL(object.find("given")->elements().size(), 1u);
  BOOST_CHECK_EQUAL(object.find("given")->elements()[0].text(), "A");
}

BOOST_AUTO_TEST_CASE(push_appends_elements_in_order) {
  JsonValue array = JsonValue::makeArray();

  array.push(JsonValue::makeNumber("1"));
  JsonValue& second = array.push(JsonValue::makeNumber("2"));
  second.setText("3");

  BOOST_REQUIRE_EQUAL(array.elements().size(), 2u);
  BOOST_CHECK_EQUAL(array.elements()[0].text(), "1");
  BOOST_CHECK_EQUAL(array.elements()[1].text(), "3");
}

BOOST_AUTO_TEST_CASE(in_place_builders_make_what_add_and_push_make) {
  JsonValue built = JsonValue::makeObject();
  built.addString("name", "value");
  built.addObject("object").addString("inner", "x");
  JsonValue& list = built.addArray("list");
  list.push(JsonValue::makeString("first"));
  list.pushObject().addString("second", "y");

  JsonValue expected = JsonValue::makeObject();
  expected.add("name", JsonValue::makeString("value"));
  expected.add("object", JsonValue::makeObject()).add("inner", JsonValue::makeString("x"));
  JsonValue& expected_list = expected.add("list", JsonValue::makeArray());
  expected_list.push(JsonValue::makeString("first"));
  expected_list.push(JsonValue::makeObject()).add("second", JsonValue::makeString("y"));

  BOOST_CHECK(built == expected);
}

BOOST_AUTO_TEST_CASE(remove_deletes_only_the_named_member) {
  JsonValue object = twoMembers("family", "given");

  bool removed = object.remove("family");
  bool removed_again = object.remove("family");

  BOOST_CHECK(removed);
  BOOST_CHECK(!removed_again);
  BOOST_REQUIRE_EQUAL(object.members().size(), 1u);
  BOOST_CHECK_EQUAL(object.members()[0].first, "given");
}

BOOST_AUTO_TEST_CASE(equality_ignores_offsets) {
  JsonValue a = JsonValue::makeString("x");
  JsonValue b = JsonValue::makeString("x");

  b.setOffset(42);

  BOOST_CHECK(a == b);
}

BOOST_AUTO_TEST_CASE(equality_respects_member_order) {
  BOOST_CHECK(twoMembers("a", "b") == twoMembers("a", "b"));
  BOOST_CHECK(!(twoMembers("a", "b") == twoMembers("b", "a")));
}

BOOST_AUTO_TEST_CASE(equality_compares_number_literals_as_written) {
  BOOST_CHECK(!(JsonValue::makeNumber("1.5") == JsonValue::makeNumber("1.50")));
  BOOST_CHECK(JsonValue::makeNumber("1.50") == JsonValue::makeNumber("1.50"));
}

BOOST_AUTO_TEST_CASE(equality_distinguishes_types_with_the_same_text) {
  BOOST_CHECK(!(JsonValue::makeNumber("1") == JsonValue::makeString("1")));
  BOOST_CHECK(!(JsonValue::makeArray() == JsonValue::makeObject()));
  BOOST_CHECK(!(JsonValue() == JsonValue::makeBool(false)));
}

BOOST_AUTO_TEST_CASE(equality_compares_nested_elements) {
  JsonValue a = JsonValue::makeArray();
  a.push(twoMembers("a", "b"));
  JsonValue b = a;

  b.elements()[0].find("b")->setText("changed");

  BOOST_CHECK(!(a == b));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
