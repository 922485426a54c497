#include "support/test_pki.h"

#include <cstdlib>

#include <boost/test/unit_test.hpp>

namespace ferry::testing {
namespace {

bool runQuietly(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

TestPki::TestPki() {
  write("server.ext",
        "basicConstraints=CA:FALSE\n"
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
        "extendedKeyUsage=serverAuth\n");
  write("client.ext", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
  ok_ = makeCa("ca", "Ferry Test CA") && makeCa("other_ca", "Ferry Unrelated CA") &&
        makeLeaf("server", "localhost", "server.ext") &&
        makeLeaf("client", "ferry-test-client", "client.ext");
}

void TestPki::write(const std::string& name, const std::string& text) {
  writeFile(dir_.path() / name, text);
}

bool TestPki::makeCa(const std::string& name, const std::string& subject) {
  return runQuietly(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -keyout '" +
      path(name + ".key") + "' -out '" + path(name + ".pem") + "' -subj '/CN=" + subject +
      "' -addext 'basicConstraints=critical,CA:TRUE'"
      " -addext 'keyUsage=critical,keyCertSign,cRLSign'");
}

bool TestPki::makeLeaf(const std::string& name, const std::string& common_name,
                       const std::string& extensions) {
  static int serial = 100;
  return runQuietly("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" +
                    path(name + ".key") + "' -out '" + path(name + ".csr") +
                    "' -subj '/CN=" + common_name + "'") &&
         runQuietly("openssl x509 -req -in '" + path(name + ".csr") + "' -CA '" + path("ca.pem") +
                    "' -CAkey '" + path("ca.key") + "' -set_serial " + std::to_string(++serial) +
                    " -days 2 -out '" + path(name + ".pem") + "' -extfile '" + path(extensions) +
                    "'");
}

const TestPki& testPki() {
  static TestPki instance;
  BOOST_REQUIRE_MESSAGE(instance.ok(), "could not create test certificates with openssl");
  return instance;
}

}  // namespace ferry::testing
