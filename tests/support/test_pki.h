#pragma once

// A throwaway PKI for TLS tests, made with the openssl command line once per test process:
// a CA ("ca"), a server certificate for localhost and 127.0.0.1 ("server"), a client
// certificate ("client"), and an unrelated CA ("other_ca"). Files: NAME.pem and NAME.key.

#include <string>

#include "support/test_support.h"

namespace ferry::testing {

class TestPki {
 public:
  TestPki();

  bool ok() const { return ok_; }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }

 private:
  void write(const std::string& name, const std::string& text);
  bool makeCa(const std::string& name, const std::string& subject);
  bool makeLeaf(const std::string& name, const std::string& common_name,
                const std::string& extensions);

  TempDir dir_;
  bool ok_ = false;
};

// The process-wide instance; fails the calling test when openssl could not make it.
const TestPki& testPki();

}  // namespace ferry::testing
