#include "engine/crypto/payload_cipher.h"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <string>

#include "support/test_support.h"

namespace ferry::testing {
namespace {

using engine::ErrorCode;
using engine::crypto::KeyRing;
using engine::crypto::PayloadBinding;
using engine::crypto::PayloadCipher;
using engine::crypto::SealedPayload;

constexpr std::size_t kOverhead = 12 + 16;
constexpr char kPlaintext[] =
    "MSH|^~\\&|APP|FAC|||20240101||ADT^A01|1|P|2.5\rPID|||1||TESTPATIENT^ALPHA";

std::shared_ptr<const KeyRing> twoKeyRing(const TempDir& dir) {
  std::string text =
      "{\"payload_keys\": ["
      "{\"id\": \"k1\", \"key\": \"" +
      std::string(64, '1') +
      "\"},"
      "{\"id\": \"k2\", \"key\": \"" +
      std::string(64, '2') +
      "\"}],"
      " \"active_payload_key\": \"k1\","
      " \"audit_keys\": [{\"id\": \"a1\", \"key\": \"" +
      std::string(64, '3') +
      "\"}],"
      " \"active_audit_key\": \"a1\", \"index_key\": \"" +
      std::string(64, '4') + "\"}";
  auto path = dir.path() / "keys.json";
  writeFile(path, text);
  BOOST_REQUIRE_EQUAL(::chmod(path.c_str(), 0600), 0);
  auto ring = KeyRing::loadOrCreate(path.string(), false);
  BOOST_REQUIRE(ring.isOk());
  return ring.value();
}

SealedPayload sealOrFail(const PayloadCipher& cipher, std::string_view plaintext,
                         const PayloadBinding& binding) {
  auto sealed = cipher.seal(plaintext, binding);
  BOOST_REQUIRE(sealed.isOk());
  return sealed.value();
}

ErrorCode openCode(const PayloadCipher& cipher, const SealedPayload& sealed,
                   const PayloadBinding& binding) {
  return cipher.open(sealed, binding).status().code();
}

const PayloadBinding kRow{"01HZX5T8Q3M2N4P6R8S0T2V4W6", "out", "lab"};

}  // namespace

BOOST_AUTO_TEST_SUITE(crypto_payload_cipher)

BOOST_AUTO_TEST_CASE(opens_what_it_sealed) {
  TempDir dir;
  PayloadCipher cipher(twoKeyRing(dir));

  auto sealed = sealOrFail(cipher, kPlaintext, kRow);
  auto opened = cipher.open(sealed, kRow);

  BOOST_REQUIRE(opened.isOk());
  BOOST_CHECK_EQUAL(opened.value(), kPlaintext);
  BOOST_CHECK_EQUAL(sealed.key_id, "k1");
  BOOST_CHECK_EQUAL(sealed.blob.size(), std::string(kPlaintext).size() + kOverhead);
  BOOST_CHECK_EQUAL(sealed.blob.find("TESTPATIENT"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(round_trips_empty_and_binary_plaintext) {
  TempDir dir;
  PayloadCipher cipher(twoKeyRing(dir));
  std::string binary;
  for (int value = 0; value < 256; ++value) {
    binary.push_back(static_cast<char>(value));
  }

  for (const std::string& plaintext : {std::string(), binary}) {
    auto opened = cipher.open(sealOrFail(cipher, plaintext, kRow), kRow);
    BOOST_REQUIRE(opened.isOk());
    BOOST_CHECK(opened.value() == plaintext);
  }
}

BOOST_AUTO_TEST_CASE(uses_a_fresh_nonce_for_every_seal) {
  TempDir dir;
  PayloadCipher cipher(twoKeyRing(dir));

  auto first = sealOrFail(cipher, kPlaintext, kRow);
  auto second = sealOrFail(cipher, kPlaintext, kRow);

  BOOST_CHECK(first.blob.substr(0, 12) != second.blob.substr(0, 12));
  BOOST_CHECK(first.blob != second.blob);
}

BOOST_AUTO_TEST_CASE(refuses_a_blob_with_any_single_byte_flipped) {
  TempDir dir;
  PayloadCipher cipher(twoKeyRing(dir));
  auto sealed = sealOrFail(cipher, "short PID|||42", kRow);

  for (std::size_t position = 0; position < sealed.blob.size(); ++position) {
    for (unsigned char flip : {0x01, 0x80}) {
      SealedPayload altered = sealed;
      altered.blob[position] = static_cast<char>(altered.blob[position] ^ flip);
      BOOST_CHECK_MESSAGE(openCode(cipher, altered, kRow) == ErrorCode::IntegrityError,
                          "byte " << position << " flipped with " << int(flip));
    }
  }
}

BOOST_AUTO_TEST_CASE(refuses_a_truncated_or_extended_blob) {
  TempDir dir;
  PayloadCipher cipher(twoKeyRing(dir));
  auto sealed = sealOrFail(cipher, kPlaintext, kRow);

  for (std::size_t size = 0; size < sealed.blob.size(); ++size) {
    SealedPayload truncated = sealed;
    truncated.blob.resize(size);
    BOOST_CHECK_MESSAGE(openCode(cipher, truncated, kRow) == ErrorCode::IntegrityError,
                        "truncated to " << size);
  }
  SealedPayload extended = sealed;
  extended.blob.push_back('\0');
  BOOST_CHECK(openCode(cipher, extended, kRow) == ErrorCode::IntegrityError);
}

BOOST_AUTO_TEST_CASE(refuses_a_blob_opened_under_another_rows_binding) {
  TempDir dir;
  PayloadCipher cipher(twoKeyRing(dir));
  PayloadBinding other_row{"01HZX5T8Q3M2N4P6R8S0T2V4W7", "out", "lab"};
  auto sealed = sealOrFail(cipher, kPlaintext, kRow);
  BOOST_REQUIRE(cipher.open(sealOrFail(cipher, kPlaintext, other_row), other_row).isOk());

  BOOST_CHECK(openCode(cipher, sealed, other_row) == ErrorCode::IntegrityError);
  BOOST_CHECK(openCode(cipher, sealed, {kRow.message_id, "in", kRow.destination}) ==
              ErrorCode::IntegrityError);
  BOOST_CHECK(openCode(cipher, sealed, {kRow.message_id, kRow.stage, "billing"}) ==
              ErrorCode::IntegrityError);
}

BOOST_AUTO_TEST_CASE(keeps_binding_fields_apart_when_their_boundary_moves) {
  TempDir dir;
  PayloadCipher cipher(twoKeyRing(dir));
  auto sealed = sealOrFail(cipher, kPlaintext, {"ab", "c", "d"});

  BOOST_CHECK(openCode(cipher, sealed, {"a", "bc", "d"}) == ErrorCode::IntegrityError);
  BOOST_CHECK(openCode(cipher, sealed, {"ab", "", "cd"}) == ErrorCode::IntegrityError);
}

BOOST_AUTO_TEST_CASE(refuses_a_blob_relabelled_with_another_key_id) {
  TempDir dir;
  PayloadCipher cipher(twoKeyRing(dir));
  auto sealed = sealOrFail(cipher, kPlaintext, kRow);

  sealed.key_id = "k2";

  BOOST_CHECK(openCode(cipher, sealed, kRow) == ErrorCode::IntegrityError);
}

BOOST_AUTO_TEST_CASE(reports_an_unknown_key_id_as_a_key_error) {
  TempDir dir;
  PayloadCipher cipher(twoKeyRing(dir));
  auto sealed = sealOrFail(cipher, kPlaintext, kRow);

  sealed.key_id = "retired";
  auto opened = cipher.open(sealed, kRow);

  BOOST_CHECK(opened.status().code() == ErrorCode::KeyError);
  BOOST_CHECK_EQUAL(opened.status().context().find("TESTPATIENT"), std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
