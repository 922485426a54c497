#include "engine/crypto/digest.h"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

namespace ferry::testing {
namespace {

using engine::crypto::Key256;

}  // namespace

BOOST_AUTO_TEST_SUITE(crypto_digest)

BOOST_AUTO_TEST_CASE(hashes_the_fips_180_sample_message) {
  BOOST_CHECK_EQUAL(engine::crypto::sha256Hex("abc"),
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_CHECK_EQUAL(engine::crypto::sha256Hex(""),
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// RFC 4231 test case 1 uses a 20-byte key. HMAC pads a short key with zeros to the block size, so
// the same key followed by 12 zero bytes gives the same mac.
BOOST_AUTO_TEST_CASE(computes_the_rfc_4231_hmac_sha256_vector) {
  Key256 key{};
  for (int i = 0; i < 20; ++i) {
    key[i] = 0x0b;
  }

  BOOST_CHECK_EQUAL(engine::crypto::hmacSha256Hex(key, "Hi There"),
                    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

BOOST_AUTO_TEST_CASE(gives_different_macs_under_different_keys) {
  Key256 one{};
  Key256 two{};
  two[31] = 1;

  BOOST_CHECK_NE(engine::crypto::hmacSha256Hex(one, "data"),
                 engine::crypto::hmacSha256Hex(two, "data"));
}

BOOST_AUTO_TEST_CASE(writes_lower_case_hex_of_every_byte_value) {
  std::string bytes("\x00\x0f\xa0\xff", 4);

  BOOST_CHECK_EQUAL(engine::crypto::toHex(bytes), "000fa0ff");
  BOOST_CHECK_EQUAL(engine::crypto::toHex(""), "");
}

BOOST_AUTO_TEST_CASE(fills_random_buffers_with_distinct_values) {
  std::set<std::string> seen;
  for (int round = 0; round < 16; ++round) {
    std::uint8_t bytes[16] = {};
    BOOST_REQUIRE(engine::crypto::randomBytes(bytes, sizeof bytes));
    seen.insert(std::string(reinterpret_cast<const char*>(bytes), sizeof bytes));
  }

  BOOST_CHECK_EQUAL(seen.size(), 16u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
