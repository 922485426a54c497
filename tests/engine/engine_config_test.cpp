#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <boost/test/unit_test.hpp>

#include "engine/config/engine_config.h"
#include "support/test_support.h"

namespace {

using ferry::engine::config::ConfigError;
using ferry::engine::config::ConfigErrors;
using ferry::engine::config::EngineConfig;
using ferry::engine::config::loadEngineConfig;
using ferry::engine::config::RetryPolicy;
using std::chrono::milliseconds;

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Writes `text` as engine.jsonc in a fresh temporary directory and loads it.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) : path_((dir_.path() / "engine.jsonc").string()) {
    ferry::testing::writeFile(path_, text);
  }

  std::shared_ptr<const EngineConfig> load() { return loadEngineConfig(path_, errors_); }

  // Loads and requires success, printing every error otherwise.
  std::shared_ptr<const EngineConfig> loadOrFail() {
    auto config = load();
    BOOST_REQUIRE_MESSAGE(config != nullptr && errors_.empty(), errors_.format());
    return config;
  }

  const std::string& path() const { return path_; }
  const ConfigErrors& errors() const { return errors_; }

  // The only error reported at `json_path`; fails the test when there is not exactly one.
  const ConfigError& errorAt(std::string_view json_path) const {
    const ConfigError* found = nullptr;
    int count = 0;
    for (const auto& error : errors_.all()) {
      if (error.json_path == json_path) {
        found = &error;
        ++count;
      }
    }
    BOOST_REQUIRE_MESSAGE(count == 1, "expected one error at " + std::string(json_path) + ", got " +
                                          std::to_string(count) + ":\n" + errors_.format());
    return *found;
  }

 private:
  ferry::testing::TempDir dir_;
  std::string path_;
  ConfigErrors errors_;
};

constexpr std::string_view kMinimal = R"({
  "keys": {"file": "keys/ferry.keys"},
  "routes": []
})";

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_config)

BOOST_AUTO_TEST_CASE(minimal_config_loads_with_the_documented_defaults) {
  ConfigFile file{std::string(kMinimal)};

  auto config = file.loadOrFail();

  BOOST_CHECK_EQUAL(config->config_file, file.path());
  BOOST_CHECK_EQUAL(config->name, "ferry");
  BOOST_CHECK_EQUAL(config->data_directory, "var/data");
  BOOST_CHECK_EQUAL(config->log_level, "information");
  BOOST_CHECK_EQUAL(config->log_file, "");
  BOOST_CHECK_EQUAL(config->storage_url, "sqlite:var/data/ferry.db");
  BOOST_CHECK_EQUAL(config->key_file, "keys/ferry.keys");
  BOOST_CHECK(config->create_keys);
  BOOST_CHECK_EQUAL(config->max_message_bytes, std::size_t{16} * 1024 * 1024);
  BOOST_CHECK(config->listeners.empty());
  BOOST_CHECK(config->destinations.empty());
  BOOST_REQUIRE(config->routes.has_value());
  BOOST_CHECK(config->routes->isArray());
  BOOST_CHECK_EQUAL(config->routes->path(), "/routes");
}

BOOST_AUTO_TEST_CASE(default_storage_url_follows_the_data_directory) {
  ConfigFile file(R"({
    "engine": {"data_directory": "/srv/ferry/data"},
    "keys": {"file": "k"},
    "routes": []
  })");

  auto config = file.loadOrFail();

  BOOST_CHECK_EQUAL(config->storage_url, "sqlite:/srv/ferry/data/ferry.db");
}

BOOST_AUTO_TEST_CASE(reads_every_engine_storage_keys_and_limits_setting) {
  ConfigFile file(R"({
    // every engine-level key set to a non-default value
    "engine": {
      "name": "ferry-test",
      "data_directory": "data",
      "log_level": "debug",
      "log_file": "logs/ferry.log"
    },
    "storage": {"url": "sqlite:/tmp/other.db"},
    "keys": {"file": "secret/ferry.keys", "create_if_missing": false},
    "limits": {"max_message_bytes": 2048},
    "routes": []
  })");

  auto config = file.loadOrFail();

  BOOST_CHECK_EQUAL(config->name, "ferry-test");
  BOOST_CHECK_EQUAL(config->data_directory, "data");
  BOOST_CHECK_EQUAL(config->log_level, "debug");
  BOOST_CHECK_EQUAL(config->log_file, "logs/ferry.log");
  BOOST_CHECK_EQUAL(config->storage_url, "sqlite:/tmp/other.db");
  BOOST_CHECK_EQUAL(config->key_file, "secret/ferry.keys");
  BOOST_CHECK(!config->create_keys);
  BOOST_CHECK_EQUAL(config->max_message_bytes, 2048u);
}

BOOST_AUTO_TEST_CASE(accepts_each_documented_log_level) {
  for (const char* level : {"error", "warning", "information", "debug", "trace"}) {
    ConfigFile file(std::string(R"({"engine": {"log_level": ")") + level +
                    R"("}, "keys": {"file": "k"}, "routes": []})");

    auto config = file.load();

    BOOST_CHECK_MESSAGE(config != nullptr, level << ": " << file.errors().format());
  }
}

BOOST_AUTO_TEST_CASE(reads_listeners_in_order_with_their_whole_node) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "listeners": [
      {"name": "emr-adt", "type": "mllp", "port": 0, "insecure": true},
      {"name": "lab-in", "type": "mllp", "port": 0}
    ],
    "routes": []
  })");

  auto config = file.loadOrFail();

  BOOST_REQUIRE_EQUAL(config->listeners.size(), 2u);
  BOOST_CHECK_EQUAL(config->listeners[0].name, "emr-adt");
  BOOST_CHECK_EQUAL(config->listeners[0].type, "mllp");
  BOOST_CHECK_EQUAL(config->listeners[0].node.path(), "/listeners/0");
  BOOST_CHECK(config->listeners[0].node.member("insecure").has_value());
  BOOST_CHECK_EQUAL(config->listeners[1].name, "lab-in");
  BOOST_CHECK_EQUAL(config->listeners[1].node.path(), "/listeners/1");
}

BOOST_AUTO_TEST_CASE(reads_destinations_of_every_route_in_order_with_their_route) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "listeners": [{"name": "in", "type": "mllp"}],
    "routes": [
      {"name": "r1", "source": ["in"], "destinations": [
        {"name": "a", "type": "file", "directory": "out/a"},
        {"name": "b", "type": "mllp", "ordered": false}
      ]},
      {"name": "r2", "source": ["in"], "destinations": [
        {"name": "c", "type": "file", "directory": "out/c"}
      ]}
    ]
  })");

  auto config = file.loadOrFail();

  BOOST_REQUIRE_EQUAL(config->destinations.size(), 3u);
  const auto& a = config->destinations[0];
  BOOST_CHECK_EQUAL(a.name, "a");
  BOOST_CHECK_EQUAL(a.type, "file");
  BOOST_CHECK_EQUAL(a.route, "r1");
  BOOST_CHECK(a.ordered);
  BOOST_CHECK_EQUAL(a.node.path(), "/routes/0/destinations/0");
  BOOST_CHECK(a.node.member("directory").has_value());
  BOOST_CHECK_EQUAL(config->destinations[1].name, "b");
  BOOST_CHECK_EQUAL(config->destinations[1].route, "r1");
  BOOST_CHECK(!config->destinations[1].ordered);
  BOOST_CHECK_EQUAL(config->destinations[2].name, "c");
  BOOST_CHECK_EQUAL(config->destinations[2].route, "r2");
  BOOST_CHECK_EQUAL(config->destinations[2].node.path(), "/routes/1/destinations/0");
}

BOOST_AUTO_TEST_CASE(destination_without_retry_gets_the_default_policy) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "routes": [{"name": "r", "source": [], "destinations": [{"name": "d", "type": "file"}]}]
  })");

  auto config = file.loadOrFail();

  BOOST_REQUIRE_EQUAL(config->destinations.size(), 1u);
  const RetryPolicy& retry = config->destinations[0].retry;
  BOOST_CHECK_EQUAL(retry.max_attempts, 10);
  BOOST_CHECK(retry.initial_backoff == milliseconds(1000));
  BOOST_CHECK(retry.max_backoff == milliseconds(300000));
  BOOST_CHECK_EQUAL(retry.multiplier, 2.0);
}

BOOST_AUTO_TEST_CASE(reads_every_retry_setting) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "routes": [{"name": "r", "source": [], "destinations": [{
      "name": "d", "type": "mllp",
      "retry": {"max_attempts": 4, "initial_backoff_ms": 250, "max_backoff_ms": 5000,
                "multiplier": 1.5}
    }]}]
  })");

  auto config = file.loadOrFail();

  BOOST_REQUIRE_EQUAL(config->destinations.size(), 1u);
  const RetryPolicy& retry = config->destinations[0].retry;
  BOOST_CHECK_EQUAL(retry.max_attempts, 4);
  BOOST_CHECK(retry.initial_backoff == milliseconds(250));
  BOOST_CHECK(retry.max_backoff == milliseconds(5000));
  BOOST_CHECK_EQUAL(retry.multiplier, 1.5);
}

BOOST_AUTO_TEST_CASE(reports_each_bad_retry_setting_at_its_path) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "routes": [{"name": "r", "source": [], "destinations": [{
      "name": "d", "type": "mllp",
      "retry": {"max_attempts": 0, "initial_backoff_ms": 1.5, "multiplier": 0.5,
                "max_backof_ms": 10}
    }]}]
  })");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  BOOST_CHECK_EQUAL(file.errors().all().size(), 4u);
  file.errorAt("/routes/0/destinations/0/retry/max_attempts");
  file.errorAt("/routes/0/destinations/0/retry/initial_backoff_ms");
  file.errorAt("/routes/0/destinations/0/retry/multiplier");
  const ConfigError& unknown = file.errorAt("/routes/0/destinations/0/retry/max_backof_ms");
  BOOST_CHECK_MESSAGE(contains(unknown.message, "unknown key 'max_backof_ms'"), unknown.message);
}

BOOST_AUTO_TEST_CASE(reports_a_maximum_backoff_below_the_initial_backoff) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "routes": [{"name": "r", "source": [], "destinations": [{
      "name": "d", "type": "mllp",
      "retry": {"initial_backoff_ms": 5000, "max_backoff_ms": 1000}
    }]}]
  })");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  BOOST_CHECK_EQUAL(file.errors().all().size(), 1u);
  const ConfigError& error = file.errorAt("/routes/0/destinations/0/retry");
  BOOST_CHECK_MESSAGE(contains(error.message, "max_backoff_ms"), error.message);
}

BOOST_AUTO_TEST_CASE(reports_a_retry_value_that_is_not_an_object) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "routes": [{"name": "r", "source": [], "destinations": [
      {"name": "d", "type": "mllp", "retry": 5}
    ]}]
  })");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  file.errorAt("/routes/0/destinations/0/retry");
}

BOOST_AUTO_TEST_CASE(reports_all_independent_errors_in_one_pass) {
  ConfigFile file(
      "{\n"                                                                   // 1
      "  \"engine\": {\"log_level\": \"verbose\"},\n"                         // 2
      "  \"keys\": {\"file\": \"k\"},\n"                                      // 3
      "  \"listners\": [],\n"                                                 // 4
      "  \"listeners\": [{\"name\": \"in\", \"type\": \"mllp\"}],\n"          // 5
      "  \"routes\": [\n"                                                     // 6
      "    {\"name\": \"r1\", \"source\": [\"in\", \"nowhere\"],\n"           // 7
      "     \"destinations\": [{\"name\": \"out\", \"type\": \"file\"}]},\n"  // 8
      "    {\"name\": \"r2\", \"source\": [\"in\"],\n"                        // 9
      "     \"destinations\": [{\"name\": \"out\", \"type\": \"file\"}]}\n"   // 10
      "  ]\n"                                                                 // 11
      "}\n");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  BOOST_CHECK_MESSAGE(file.errors().all().size() == 4u, file.errors().format());

  const ConfigError& unknown = file.errorAt("/listners");
  BOOST_CHECK_EQUAL(unknown.line, 4);
  BOOST_CHECK_EQUAL(unknown.file, file.path());
  BOOST_CHECK_MESSAGE(contains(unknown.message, "unknown key 'listners'"), unknown.message);

  const ConfigError& level = file.errorAt("/engine/log_level");
  BOOST_CHECK_EQUAL(level.line, 2);
  BOOST_CHECK_MESSAGE(contains(level.message, "log_level"), level.message);

  const ConfigError& source = file.errorAt("/routes/0/source/1");
  BOOST_CHECK_EQUAL(source.line, 7);
  BOOST_CHECK_MESSAGE(contains(source.message, "no listener named 'nowhere'"), source.message);

  const ConfigError& duplicate = file.errorAt("/routes/1/destinations/0/name");
  BOOST_CHECK_EQUAL(duplicate.line, 10);
  BOOST_CHECK_MESSAGE(contains(duplicate.message, "duplicate destination name 'out'"),
                      duplicate.message);

  std::string formatted = file.errors().format();
  BOOST_CHECK_MESSAGE(contains(formatted, file.path() + ":4: /listners: unknown key"), formatted);
}

BOOST_AUTO_TEST_CASE(accepts_a_route_source_given_as_one_listener_name) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "listeners": [{"name": "emr-adt", "type": "mllp"}],
    "routes": [{"name": "r", "source": "emr-adt",
                "destinations": [{"name": "d", "type": "file"}]}]
  })");

  auto config = file.load();

  BOOST_CHECK_MESSAGE(config != nullptr, file.errors().format());
}

BOOST_AUTO_TEST_CASE(reports_a_route_source_string_naming_a_missing_listener) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "listeners": [{"name": "emr-adt", "type": "mllp"}],
    "routes": [{"name": "r", "source": "emr-lab",
                "destinations": [{"name": "d", "type": "file"}]}]
  })");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  BOOST_CHECK_MESSAGE(file.errors().all().size() == 1u, file.errors().format());
  const ConfigError& error = file.errorAt("/routes/0/source");
  BOOST_CHECK_MESSAGE(contains(error.message, "no listener named 'emr-lab'"), error.message);
}

BOOST_AUTO_TEST_CASE(reports_each_missing_listener_of_a_source_list) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "routes": [{"name": "r", "source": ["a", "b"],
                "destinations": [{"name": "d", "type": "file"}]}]
  })");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  BOOST_REQUIRE_EQUAL(file.errors().all().size(), 2u);
  BOOST_CHECK(contains(file.errorAt("/routes/0/source/0").message, "no listener named 'a'"));
  BOOST_CHECK(contains(file.errorAt("/routes/0/source/1").message, "no listener named 'b'"));
}

BOOST_AUTO_TEST_CASE(reports_duplicate_destination_names_across_routes) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "routes": [
      {"name": "r1", "source": [], "destinations": [{"name": "same", "type": "file"}]},
      {"name": "r2", "source": [], "destinations": [{"name": "same", "type": "mllp"}]}
    ]
  })");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  BOOST_CHECK_EQUAL(file.errors().all().size(), 1u);
  file.errorAt("/routes/1/destinations/0/name");
}

BOOST_AUTO_TEST_CASE(reports_duplicate_destination_names_within_one_route) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "routes": [{"name": "r", "source": [], "destinations": [
      {"name": "same", "type": "file"}, {"name": "same", "type": "file"}
    ]}]
  })");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  file.errorAt("/routes/0/destinations/1/name");
}

BOOST_AUTO_TEST_CASE(reports_destination_without_name_or_type_against_the_destination) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "routes": [{"name": "r", "source": [], "destinations": [{"directory": "x"}]}]
  })");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  BOOST_REQUIRE_EQUAL(file.errors().all().size(), 2u);
  for (const auto& error : file.errors().all()) {
    BOOST_CHECK_EQUAL(error.json_path, "/routes/0/destinations/0");
  }
  BOOST_CHECK(contains(file.errors().all()[0].message, "'name'"));
  BOOST_CHECK(contains(file.errors().all()[1].message, "'type'"));
}

BOOST_AUTO_TEST_CASE(reports_a_non_boolean_ordered_flag) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "routes": [{"name": "r", "source": [], "destinations": [
      {"name": "d", "type": "file", "ordered": "yes"}
    ]}]
  })");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  file.errorAt("/routes/0/destinations/0/ordered");
}

BOOST_AUTO_TEST_CASE(reports_duplicate_listener_names) {
  ConfigFile file(R"({
    "keys": {"file": "k"},
    "listeners": [{"name": "in", "type": "mllp"}, {"name": "in", "type": "mllp"}],
    "routes": []
  })");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  BOOST_CHECK_EQUAL(file.errors().all().size(), 1u);
  const ConfigError& error = file.errorAt("/listeners/1/name");
  BOOST_CHECK_MESSAGE(contains(error.message, "duplicate listener name 'in'"), error.message);
}

BOOST_AUTO_TEST_CASE(reports_listeners_that_are_not_an_array) {
  ConfigFile file(R"({"keys": {"file": "k"}, "listeners": {"name": "in"}, "routes": []})");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  file.errorAt("/listeners");
}

BOOST_AUTO_TEST_CASE(reports_a_listener_without_type) {
  ConfigFile file(R"({"keys": {"file": "k"}, "listeners": [{"name": "in"}], "routes": []})");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  const ConfigError& error = file.errorAt("/listeners/0");
  BOOST_CHECK_MESSAGE(contains(error.message, "'type'"), error.message);
}

BOOST_AUTO_TEST_CASE(reports_missing_keys_section_against_the_root) {
  ConfigFile file(R"({"routes": []})");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  BOOST_CHECK_EQUAL(file.errors().all().size(), 1u);
  const ConfigError& error = file.errorAt("/");
  BOOST_CHECK_MESSAGE(contains(error.message, "keys"), error.message);
}

BOOST_AUTO_TEST_CASE(reports_missing_key_file_against_the_keys_object) {
  ConfigFile file("{\n  \"keys\": {\"create_if_missing\": true},\n  \"routes\": []\n}\n");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  BOOST_CHECK_EQUAL(file.errors().all().size(), 1u);
  const ConfigError& error = file.errorAt("/keys");
  BOOST_CHECK_EQUAL(error.line, 2);
  BOOST_CHECK_MESSAGE(contains(error.message, "'file'"), error.message);
}

BOOST_AUTO_TEST_CASE(reports_missing_routes_against_the_root) {
  ConfigFile file(R"({"keys": {"file": "k"}})");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  const ConfigError& error = file.errorAt("/");
  BOOST_CHECK_MESSAGE(contains(error.message, "routes"), error.message);
}

BOOST_AUTO_TEST_CASE(reports_unknown_keys_in_every_engine_section) {
  ConfigFile file(R"({
    "engine": {"nmae": "x"},
    "storage": {"uri": "sqlite:x"},
    "keys": {"file": "k", "mode": "0600"},
    "limits": {"max_bytes": 4096},
    "routes": []
  })");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  BOOST_CHECK_EQUAL(file.errors().all().size(), 4u);
  file.errorAt("/engine/nmae");
  file.errorAt("/storage/uri");
  file.errorAt("/keys/mode");
  file.errorAt("/limits/max_bytes");
}

BOOST_AUTO_TEST_CASE(reports_sections_that_are_not_objects) {
  ConfigFile file(R"({"engine": [], "storage": "sqlite:x", "keys": 1, "limits": true,
                      "routes": []})");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  BOOST_CHECK_EQUAL(file.errors().all().size(), 4u);
  file.errorAt("/engine");
  file.errorAt("/storage");
  file.errorAt("/keys");
  file.errorAt("/limits");
}

BOOST_AUTO_TEST_CASE(reports_message_size_limit_out_of_range) {
  ConfigFile file(R"({"keys": {"file": "k"}, "limits": {"max_message_bytes": 512},
                      "routes": []})");

  auto config = file.load();

  BOOST_CHECK(!file.errors().empty());
  file.errorAt("/limits/max_message_bytes");
}

BOOST_AUTO_TEST_CASE(accepts_message_size_limit_at_both_bounds) {
  for (const char* bytes : {"1024", "268435456"}) {
    ConfigFile file(std::string(R"({"keys": {"file": "k"}, "limits": {"max_message_bytes": )") +
                    bytes + R"(}, "routes": []})");

    auto config = file.load();

    BOOST_REQUIRE_MESSAGE(config != nullptr, bytes << ": " << file.errors().format());
    BOOST_CHECK_EQUAL(config->max_message_bytes, std::stoull(bytes));
  }
}

BOOST_AUTO_TEST_CASE(reports_a_root_that_is_not_an_object) {
  ConfigFile file("[]");

  auto config = file.load();

  BOOST_CHECK(config == nullptr);
  file.errorAt("/");
}

BOOST_AUTO_TEST_CASE(reports_a_syntax_error_with_file_and_line) {
  ConfigFile file("{\n  \"keys\": {\"file\": \"k\"},\n  \"routes\": [,]\n}\n");

  auto config = file.load();

  BOOST_CHECK(config == nullptr);
  BOOST_REQUIRE_EQUAL(file.errors().all().size(), 1u);
  std::string formatted = file.errors().format();
  BOOST_CHECK_MESSAGE(contains(formatted, file.path() + ":3: "), formatted);
}

BOOST_AUTO_TEST_CASE(reports_an_unreadable_file_by_path) {
  ferry::testing::TempDir dir;
  std::string path = (dir.path() / "absent.jsonc").string();
  ConfigErrors errors;

  auto config = loadEngineConfig(path, errors);

  BOOST_CHECK(config == nullptr);
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_MESSAGE(contains(errors.format(), path), errors.format());
}

BOOST_AUTO_TEST_CASE(loads_the_reference_configuration) {
  std::string path = std::string(FERRY_TEST_DATA_DIR) + "/../../config/reference.jsonc";
  ConfigErrors errors;

  auto config = loadEngineConfig(path, errors);

  BOOST_REQUIRE_MESSAGE(config != nullptr, errors.format());
  BOOST_CHECK_MESSAGE(errors.empty(), errors.format());
  BOOST_CHECK_EQUAL(config->listeners.size(), 3u);  // mllp, fhir_http, file
  BOOST_REQUIRE_EQUAL(config->destinations.size(), 4u);
  BOOST_CHECK(config->destinations[0].baa_covered);
  BOOST_CHECK(config->destinations[0].transforms.has_value());
  BOOST_CHECK(!config->destinations[2].baa_covered);  // the de-identified research feed
}

BOOST_AUTO_TEST_CASE(loads_the_quick_start_example) {
  std::string path = std::string(FERRY_TEST_DATA_DIR) + "/../../config/example.json";
  ConfigErrors errors;

  auto config = loadEngineConfig(path, errors);

  BOOST_REQUIRE_MESSAGE(config != nullptr, errors.format());
  BOOST_CHECK_EQUAL(config->name, "ferry-quickstart");
  BOOST_REQUIRE_EQUAL(config->destinations.size(), 1u);
  BOOST_CHECK_EQUAL(config->destinations[0].type, "file");
}

BOOST_AUTO_TEST_CASE(backoff_before_the_second_attempt_is_the_initial_backoff) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(500);
  policy.max_backoff = milliseconds(60000);
  policy.multiplier = 2.0;

  BOOST_CHECK_EQUAL(policy.backoffBefore(2).count(), 500);
}

BOOST_AUTO_TEST_CASE(backoff_grows_by_the_multiplier_each_attempt) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(500);
  policy.max_backoff = milliseconds(60000);
  policy.multiplier = 2.0;

  BOOST_CHECK_EQUAL(policy.backoffBefore(3).count(), 1000);
  BOOST_CHECK_EQUAL(policy.backoffBefore(4).count(), 2000);
  BOOST_CHECK_EQUAL(policy.backoffBefore(5).count(), 4000);
}

BOOST_AUTO_TEST_CASE(backoff_follows_a_fractional_multiplier) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(1000);
  policy.max_backoff = milliseconds(60000);
  policy.multiplier = 1.5;

  BOOST_CHECK_EQUAL(policy.backoffBefore(2).count(), 1000);
  BOOST_CHECK_EQUAL(policy.backoffBefore(3).count(), 1500);
  BOOST_CHECK_EQUAL(policy.backoffBefore(4).count(), 2250);
}

BOOST_AUTO_TEST_CASE(backoff_stops_growing_at_the_cap) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(1000);
  policy.max_backoff = milliseconds(5000);
  policy.multiplier = 2.0;

  BOOST_CHECK_EQUAL(policy.backoffBefore(4).count(), 4000);
  BOOST_CHECK_EQUAL(policy.backoffBefore(5).count(), 5000);
  BOOST_CHECK_EQUAL(policy.backoffBefore(6).count(), 5000);
}

BOOST_AUTO_TEST_CASE(backoff_of_a_very_late_attempt_is_the_cap) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(86400000);
  policy.max_backoff = milliseconds(7 * 86400000LL);
  policy.multiplier = 100.0;

  BOOST_CHECK_EQUAL(policy.backoffBefore(1000000).count(), 7 * 86400000LL);
}

BOOST_AUTO_TEST_CASE(backoff_with_multiplier_one_stays_constant) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(750);
  policy.max_backoff = milliseconds(10000);
  policy.multiplier = 1.0;

  BOOST_CHECK_EQUAL(policy.backoffBefore(2).count(), 750);
  BOOST_CHECK_EQUAL(policy.backoffBefore(50).count(), 750);
}

BOOST_AUTO_TEST_CASE(default_policy_doubles_from_one_second_up_to_five_minutes) {
  RetryPolicy policy;

  BOOST_CHECK_EQUAL(policy.backoffBefore(2).count(), 1000);
  BOOST_CHECK_EQUAL(policy.backoffBefore(10).count(), 256000);
  BOOST_CHECK_EQUAL(policy.backoffBefore(11).count(), 300000);
}

BOOST_AUTO_TEST_SUITE_END()
