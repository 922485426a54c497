#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <string>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/test/unit_test.hpp>

#include "connectors/fhir_http/fhir_http_dev_certificate.h"
#include "connectors/fhir_http_test_support.h"
#include "support/test_support.h"

namespace {

using ferry::connectors::fhir_http::certificateFingerprint;
using ferry::connectors::fhir_http::DevCertificate;
using ferry::connectors::fhir_http::ensureDevCertificate;
using ferry::testing::TempDir;

struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr loadCertificate(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  BOOST_REQUIRE(file != nullptr);
  X509* certificate = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  BOOST_REQUIRE(certificate != nullptr);
  return X509Ptr(certificate);
}

unsigned fileMode(const std::string& path) {
  struct stat info {};
  BOOST_REQUIRE_EQUAL(::stat(path.c_str(), &info), 0);
  return info.st_mode & 0777;
}

// What `openssl x509 -fingerprint -sha256` prints for the file, after the '='.
std::string opensslFingerprint(const std::string& path) {
  std::string command = "openssl x509 -noout -fingerprint -sha256 -in '" + path + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  BOOST_REQUIRE(pipe != nullptr);
  char line[256] = {};
  std::string output = std::fgets(line, sizeof(line), pipe) != nullptr ? line : "";
  ::pclose(pipe);
  auto equals = output.find('=');
  BOOST_REQUIRE(equals != std::string::npos);
  std::string fingerprint = output.substr(equals + 1);
  while (!fingerprint.empty() && (fingerprint.back() == '\n' || fingerprint.back() == '\r')) {
    fingerprint.pop_back();
  }
  return fingerprint;
}

DevCertificate ensure(const std::string& directory) {
  auto made = ensureDevCertificate(directory);
  BOOST_REQUIRE_MESSAGE(made.isOk(), made.status().toString());
  return made.value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_http_dev_certificate)

BOOST_AUTO_TEST_CASE(makes_a_one_year_certificate_for_localhost_and_127_0_0_1) {
  TempDir dir;
  std::string directory = (dir.path() / "var" / "tls").string();

  DevCertificate made = ensure(directory);

  BOOST_CHECK(made.created);
  X509Ptr certificate = loadCertificate(made.certificate_path);
  BOOST_CHECK_EQUAL(X509_check_host(certificate.get(), "localhost", 0, 0, nullptr), 1);
  BOOST_CHECK_EQUAL(X509_check_ip_asc(certificate.get(), "127.0.0.1", 0), 1);
  BOOST_CHECK_NE(X509_check_host(certificate.get(), "example.org", 0, 0, nullptr), 1);
  int days = 0;
  int seconds = 0;
  BOOST_REQUIRE_EQUAL(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(certificate.get()),
                                     X509_get0_notAfter(certificate.get())),
                      1);
  BOOST_CHECK_EQUAL(days, 365);  // plus the few minutes it is backdated
  BOOST_CHECK_EQUAL(fileMode(made.private_key_path), 0600u);
  BOOST_CHECK_EQUAL(fileMode(directory), 0700u);
}

BOOST_AUTO_TEST_CASE(reports_the_fingerprint_openssl_computes) {
  TempDir dir;

  DevCertificate made = ensure(dir.path().string());

  BOOST_CHECK_EQUAL(made.fingerprint, opensslFingerprint(made.certificate_path));
  auto again = certificateFingerprint(made.certificate_path);
  BOOST_REQUIRE(again.isOk());
  BOOST_CHECK_EQUAL(again.value(), made.fingerprint);
}

BOOST_AUTO_TEST_CASE(reuses_the_pair_on_a_later_call) {
  TempDir dir;

  DevCertificate first = ensure(dir.path().string());
  DevCertificate second = ensure(dir.path().string());

  BOOST_CHECK(first.created);
  BOOST_CHECK(!second.created);
  BOOST_CHECK_EQUAL(second.fingerprint, first.fingerprint);
  BOOST_CHECK(second.note.empty());
}

BOOST_AUTO_TEST_CASE(replaces_a_pair_whose_key_does_not_match) {
  TempDir dir;
  DevCertificate first = ensure(dir.path().string());
  ferry::testing::writeFile(
      first.private_key_path,
      ferry::testing::readFile(ferry::testing::fhir_http::pki().path("client.key")));

  DevCertificate second = ensure(dir.path().string());

  BOOST_CHECK(second.created);
  BOOST_CHECK_NE(second.fingerprint, first.fingerprint);
  BOOST_CHECK(second.note.find("does not belong") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tightens_a_key_file_readable_by_others) {
  TempDir dir;
  DevCertificate first = ensure(dir.path().string());
  ::chmod(first.private_key_path.c_str(), 0644);

  DevCertificate second = ensure(dir.path().string());

  BOOST_CHECK(!second.created);
  BOOST_CHECK_EQUAL(fileMode(second.private_key_path), 0600u);
  BOOST_CHECK(second.note.find("0600") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reports_a_directory_it_cannot_create) {
  TempDir dir;
  ferry::testing::writeFile(dir.path() / "file", "not a directory");

  auto made = ensureDevCertificate((dir.path() / "file" / "tls").string());

  BOOST_CHECK(made.status().code() == ferry::engine::ErrorCode::IoError);
}

BOOST_AUTO_TEST_SUITE_END()
