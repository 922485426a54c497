#include "engine/crypto/key_ring.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "support/test_support.h"

namespace ferry::testing {
namespace {

using engine::ErrorCode;
using engine::crypto::Key256;
using engine::crypto::KeyRing;

constexpr char kKeyA[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr char kKeyB[] = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
constexpr char kKeyC[] = "0f0e0d0c0b0a090807060504030201000f0e0d0c0b0a09080706050403020100";

std::string keyFileText(const std::string& payload_key, const std::string& active_payload = "k1",
                        const std::string& extra = "") {
  return "{\"payload_keys\": [{\"id\": \"k1\", \"key\": \"" + payload_key +
         "\"}, {\"id\": \"k2\", \"key\": \"" + kKeyB + "\"}], \"active_payload_key\": \"" +
         active_payload + "\", \"audit_keys\": [{\"id\": \"a1\", \"key\": \"" + kKeyC +
         "\"}], \"active_audit_key\": \"a1\", \"index_key\": \"" + kKeyA + "\"" + extra + "}";
}

std::filesystem::path writeKeyFile(const TempDir& dir, const std::string& text,
                                   mode_t mode = 0600) {
  auto path = dir.path() / "keys.json";
  writeFile(path, text);
  BOOST_REQUIRE_EQUAL(::chmod(path.c_str(), mode), 0);
  return path;
}

mode_t modeOf(const std::filesystem::path& path) {
  struct stat info {};
  BOOST_REQUIRE_EQUAL(::stat(path.c_str(), &info), 0);
  return info.st_mode & 07777;
}

Key256 keyOf(const char* hex) {
  Key256 key{};
  for (std::size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<std::uint8_t>(std::stoi(std::string(hex + 2 * i, 2), nullptr, 16));
  }
  return key;
}

engine::Status loadError(const std::filesystem::path& path) {
  auto loaded = KeyRing::loadOrCreate(path.string(), false);
  BOOST_REQUIRE(!loaded.isOk());
  return loaded.status();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(crypto_key_ring)

BOOST_AUTO_TEST_CASE(creates_a_missing_key_file_with_mode_0600) {
  TempDir dir;
  auto path = dir.path() / "keys.json";

  auto ring = KeyRing::loadOrCreate(path.string(), true);

  BOOST_REQUIRE(ring.isOk());
  BOOST_CHECK_EQUAL(modeOf(path), 0600u);
  BOOST_CHECK(ring.value()->payloadKey(ring.value()->activePayloadKeyId()) != nullptr);
  BOOST_CHECK(ring.value()->auditKey(ring.value()->activeAuditKeyId()) != nullptr);
}

BOOST_AUTO_TEST_CASE(reloads_exactly_the_keys_it_created) {
  TempDir dir;
  auto path = (dir.path() / "keys.json").string();
  auto created = KeyRing::loadOrCreate(path, true);
  BOOST_REQUIRE(created.isOk());

  auto reloaded = KeyRing::loadOrCreate(path, false);

  BOOST_REQUIRE(reloaded.isOk());
  const KeyRing& first = *created.value();
  const KeyRing& second = *reloaded.value();
  BOOST_CHECK_EQUAL(first.activePayloadKeyId(), second.activePayloadKeyId());
  BOOST_CHECK_EQUAL(first.activeAuditKeyId(), second.activeAuditKeyId());
  BOOST_CHECK(*first.payloadKey(first.activePayloadKeyId()) ==
              *second.payloadKey(second.activePayloadKeyId()));
  BOOST_CHECK(*first.auditKey(first.activeAuditKeyId()) ==
              *second.auditKey(second.activeAuditKeyId()));
  BOOST_CHECK(first.indexKey() == second.indexKey());
}

BOOST_AUTO_TEST_CASE(creates_distinct_random_keys_in_each_new_file) {
  TempDir dir;

  auto one = KeyRing::loadOrCreate((dir.path() / "one.json").string(), true);
  auto two = KeyRing::loadOrCreate((dir.path() / "two.json").string(), true);

  BOOST_REQUIRE(one.isOk() && two.isOk());
  const KeyRing& a = *one.value();
  const KeyRing& b = *two.value();
  BOOST_CHECK(*a.payloadKey(a.activePayloadKeyId()) != *b.payloadKey(b.activePayloadKeyId()));
  BOOST_CHECK(*a.payloadKey(a.activePayloadKeyId()) != *a.auditKey(a.activeAuditKeyId()));
  BOOST_CHECK(a.indexKey() != b.indexKey());
}

BOOST_AUTO_TEST_CASE(leaves_no_temporary_file_behind_after_creating) {
  TempDir dir;

  auto ring = KeyRing::loadOrCreate((dir.path() / "keys.json").string(), true);

  BOOST_REQUIRE(ring.isOk());
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    BOOST_CHECK_EQUAL(entry.path().filename().string(), "keys.json");
    ++files;
  }
  BOOST_CHECK_EQUAL(files, 1);
}

BOOST_AUTO_TEST_CASE(loads_an_existing_file_instead_of_replacing_it) {
  TempDir dir;
  auto path = writeKeyFile(dir, keyFileText(kKeyA));

  auto ring = KeyRing::loadOrCreate(path.string(), true);

  BOOST_REQUIRE(ring.isOk());
  BOOST_CHECK_EQUAL(ring.value()->activePayloadKeyId(), "k1");
  BOOST_CHECK(*ring.value()->payloadKey("k1") == keyOf(kKeyA));
  BOOST_CHECK(*ring.value()->payloadKey("k2") == keyOf(kKeyB));
  BOOST_CHECK(*ring.value()->auditKey("a1") == keyOf(kKeyC));
  BOOST_CHECK(ring.value()->indexKey() == keyOf(kKeyA));
  BOOST_CHECK_EQUAL(readFile(path), keyFileText(kKeyA));
}

BOOST_AUTO_TEST_CASE(returns_null_for_an_unknown_key_id) {
  TempDir dir;
  auto path = writeKeyFile(dir, keyFileText(kKeyA));

  auto ring = KeyRing::loadOrCreate(path.string(), false);

  BOOST_REQUIRE(ring.isOk());
  BOOST_CHECK(ring.value()->payloadKey("k3") == nullptr);
  BOOST_CHECK(ring.value()->auditKey("k1") == nullptr);
}

BOOST_AUTO_TEST_CASE(refuses_a_key_file_readable_by_group) {
  TempDir dir;
  auto path = writeKeyFile(dir, keyFileText(kKeyA), 0640);

  auto error = loadError(path);

  BOOST_CHECK(error.code() == ErrorCode::KeyError);
  BOOST_CHECK_NE(error.context().find(path.string()), std::string::npos);
  BOOST_CHECK_NE(error.context().find("group or others"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_key_file_writable_by_others) {
  TempDir dir;
  auto path = writeKeyFile(dir, keyFileText(kKeyA), 0602);

  BOOST_CHECK(loadError(path).code() == ErrorCode::KeyError);
}

BOOST_AUTO_TEST_CASE(refuses_a_missing_file_when_not_asked_to_create_it) {
  TempDir dir;
  auto path = dir.path() / "absent.json";

  auto error = loadError(path);

  BOOST_CHECK(error.code() == ErrorCode::KeyError);
  BOOST_CHECK(!std::filesystem::exists(path));
}

BOOST_AUTO_TEST_CASE(refuses_malformed_json) {
  TempDir dir;
  auto path = writeKeyFile(dir, "{\"payload_keys\": [");

  auto error = loadError(path);

  BOOST_CHECK(error.code() == ErrorCode::KeyError);
  BOOST_CHECK_NE(error.context().find("not valid JSON"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_key_of_the_wrong_length_without_quoting_it) {
  TempDir dir;
  std::string short_key(kKeyA, 62);
  auto path = writeKeyFile(dir, keyFileText(short_key));

  auto error = loadError(path);

  BOOST_CHECK(error.code() == ErrorCode::KeyError);
  BOOST_CHECK_NE(error.context().find("/payload_keys/0/key"), std::string::npos);
  BOOST_CHECK_EQUAL(error.context().find(short_key), std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_key_with_non_hex_digits) {
  TempDir dir;
  std::string bad_key = std::string(kKeyA, 63) + "g";
  auto path = writeKeyFile(dir, keyFileText(bad_key));

  BOOST_CHECK(loadError(path).code() == ErrorCode::KeyError);
}

BOOST_AUTO_TEST_CASE(refuses_an_active_key_id_that_is_not_listed) {
  TempDir dir;
  auto path = writeKeyFile(dir, keyFileText(kKeyA, "k9"));

  auto error = loadError(path);

  BOOST_CHECK(error.code() == ErrorCode::KeyError);
  BOOST_CHECK_NE(error.context().find("/active_payload_key"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_an_unknown_member) {
  TempDir dir;
  auto path = writeKeyFile(dir, keyFileText(kKeyA, "k1", ", \"index_kye\": 1"));

  auto error = loadError(path);

  BOOST_CHECK(error.code() == ErrorCode::KeyError);
  BOOST_CHECK_NE(error.context().find("index_kye"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_repeated_key_id) {
  TempDir dir;
  std::string text = keyFileText(kKeyA);
  text.replace(text.find("\"k2\""), 4, "\"k1\"");
  auto path = writeKeyFile(dir, text);

  BOOST_CHECK(loadError(path).code() == ErrorCode::KeyError);
}

BOOST_AUTO_TEST_CASE(refuses_a_file_without_audit_keys) {
  TempDir dir;
  std::string text = "{\"payload_keys\": [{\"id\": \"k1\", \"key\": \"" + std::string(kKeyA) +
                     "\"}], \"active_payload_key\": \"k1\", \"index_key\": \"" + kKeyA + "\"}";
  auto path = writeKeyFile(dir, text);

  auto error = loadError(path);

  BOOST_CHECK(error.code() == ErrorCode::KeyError);
  BOOST_CHECK_NE(error.context().find("/audit_keys"), std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
