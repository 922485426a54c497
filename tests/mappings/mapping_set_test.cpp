#include "mappings/v2_fhir/mapping_set.h"

#include <boost/test/unit_test.hpp>

#include "support/test_support.h"

namespace ferry::mappings::v2fhir {

BOOST_AUTO_TEST_SUITE(mapping_set)

BOOST_AUTO_TEST_CASE(built_in_files_load_and_cover_the_required_events) {
  auto set = MappingSet::load();

  BOOST_REQUIRE_MESSAGE(set.isOk(), set.status().toString());
  for (const char* event :
       {"ADT^A01", "ADT^A02", "ADT^A03", "ADT^A04", "ADT^A05", "ADT^A08", "ADT^A11", "ADT^A28",
        "ADT^A31", "ADT^A40", "ORU^R01", "ORM^O01", "OML^O21", "VXU^V04", "SIU^S12", "MDM^T02"}) {
    BOOST_CHECK_MESSAGE(set.value()->findMessage(event, "") != nullptr, event);
  }
  BOOST_CHECK(set.value()->findVocabulary("AdministrativeSex") != nullptr);
}

BOOST_AUTO_TEST_CASE(errors_name_file_line_and_json_path) {
  std::vector<DataFile> files = {
      {"segments/BAD-Patient.json",
       "{\"name\": \"BAD-Patient\", \"segment\": \"PID\", \"resource\": \"Patient\",\n"
       " \"fields\": [{\"field\": 3, \"to\": \"identifier[]\", \"type\": \"NoSuchType\"}]}"}};

  auto set = MappingSet::loadFiles(files);

  BOOST_REQUIRE(!set.isOk());
  std::string context = set.status().context();
  BOOST_CHECK(context.find("mappings/data/segments/BAD-Patient.json:2") != std::string::npos);
  BOOST_CHECK(context.find("/fields/0") != std::string::npos);
  BOOST_CHECK(context.find("NoSuchType") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_unknown_keys_and_bad_paths) {
  std::vector<DataFile> files = {
      {"segments/BAD-Patient.json",
       "{\"name\": \"BAD-Patient\", \"segment\": \"PID\", \"resource\": \"Patient\", \"colour\": 1,"
       " \"fields\": [{\"field\": 3, \"to\": \"identifier[[\"}]}"}};

  auto set = MappingSet::loadFiles(files);

  BOOST_REQUIRE(!set.isOk());
  BOOST_CHECK(set.status().context().find("colour") != std::string::npos);
  BOOST_CHECK(set.status().context().find("/fields/0/to") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(override_directory_replaces_a_built_in_file) {
  ferry::testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "segments");
  ferry::testing::writeFile(dir.path() / "segments" / "PV2-Encounter.json",
                            "{\"name\": \"PV2-Encounter\", \"segment\": \"PV2\", \"fields\": []}");

  auto set = MappingSet::load(dir.path().string());

  BOOST_REQUIRE_MESSAGE(set.isOk(), set.status().toString());
  BOOST_CHECK_EQUAL(set.value()->fileCount(), embeddedDataFiles().size());
}

BOOST_AUTO_TEST_CASE(missing_override_directory_is_a_config_error) {
  auto set = MappingSet::load("/nonexistent/ferry-mappings");

  BOOST_REQUIRE(!set.isOk());
  BOOST_CHECK(set.status().code() == engine::ErrorCode::ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::v2fhir
