#include "engine/fhir/validator_xhtml.h"

#include <boost/test/unit_test.hpp>

#include <string>

namespace ferry::testing {
namespace {

using engine::fhir::checkNarrativeXhtml;

bool passes(const std::string& body) {
  return checkNarrativeXhtml("<div xmlns=\"http://www.w3.org/1999/xhtml\">" + body + "</div>") ==
         nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(validator_xhtml)

BOOST_AUTO_TEST_CASE(accepts_basic_html_with_entities_comments_and_empty_elements) {
  BOOST_CHECK(passes("TESTPATIENT &amp; ALPHA &#169; &#xA9;"));
  BOOST_CHECK(passes("<p class=\"x\">one<br/>two</p><!-- note --><table><tr><td /></tr></table>"));
  BOOST_CHECK(passes("<img src=\"a.png\" alt=''/>"));
  BOOST_CHECK(checkNarrativeXhtml("  <div xmlns='http://www.w3.org/1999/xhtml' "
                                  "xml:lang=\"en\">text</div>\n") == nullptr);
}

BOOST_AUTO_TEST_CASE(requires_a_div_root_in_the_xhtml_namespace) {
  BOOST_CHECK(checkNarrativeXhtml("<div>text</div>") != nullptr);
  BOOST_CHECK(checkNarrativeXhtml("<p xmlns=\"http://www.w3.org/1999/xhtml\">text</p>") != nullptr);
  BOOST_CHECK(checkNarrativeXhtml("<div xmlns=\"http://www.w3.org/1999/html\">text</div>") !=
              nullptr);
  BOOST_CHECK(checkNarrativeXhtml("text") != nullptr);
}

BOOST_AUTO_TEST_CASE(refuses_scripts_forms_and_event_attributes) {
  BOOST_CHECK(!passes("<script>x</script>"));
  BOOST_CHECK(!passes("<form><input/></form>"));
  BOOST_CHECK(!passes("<iframe src=\"x\"></iframe>"));
  BOOST_CHECK(!passes("<p onclick=\"x()\">text</p>"));
  BOOST_CHECK(!passes("<a href=\" javascript:x()\">text</a>"));
}

BOOST_AUTO_TEST_CASE(refuses_malformed_markup) {
  BOOST_CHECK(!passes("<p>unclosed"));
  BOOST_CHECK(!passes("<p>crossed<b></p></b>"));
  BOOST_CHECK(!passes("fish & chips"));
  BOOST_CHECK(!passes("<p class=x>unquoted</p>"));
  BOOST_CHECK(checkNarrativeXhtml("<div xmlns=\"http://www.w3.org/1999/xhtml\">a</div><p/>") !=
              nullptr);
  BOOST_CHECK(!passes("<!DOCTYPE html>"));
}

BOOST_AUTO_TEST_CASE(requires_some_content) {
  BOOST_CHECK(checkNarrativeXhtml("<div xmlns=\"http://www.w3.org/1999/xhtml\"> </div>") !=
              nullptr);
  BOOST_CHECK(checkNarrativeXhtml("<div xmlns=\"http://www.w3.org/1999/xhtml\"/>") != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
